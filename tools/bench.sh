#!/usr/bin/env bash
# Benchmarks in release mode; each line prints our figure beside its raw baseline.
# tools/bench.sh user: whole audit processes only; tools/bench.sh collector [--events N]: the fleet collector
# on a throwaway PostgreSQL (both run the real binaries built here).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build -c release --product audit --product audit-server
swift build -c release --product audit-bench
.build/release/audit-bench "$@"
