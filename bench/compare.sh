#!/usr/bin/env bash
# bench/compare.sh [--only-s7] [HBBENCH OPTIONS...]: the hbbench scenarios S1..S6 and S8 against our
# daemon, Debian's heartbeat 3.0.6 and Corosync 3.1.7, then S7 (a floating IP's failover) against ours,
# heartbeat 3.0.6, keepalived and Pacemaker on Corosync, one after the other on this machine; then the
# two side-by-side sections of docs/benchmarks.md (between its "compare.sh" and "compare.sh S7" markers)
# rewritten from the runs. --only-s7: S7 alone (~45 min), and only its section.
# Installs what it needs and builds first. Takes ~1 h 45 min with the defaults; --quick for a smoke run
# (its figures are not worth quoting: it then writes build/bench-results/*/side-by-side*.md only).
# Raw runs (JSON, logs): build/bench-results/<date>/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh
scripts/install-bench-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target heartbeat cl_status hb_standby hbbench hbagent hbagent-hb3 cpgagent
out=build/bench-results/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$out"
quick=0 only_s7=0 args=()
for a in "$@"; do
  case $a in
    --quick) quick=1; args+=("$a") ;;
    --only-s7) only_s7=1 ;;
    *) args+=("$a") ;;
  esac
done
set -- "${args[@]}"
# Corosync 3.1.7 does not form a 64-node ring on 2 cores (the largest seen: 8 members; "main process
# was not scheduled for 27062 ms"), so its S6 stops at 32, as the anchors did.
# HBB_OURS_OPTS, HBB_HEARTBEAT3_OPTS, HBB_COROSYNC_OPTS: more options for one system's run (e.g. fewer
# API calls for heartbeat 3.0.6, whose node_status takes ~28 ms).
declare -A extra=([ours]="${HBB_OURS_OPTS:-}" [heartbeat3]="${HBB_HEARTBEAT3_OPTS:-}"
                  [corosync]="--scale 8,16,32 ${HBB_COROSYNC_OPTS:-}")
# rewrite_section BEGIN_MARKER END_MARKER FILE: docs/benchmarks.md's section between the markers, from FILE.
rewrite_section() {
  local doc=docs/benchmarks.md
  grep -qF "$1" "$doc" || { echo "$doc has no '$1' marker" >&2; exit 1; }
  {
    sed "/$1/q" "$doc"
    echo
    echo "Run of $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)):"
    cat "$3"
    echo
    sed -n "/$2/,\$p" "$doc"
  } >"$doc.new"
  mv "$doc.new" "$doc"
  echo "written: $doc ($1)" >&2
}
if [ $only_s7 = 0 ]; then
  for sys in ours heartbeat3 corosync; do
    echo "== hbbench --system $sys $* ${extra[$sys]}" >&2
    # shellcheck disable=SC2086  # the extra options are words
    build/bin/hbbench --system "$sys" --work "$out/work" --json "$out/$sys.json" "$@" ${extra[$sys]} 2>&1 | tee "$out/$sys.log"
  done
  build/bin/hbbench report "$out/ours.json" "$out/heartbeat3.json" "$out/corosync.json" >"$out/side-by-side.md"
  echo "side by side: $out/side-by-side.md" >&2
fi
# S7: each system at its fastest setting that holds (hbbench's defaults; HBB_S7_OPTS adds options to all four).
for sys in ours heartbeat3 keepalived pacemaker; do
  echo "== hbbench --system $sys --scenarios S7 $* ${HBB_S7_OPTS:-}" >&2
  # shellcheck disable=SC2086
  build/bin/hbbench --system "$sys" --scenarios S7 --work "$out/work" --json "$out/s7-$sys.json" "$@" ${HBB_S7_OPTS:-} 2>&1 |
    tee "$out/s7-$sys.log"
done
build/bin/hbbench report "$out"/s7-{ours,heartbeat3,keepalived,pacemaker}.json >"$out/side-by-side-s7.md"
echo "side by side (S7): $out/side-by-side-s7.md" >&2
[ $quick = 1 ] && exit 0
[ $only_s7 = 0 ] && rewrite_section '<!-- compare.sh: begin -->' '<!-- compare.sh: end -->' "$out/side-by-side.md"
rewrite_section '<!-- compare.sh S7: begin -->' '<!-- compare.sh S7: end -->' "$out/side-by-side-s7.md"
