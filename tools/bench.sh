#!/usr/bin/env bash
# Benchmarks in release mode; each line prints our figure beside its raw baseline.
# tools/bench.sh user: whole audit processes only; tools/bench.sh collector [--events N]: the fleet collector
# on a throwaway PostgreSQL (both run the real binaries built here).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
# One product per build: given several --product flags, swift build builds only the last one.
for product in audit audit-server audit-bench; do swift build -c release --product "$product"; done
.build/release/audit-bench "$@"
