#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build --build-tests 2>&1 | tee "$log"
# The build prints no warnings of ours (a fresh clone compiles every file, so CI sees them all).
if grep -E "^$PWD/(Sources|Tests|Plugins)/.*: warning:" "$log"; then
    echo "the build printed warnings (above); fix them" >&2
    exit 1
fi
swift test --skip-build
