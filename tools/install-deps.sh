#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test audit: the C libraries
# behind the system-library targets, and the real tools the tests drive. Idempotent.
set -euo pipefail

missing=()
# chromium and poppler-utils print report pages to PDF and read them back in the layout tests; postgresql is
# the fleet collector's engine, whose tests start a throwaway cluster of their own (never the packaged one).
for pkg in libsqlite3-dev libssl-dev sqlite3 openssl tmux python3 pkg-config chromium poppler-utils postgresql; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
command -v swift >/dev/null || { echo "swift 6.3 is not on PATH; install the Swift toolchain first" >&2; exit 1; }
