#!/usr/bin/env bash
# The fleet collector end to end on one machine: a throwaway PostgreSQL cluster, the collector, three laptops'
# logs (three simulated sites, one failing) synced into it, then the fleet query. Stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build --product audit --product audit-server
bin=.build/debug
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/audit-fleet-demo.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [ -f "$work/pg/postmaster.pid" ]; then as_pg "$pgbin/pg_ctl" stop -m immediate -D "$work/pg" >/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
# PostgreSQL refuses to run as root: the cluster belongs to the postgres user then.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -ne 0 ] || chown postgres: "$work"
as_pg "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$pgbin/pg_ctl" start -w -D "$work/pg" -l "$work/pg.log" -o "-p $port -k $work -c listen_addresses=127.0.0.1" >/dev/null
database="postgres://postgres@127.0.0.1:$port/postgres"
echo "postgresql: $database"

"$bin/audit" keygen --out "$work/collector-keys" >/dev/null
"$bin/audit-server" collector serve --database "$database" --listen 127.0.0.1:0 \
    --key "$work/collector-keys/signing-key.pem" >"$work/collector.out" 2>"$work/collector.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$work/collector.out" 2>/dev/null && break; sleep 0.1; done
url="http://$(sed -n 's/^listening on //p' "$work/collector.out")"
echo "collector: $url ($(sed -n 's/^collector key //p' "$work/collector.out"))"

# Three laptops, three installers, three sites; the last skips restoring the DIP switches.
for spec in "ann:plant-1:" "bob:plant-2:" "cem:plant-3:skip-dip-restore"; do
    IFS=: read -r installer site fault <<<"$spec"
    db="$work/$installer.db"
    "$bin/audit" init --db "$db" --installer "$installer" >/dev/null
    "$bin/audit" keygen --out "$work/$installer-keys" >/dev/null
    "$bin/audit" demo --db "$db" --site "$site" ${fault:+--fault "$fault"} >/dev/null || true
    "$bin/audit-server" collector enroll --database "$database" --installer "$installer" \
        --pubkey "$work/$installer-keys/signing-key.pub.pem"
    "$bin/audit" sync --db "$db" --to "$url" --key "$work/$installer-keys/signing-key.pem"
done

echo "sites failing dip.addr-restored:"
python3 - "$url" <<'PY'
import json, sys, urllib.request
sites = json.load(urllib.request.urlopen(sys.argv[1] + "/v1/sites?failing=dip.addr-restored"))["sites"]
for s in sites:
    print(f"  {s['site']}  {s['verdict']}  installer {s['installer']}  failing {', '.join(s['failing'])}  witnessed {s['witnessed']}")
print("every site:")
for s in json.load(urllib.request.urlopen(sys.argv[1] + "/v1/sites"))["sites"]:
    print(f"  {s['site']}  {s['verdict']}  installer {s['installer']}  firmware {', '.join(s['firmware'])}")
PY
