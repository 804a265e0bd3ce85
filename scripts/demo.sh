#!/usr/bin/env bash
# `make demo`: the message layer's tools and the simulator, then a 3-node cluster on 127.0.0.1-3
# (examples/loopback): membership forms, a node is killed and seen dead, clients on the two others
# make a message round trip, and the cluster stops gracefully.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$build/bin"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
now_ms() { date +%s%3N; }
# Waits up to 10 s for a line in a node's log.
wait_line() {
  for _ in $(seq 1 1000); do
    grep -q "$2" "$work/$1.log" 2>/dev/null && return 0
    sleep 0.01
  done
  echo "timed out waiting for '$2' in $1's log" >&2
  return 1
}

step "configuration of n1 (examples/loopback/n1/ha.cf), checked"
"$top/examples/loopback/prepare.sh" "$work/conf"
grep -v '^#' "$work/conf/n1/ha.cf"
"$bin/hbconfig" check -c "$work/conf/n1" -n n1

step "the message layer: a status message signed with hmac-sha256, checked, and a real heartbeat 3.0.6 packet checked"
"$bin/hbmsg" sign --key 1:hmac-sha256:demo-secret t=status st=active src=n1 seq=1 >"$work/pkt"
cat -v "$work/pkt"; echo
"$bin/hbmsg" check --key 1:hmac-sha256:demo-secret "$work/pkt" | head -n 1
"$bin/hbmsg" check --key 1:sha1:anchor-key "$top/tests/data/captures/udp-packet-1.bin" | head -n 1

step "the same protocol core in the simulator: 5 nodes, 30% loss, a crash and a restart"
"$bin/hbsim" --nodes 5 --seed 1 --duration 12 --keepalive 100 --deadtime 500 --loss 0.3 --jitter 20 \
  --msgs-per-sec 100 --crash 5@4 --restart 5@7 --no-timing | grep -v '^  '

step "start n1, n2, n3 (each binds its own 127.0.0.x)"
for n in n1 n2 n3; do
  mkdir -p "$work/state-$n"
  "$bin/heartbeat" -f -c "$work/conf/$n" -n "$n" --state-dir "$work/state-$n" \
    --pidfile "$work/$n.pid" --socket "$work/$n.sock" 2>"$work/$n.log" &
  pids+=($!)
done
for n in n1 n2 n3; do
  for m in n1 n2 n3; do
    [ "$n" = "$m" ] || wait_line "$n" "Status update for node $m: status active"
  done
done
echo "membership, as n1 logged it:"
cat "$work/n1.log"

step "clients: membership through the client API, as n1's clients see it"
if [ -x "$bin/cl_status" ]; then
  HA_API_SOCKET=$work/n1.sock "$bin/cl_status" listnodes -v || true
fi

step "kill -9 n3: n1 and n2 see it dead (deadtime 500 ms, keepalive 100 ms)"
killed=$(now_ms)
{ kill -9 "${pids[2]}"; wait "${pids[2]}"; } 2>/dev/null || true  # reaped quietly: no "Killed" line
wait_line n1 "node n3: is dead"
wait_line n2 "node n3: is dead"
grep -h "n3" "$work/n1.log" "$work/n2.log" | grep -E "dead"
echo "detected by n1 $(( $(date -d "$(grep 'node n3: is dead' "$work/n1.log" | sed -E 's/.*: ([0-9/]+)_([0-9:.]+) .*/\1 \2/')" +%s%3N) - killed )) ms after the kill"

step "a message round trip between clients on two nodes: hb_ping (C) on n1, hb_echo (C++) on n2"
HA_API_SOCKET=$work/n2.sock "$bin/hb_echo" 30 >"$work/echo.log" 2>&1 &
pids+=($!)
wait_line echo "signed on to n2"
HA_API_SOCKET=$work/n1.sock "$bin/hb_ping" n2 5
kill -TERM "${pids[3]}" 2>/dev/null || true

step "SIGTERM n2: it leaves gracefully, n1 sees it at once"
kill -TERM "${pids[1]}"
wait_line n1 "node n2: is dead"
grep -E "n2: leaving|counters" "$work/n2.log"
grep "node n2: is dead" "$work/n1.log"

step "stop n1"
kill -TERM "${pids[0]}"
wait "${pids[0]}" || true
tail -n 2 "$work/n1.log"

echo
echo "demo done"
