#!/usr/bin/env bash
# respawn and failfast children on a 3-node loopback cluster, with real processes:
#  - n1 runs four respawn children: `steady` as nobody (its uid checked), `second` as root, `quick`
#    that exits at once, `done100` that exits with 100;
#  - steady SIGKILLed is started again (a new pid, restarts 1); quick is given up after 10 quick
#    deaths in a row (11 runs); done100 is not respawned;
#  - SIGTERM to n1 stops the children last first: second before steady;
#  - n2 runs a failfast child; SIGKILLed, it takes n2 out of the cluster: n2 leaves (n1 sees it
#    dead) and exits with status 3.
# Waits are on the counters request (cl_status children --json) and on pids, bounded.
# Usage: respawn.sh BIN_DIR. Exit 77 (skipped) without python3 or setpriv.
set -u
bin=${1:?usage: respawn.sh BIN_DIR}
command -v python3 >/dev/null || { echo "SKIP: python3 is needed (JSON checks)"; exit 77; }
[ -x /usr/bin/setpriv ] || { echo "SKIP: util-linux's setpriv is needed"; exit 77; }
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hbrespawn-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do { kill -9 "$p"; wait "$p"; } 2>/dev/null; done
  # Children left by a failed run: each in a process group of its own, found by their marker.
  pkill -9 -f "$work/kids/" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
die() { echo "FAIL: $*"; for i in 1 2; do echo "--- n$i"; tail -n 40 "$work/n$i.log"; done; exit 1; }

chmod 711 "$work"
mkdir -p "$work/kids" "$work/out" && chmod 755 "$work/kids" && chmod 777 "$work/out"
: >"$work/out/order" && chmod 666 "$work/out/order"  # written by root's children and nobody's
# A child that records its pid and uid, and its SIGTERM in the order file; it runs until stopped.
long_child() {
  cat >"$work/kids/$1" <<SH
#!/bin/sh
echo "\$\$ \$(id -u)" >>$work/out/$1.runs
trap 'echo $1 >>$work/out/order; exit 0' TERM
for i in \$(seq 1 600); do sleep 1 & wait \$!; done
SH
}
long_child steady
long_child second
long_child guard
printf '#!/bin/sh\necho run >>%s/out/quick.runs\nexit 1\n' "$work" >"$work/kids/quick"
printf '#!/bin/sh\necho run >>%s/out/done100.runs\nexit 100\n' "$work" >"$work/kids/done100"
chmod 755 "$work"/kids/*

"$top/examples/loopback/prepare.sh" "$work/conf"
sed -i "s/^udpport .*/udpport 17560/" "$work"/conf/n*/ha.cf
for i in 1 2 3; do : >"$work/conf/n$i/haresources"; done
cat >>"$work/conf/n1/ha.cf" <<CF
respawn nobody $work/kids/steady
respawn root $work/kids/second
respawn root $work/kids/quick
respawn root $work/kids/done100
CF
echo "failfast root $work/kids/guard" >>"$work/conf/n2/ha.cf"
"$bin/hbconfig" check -c "$work/conf/n1" -n n1 >/dev/null 2>&1 || die "hbconfig rejects n1's respawn lines"
for i in 1 2 3; do
  "$bin/heartbeat" -f -c "$work/conf/n$i" -n n$i --state-dir "$work/state$i" --pidfile "$work/n$i.pid" \
    --socket "$work/n$i.sock" 2>"$work/n$i.log" &
  pids+=($!)
  eval "n${i}_pid=\$!"
done

# A Python expression over node N's children array `c` (cl_status children --json).
query() {
  "$bin/cl_status" children --json --socket "$work/n$1.sock" 2>/dev/null |
    python3 -c "import json,sys; c=json.load(sys.stdin)['children']; print($2)" 2>/dev/null
}
wait_for() {  # wait_for NODE EXPR SECONDS: bounded wait until it is True
  for _ in $(seq 1 $(( $3 * 20 ))); do [ "$(query "$1" "$2")" = True ] && return 0; sleep 0.05; done
  return 1
}

