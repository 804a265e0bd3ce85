#!/usr/bin/env bash
# bench/compare.sh [HBBENCH OPTIONS...]: the hbbench scenarios against our daemon, Debian's heartbeat
# 3.0.6 and Corosync 3.1.7, one after the other on this machine, then the side-by-side section of
# docs/benchmarks.md (between its "compare.sh" markers) rewritten from the three runs.
# Installs what it needs and builds first. Takes ~1 hour with the defaults; --quick for a smoke run
# (its figures are not worth quoting: it then writes build/bench-results/*/side-by-side.md only).
# Raw runs (JSON, logs): build/bench-results/<date>/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh
scripts/install-bench-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target heartbeat hbbench hbagent hbagent-hb3 cpgagent
out=build/bench-results/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$out"
quick=0
for a in "$@"; do [ "$a" = --quick ] && quick=1; done
# Corosync 3.1.7 does not form a 64-node ring on 2 cores (the largest seen: 8 members; "main process
# was not scheduled for 27062 ms"), so its S6 stops at 32, as the anchors did.
# HBB_OURS_OPTS, HBB_HEARTBEAT3_OPTS, HBB_COROSYNC_OPTS: more options for one system's run (e.g. fewer
# API calls for heartbeat 3.0.6, whose node_status takes ~28 ms).
declare -A extra=([ours]="${HBB_OURS_OPTS:-}" [heartbeat3]="${HBB_HEARTBEAT3_OPTS:-}"
                  [corosync]="--scale 8,16,32 ${HBB_COROSYNC_OPTS:-}")
for sys in ours heartbeat3 corosync; do
  echo "== hbbench --system $sys $* ${extra[$sys]}" >&2
  # shellcheck disable=SC2086  # the extra options are words
  build/bin/hbbench --system "$sys" --work "$out/work" --json "$out/$sys.json" "$@" ${extra[$sys]} 2>&1 | tee "$out/$sys.log"
done
build/bin/hbbench report "$out/ours.json" "$out/heartbeat3.json" "$out/corosync.json" >"$out/side-by-side.md"
echo "side by side: $out/side-by-side.md" >&2
[ $quick = 1 ] && exit 0
doc=docs/benchmarks.md
begin='<!-- compare.sh: begin -->'
end='<!-- compare.sh: end -->'
grep -qF "$begin" "$doc" || { echo "$doc has no '$begin' marker" >&2; exit 1; }
{
  sed "/$begin/q" "$doc"
  echo
  echo "Run of $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)):"
  cat "$out/side-by-side.md"
  echo
  sed -n "/$end/,\$p" "$doc"
} >"$doc.new"
mv "$doc.new" "$doc"
echo "written: $doc" >&2
