#!/bin/sh
# Checks a report's Ed25519 signature with nothing but openssl (3.0 or later).
# Usage: tools/verify-signature.sh REPORT_DIR PUBLIC_KEY_PEM
# Prints OK and exits 0 when report.json.sig is a valid signature of report.json's exact bytes
# by PUBLIC_KEY_PEM; prints FAILED and exits 1 otherwise.
set -u
if [ "$#" -ne 2 ]; then
    echo "usage: $0 REPORT_DIR PUBLIC_KEY_PEM" >&2
    exit 2
fi
dir=$1
pub=$2
for file in "$dir/report.json" "$dir/report.json.sig" "$pub"; do
    if [ ! -f "$file" ]; then
        echo "FAILED: $file does not exist" >&2
        echo FAILED
        exit 1
    fi
done
# -rawin signs/verifies the file bytes themselves: pure Ed25519 (RFC 8032), no pre-hashing.
if openssl pkeyutl -verify -rawin -pubin -inkey "$pub" -in "$dir/report.json" \
    -sigfile "$dir/report.json.sig" >/dev/null 2>&1; then
    echo OK
    exit 0
fi
echo FAILED
exit 1
