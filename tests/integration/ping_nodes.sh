#!/usr/bin/env bash
# Ping nodes on a real daemon, alone in a network namespace of its own: `ping 127.0.0.1` (IPv4),
# `ping ::1` (IPv6, which heartbeat 3.0.6 cannot do), `ping_group grp 127.0.0.2 192.0.2.1` (up while
# one member answers) and `ping 192.0.2.9`, which nobody answers (no route: every send fails).
# The answering ones turn `ping` at once; comm up waits for the silent one until initdead, which
# declares it dead first; the API shows node type `ping`, one link named like the node, and the
# counters count probes and replies.
# Usage: ping_nodes.sh BIN_DIR. Exit 77 (skipped) without network namespaces or python3.
set -u
bin=${1:?usage: ping_nodes.sh BIN_DIR}
command -v python3 >/dev/null || { echo "SKIP: python3 is needed (JSON checks)"; exit 77; }
work=$(mktemp -d /tmp/hbping-XXXXXX)
ns=hbping-$$
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns" 2>/dev/null || { echo "SKIP: no network namespaces here"; exit 77; }
ip -n "$ns" link set lo up
fail() { echo "FAIL: $*"; tail -n 40 "$work/n1.log"; exit 1; }
mkdir -p "$work/c" "$work/state" "$work/run"
cat >"$work/c/ha.cf" <<CF
node n1
udpport 17592
keepalive 100ms
deadtime 500ms
initdead 4000ms
deadping 500ms
ucast lo 127.0.0.1
ping 127.0.0.1 ::1
ping_group grp 127.0.0.2 192.0.2.1
ping 192.0.2.9
logfacility none
logfile $work/n1.log
apiauth anon uid=root
CF
printf 'auth 1\n1 sha1 ping-nodes\n' >"$work/c/authkeys"; chmod 600 "$work/c/authkeys"
: >"$work/c/haresources"
ip netns exec "$ns" "$bin/heartbeat" -f -c "$work/c" -n n1 --state-dir "$work/state" --pidfile "$work/pid" \
  --socket "$work/run/sock" 2>/dev/null &
pid=$!
cls() { HA_API_SOCKET=$work/run/sock "$bin/cl_status" "$@" 2>/dev/null; }
report() {  # report PYTHON-EXPR over the counters document d
  cls counters --json | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null
}
status_of() { report "{p['name']: p['status'] for p in d['ping_nodes']}.get('$1')"; }
answering_up() { [ "$(status_of 127.0.0.1)" = ping ] && [ "$(status_of ::1)" = ping ] && [ "$(status_of grp)" = ping ]; }
wait_for() {
  local n=$(( $1 * 10 )); shift
  for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
wait_for 10 answering_up || fail "the answering ping nodes are not 'ping': $(report "d['ping_nodes']")"
# Nothing has spoken for 192.0.2.9 yet: comm up waits for it (the node says up, not active).
[ "$(status_of 192.0.2.9)" = init ] || fail "192.0.2.9 should be unsettled before initdead ($(status_of 192.0.2.9))"
[ "$(report "d['status']")" = up ] || fail "comm came up before the silent ping node was settled ($(report "d['status']"))"
echo "ok: 127.0.0.1, ::1 and the group answer at once; comm up waits for 192.0.2.9"

active() { [ "$(report "d['status']")" = active ]; }
wait_for 10 active || fail "comm never came up"
[ "$(status_of 192.0.2.9)" = dead ] || fail "192.0.2.9 should be dead at initdead"
dead_line=$(grep -n "node 192.0.2.9: is dead" "$work/n1.log" | head -1 | cut -d: -f1)
up_line=$(grep -n "Comm_now_up" "$work/n1.log" | head -1 | cut -d: -f1)
[ -n "$dead_line" ] && [ -n "$up_line" ] && [ "$dead_line" -lt "$up_line" ] || fail "the silent ping node was not declared dead before comm up"
grep -q "write failure on ping 192.0.2.9" "$work/n1.log" || fail "the failing sends to 192.0.2.9 were not logged"
[ "$(grep -c "write failure on ping 192.0.2.9" "$work/n1.log")" = 1 ] || fail "a failing ping is logged once, not at every heartbeat"
echo "ok: at initdead 192.0.2.9 is dead, then comm comes up; its failing sends were logged once"

# What clients see (our cl_status through the API; Debian's walks the same requests).
[ "$(cls nodetype ::1)" = ping ] || fail "nodetype ::1"
[ "$(cls nodetype n1)" = normal ] || fail "nodetype n1"
[ "$(cls nodestatus grp)" = ping ] || fail "nodestatus grp"
[ "$(cls listhblinks grp | tr -d '[:space:]')" = grp ] || fail "a ping node's one link is named like it: $(cls listhblinks grp)"
[ "$(cls hblinkstatus ::1 ::1)" = up ] || fail "hblinkstatus ::1 ::1"
[ "$(cls hblinkstatus 192.0.2.9 192.0.2.9)" = dead ] || fail "hblinkstatus 192.0.2.9"
cls listnodes | grep -qx "192.0.2.9" || fail "listnodes lacks the ping nodes: $(cls listnodes)"
replies_counted() { [ "$(report "d['counters']['ping_replies']")" -ge 20 ]; }
wait_for 10 replies_counted || fail "ping replies not counted: $(report "d['counters']")"
[ "$(report "d['counters']['ping_probes_sent'] > d['counters']['ping_replies']")" = True ] || fail "probes to 192.0.2.9 and 192.0.2.1 were not counted"
echo "ok: node type ping, one link named like the node, probes and replies counted"
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[ "$rc" = 0 ] || fail "SIGTERM: exit status $rc"
echo "ping nodes: PASS"
