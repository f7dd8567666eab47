#!/bin/sh
# Rewrites conformance/cases from the definitions in Tests/AuditDomainTests/ConformanceTests.swift, then runs them.
set -eu
cd "$(dirname "$0")/.."
swift build --build-tests
AUDIT_WRITE_CONFORMANCE=1 swift test --skip-build --filter ConformanceTests
