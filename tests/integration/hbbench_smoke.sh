#!/usr/bin/env bash
# hbbench --quick against our daemon: every scenario runs against real daemons in network namespaces,
# through the real client library. Checks behaviour, never speed: every scenario reports, every kill is
# seen and no healthy node is called dead, nothing is lost, duplicated or reordered (S8: under every
# fault), the nodes converge,
# and `hbbench report` renders the run. Usage: hbbench_smoke.sh BIN_DIR. Exit 77 (skipped) without python3.
set -euo pipefail
bin=$1
command -v python3 >/dev/null || { echo "SKIP: python3 is needed for the JSON checks"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! "$bin/hbbench" --quick --work "$work/run" --json "$work/ours.json" >"$work/table.txt" 2>"$work/progress.txt"; then
  cat "$work/progress.txt"
  exit 1
fi
cat "$work/table.txt"
"$bin/hbbench" report "$work/ours.json" >"$work/report.md"
grep -q "| target | ours |" "$work/report.md" || { echo "FAIL: the report has no targets table"; exit 1; }
python3 - "$work/ours.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
bad = []
def need(ok, what):
    if not ok:
        bad.append(what)
def part(*path):
    j = r
    for k in path:
        if not isinstance(j, dict) or k not in j:
            bad.append("missing: " + "/".join(path))
            return {}
        j = j[k]
    if isinstance(j, dict) and "error" in j:
        bad.append("/".join(path) + " failed: " + j["error"])
        return {}
    return j
for timing in ("1000/3000", "100/500"):
    s1 = part("S1", timing)
    if s1:
        need(s1["detected"] == s1["trials"], f"S1 {timing}: {s1['detected']} of {s1['trials']} kills seen")
        need(s1["false_deaths"] == 0, f"S1 {timing}: {s1['false_deaths']} false deaths")
        # The dead interval runs from the last heartbeat heard: never later than deadtime, plus slack.
        need(0 < s1["max_ms"] <= s1["deadtime_ms"] + 1000, f"S1 {timing}: detected after {s1['max_ms']} ms")
soak = part("S1", "soak")
if soak:
    need(soak["false_deaths"] == 0, f"S1 soak under load: {soak['false_deaths']} false deaths")
for n in ("2", "3"):
    s2 = part("S2", n)
    if s2:
        need(s2["sent"] > 0 and s2["received"] == s2["sent"], f"S2 {n} nodes: {s2['received']} of {s2['sent']} received")
        need(s2["lost"] == 0 and s2["dup"] == 0 and s2["reordered"] == 0, f"S2 {n} nodes: lost/dup/reordered {s2}")
s3 = part("S3")
if s3:
    need(s3["round_trips"] == 500 and s3["p50_us"] > 0, f"S3: {s3}")
for timing in ("1000/3000", "100/500"):
    s4 = part("S4", timing)
    if s4:
        need(s4["processes"] == 1 and s4["rss_mib"] > 0, f"S4 {timing}: {s4}")
s5 = part("S5")
if s5:
    need(s5["a_us"] > 0 and s5["b_us"] > 0, f"S5: {s5}")
s6 = part("S6", "8")
if s6:
    need(s6["converge_s"] > 0, f"S6: {s6}")
s8 = part("S8")
for fault, f in (s8 or {}).items():
    if "error" in f:
        need(False, f"S8 {fault} failed: {f['error']}")
        continue
    need(f["sent"] > 0 and f["received"] == f["sent"], f"S8 {fault}: {f['received']} of {f['sent']} received")
    need(f["lost"] == 0 and f["dup"] == 0 and f["reordered"] == 0, f"S8 {fault}: lost/dup/reordered {f}")
    need(f["false_deaths"] == 0 and f.get("settled", True), f"S8 {fault}: {f}")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
echo "hbbench smoke: every scenario ran and behaved"
