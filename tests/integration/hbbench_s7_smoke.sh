#!/usr/bin/env bash
# hbbench's S7 (a floating IP's failover, bench/systems/vip/) --quick against our daemons, on the native
# address path and on resource-agents' IPaddr2: the driver brings two nodes up in namespaces, every
# SIGKILL of the holder moves the VIP to the other node (the client's echo replies come from its MAC),
# every hb_standby moves it, a soak under CPU load moves nothing, and `hbbench report` renders it.
# Checks behaviour, never speed (the bound below is deadtime plus a second of slack, as S1's smoke).
# Usage: hbbench_s7_smoke.sh BIN_DIR. Exit 77 (skipped) without python3 or IPaddr2.
set -euo pipefail
bin=$1
command -v python3 >/dev/null || { echo "SKIP: python3 is needed for the probe"; exit 77; }
[ -x /usr/lib/ocf/resource.d/heartbeat/IPaddr2 ] || { echo "SKIP: resource-agents' IPaddr2 is needed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for mode in native agent; do
  if ! HBB_S7_MODE=$mode "$bin/hbbench" --scenarios S7 --quick --s7-timing 100 500 --work "$work/$mode" \
      --json "$work/$mode.json" >"$work/$mode.txt" 2>"$work/$mode.progress"; then
    cat "$work/$mode.progress"
    exit 1
  fi
  cat "$work/$mode.txt"
  "$bin/hbbench" report "$work/$mode.json" >"$work/$mode.md"
  grep -q "| S7 failover after SIGKILL, p99 |" "$work/$mode.md" || { echo "FAIL: the report has no S7 rows"; exit 1; }
  python3 - "$work/$mode.json" "$mode" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
s7 = run["results"]["S7"]
bad = []
if "error" in s7:
    bad.append("S7 failed: " + s7["error"])
for what in ("failover", "switchover"):
    f = s7.get(what, {})
    if f.get("n") != 3:
        bad.append(f"{what}: {f.get('n')} of 3 trials")
    elif not 0 < f["max_ms"] <= s7["deadtime_ms"] + 1000:
        bad.append(f"{what}: the VIP answered from the other node after {f['max_ms']} ms")
soak = s7.get("soak", {})
if soak.get("false_failovers") != 0:
    bad.append(f"soak under load: {soak}")
if sys.argv[2] not in s7.get("setting", ""):
    bad.append("setting: " + s7.get("setting", "?"))
for b in bad:
    print("FAIL:", sys.argv[2], b)
sys.exit(1 if bad else 0)
PY
done
echo "hbbench S7 smoke: the VIP moved on every kill and standby, on both paths, and never under load"