wait_for 1 "c[0]['state']=='running' and c[1]['state']=='running' and c[0]['pid']>0" 20 ||
  die "n1's children never ran: $(query 1 c)"
steady=$(query 1 "c[0]['pid']")
uid=$(awk '/^Uid:/ {print $2}' "/proc/$steady/status" 2>/dev/null)
[ "$uid" = "$(id -u nobody)" ] || fail "steady runs as uid ${uid:-none}, not nobody's"
echo "ok: the children started at comm up; steady (pid $steady) runs as nobody"

kill -9 "$steady"
wait_for 1 "c[0]['state']=='running' and c[0]['pid'] not in (0, $steady) and c[0]['restarts']==1" 10 ||
  fail "steady was not respawned after SIGKILL: $(query 1 'c[0]')"
grep -q "died (signal 9): respawning" "$work/n1.log" || fail "n1 did not log steady's death"
echo "ok: steady SIGKILLed was started again (pid $(query 1 "c[0]['pid']"))"

wait_for 1 "c[2]['state']=='given-up' and c[2]['starts']==11" 30 || fail "quick was not given up: $(query 1 'c[2]')"
[ "$(wc -l <"$work/out/quick.runs")" = 11 ] || fail "quick ran $(wc -l <"$work/out/quick.runs") times, not 11"
grep -q "respawning too fast" "$work/n1.log" || fail "n1 did not log that quick respawns too fast"
wait_for 1 "c[3]['state']=='finished' and c[3]['starts']==1" 5 || fail "done100 was respawned: $(query 1 'c[3]')"
echo "ok: quick given up after 11 runs, done100 (exit 100) not respawned"
"$bin/cl_status" children --socket "$work/n1.sock" | grep -q "quick: given-up, pid 0, restarts 10" ||
  fail "cl_status children does not show quick given up: $("$bin/cl_status" children --socket "$work/n1.sock")"

# failfast on n2: its guard killed, n2 leaves at once and exits with 3.
wait_for 2 "c[0]['state']=='running' and c[0]['pid']>0" 10 || die "n2's failfast child never ran"
kill -9 "$(query 2 "c[0]['pid']")"
for _ in $(seq 1 250); do kill -0 "$n2_pid" 2>/dev/null || break; sleep 0.02; done
kill -0 "$n2_pid" 2>/dev/null && fail "n2 did not leave after its failfast child died"
wait "$n2_pid"; rc=$?
[ "$rc" = 3 ] || fail "n2 exited with $rc after its failfast child died, not 3"
grep -q "failfast child .* this node leaves the cluster now" "$work/n2.log" || fail "n2 did not log why it left"
[ "$("$bin/cl_status" nodestatus n2 --socket "$work/n1.sock")" = dead ] || fail "n1 does not see n2 dead"
echo "ok: n2's failfast child SIGKILLed: n2 left the cluster, exit status 3"

# SIGTERM n1: second (the later line) is stopped before steady.
kill -TERM "$n1_pid"
for _ in $(seq 1 500); do kill -0 "$n1_pid" 2>/dev/null || break; sleep 0.02; done
kill -0 "$n1_pid" 2>/dev/null && fail "n1 did not stop on SIGTERM"
wait "$n1_pid"; rc=$?
[ "$rc" = 0 ] || fail "n1 exited with $rc after SIGTERM"
[ "$(tr '\n' ' ' <"$work/out/order")" = "second steady " ] ||
  fail "children stopped in the order '$(tr '\n' ' ' <"$work/out/order")', not 'second steady'"
echo "ok: SIGTERM stopped second, then steady, then n1 left"

[ "$fails" = 0 ] || die "$fails check(s) failed"
echo "respawn and failfast: PASS"
