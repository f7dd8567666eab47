#!/usr/bin/env bash
# The main job: installs what is missing, builds audit, and runs a complete simulated
# firmware update of a 3-stack site into a fresh log, then verifies and checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build --product audit
audit=.build/debug/audit
workdir=${AUDIT_DEMO_DIR:-$(mktemp -d)}
export AUDIT_DB="$workdir/audit.db"
"$audit" demo --db "$AUDIT_DB" --site demo "$@"   # without --db a demo makes a folder of its own
"$audit" verify
echo "log: $AUDIT_DB   (try: $audit status --site demo; $audit log --site demo)"
