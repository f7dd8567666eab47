#!/usr/bin/env bash
# Benchmarks in release mode; each line prints our figure beside its raw baseline.
# tools/bench.sh collector [--events N]: the fleet collector on a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build -c release --product audit-bench
# `audit-bench collector` runs the real binaries beside it.
if [ "${1:-}" = collector ]; then swift build -c release --product audit --product audit-server; fi
.build/release/audit-bench "$@"
