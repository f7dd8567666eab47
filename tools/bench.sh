#!/usr/bin/env bash
# Benchmarks in release mode; each line prints our figure beside its raw baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build -c release --product audit
swift build -c release --product audit-bench
.build/release/audit-bench "$@"
