#!/usr/bin/env bash
# The API socket under a local flood, and the live counters. A 3-node loopback cluster; on n1:
#  - 300 connections by uid nobody that never sign on and reopen whenever closed: cl_status (root)
#    answers every time, and the counters show the evictions;
#  - 300 connections held by root, cl_status's own uid, that never sign on: the oldest give way,
#    cl_status answers, and the idle ones are closed once their sign-on time is over;
#  - `cl_status counters --json`: live figures of each peer and link; n3 SIGKILLed is seen dead
#    there (status, deaths, nodes_died).
# Waits are on the counters request, bounded. Usage: api_socket_flood.sh BIN_DIR API_FLOOD.
# Exit 77 (skipped) without python3.
set -u
bin=${1:?usage: api_socket_flood.sh BIN_DIR API_FLOOD} flood=${2:?usage: api_socket_flood.sh BIN_DIR API_FLOOD}
command -v python3 >/dev/null || { echo "SKIP: python3 is needed (JSON checks)"; exit 77; }
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hbflood-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do { kill -9 "$p"; wait "$p"; } 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$top/examples/loopback/prepare.sh" "$work/conf"
sed -i "s/^udpport .*/udpport 17540/" "$work"/conf/n*/ha.cf
: >"$work/empty" && for i in 1 2 3; do cp "$work/empty" "$work/conf/n$i/haresources"; done
chmod 711 "$work"  # the flood runs as nobody: it reaches the socket (mode 777, as heartbeat's)
for i in 1 2 3; do
  "$bin/heartbeat" -f -c "$work/conf/n$i" -n n$i --state-dir "$work/state$i" --pidfile "$work/n$i.pid" \
    --socket "$work/n$i.sock" 2>"$work/n$i.log" &
  pids+=($!)
done
export HA_API_SOCKET=$work/n1.sock

counters() { "$bin/cl_status" counters --json 2>/dev/null; }
# A Python expression over the counters document `d` (d["api"], d["peers"], ...).
query() { counters | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null; }
# Waits (bounded, on the counters request) until the expression is True.
wait_for() {
  for _ in $(seq 1 100); do
    [ "$(query "$1")" = True ] && return 0
    sleep 0.1
  done
  return 1
}
peer() { echo "next(p for p in d['peers'] if p['name']=='$1')"; }

wait_for "all(p['status']=='active' for p in d['peers'])" || fail "n2 and n3 not active on n1: $(counters)"

# Live figures: each peer heard lately, its heartbeat interval near keepalive, its link up.
doc=$(counters)
echo "$doc" | python3 -c '
import json, sys
d = json.load(sys.stdin)
ok = d["node"] == "n1" and d["status"] == "active" and d["counters"]["heartbeats_sent"] > 0
for p in d["peers"]:
    ok = ok and p["heartbeats"] > 0 and p["last_heard_ms_ago"] is not None and p["last_heard_ms_ago"] < 500
    ok = ok and p["heartbeat_interval_ms"] is not None and p["links"][0]["status"] == "up"
ok = ok and any(c["signed_on"] for c in d["clients"])  # cl_status itself
sys.exit(0 if ok else 1)' || fail "counters --json lacks live figures: $doc"
"$bin/cl_status" counters >"$work/plain" || fail "cl_status counters failed"
grep -q '^counters.heartbeats_sent [1-9]' "$work/plain" && grep -q '^api.signons [1-9]' "$work/plain" ||
  fail "cl_status counters prints no counters: $(head -3 "$work/plain")"

# cl_status as root while a flood by WHO (nobody or root) runs in MODE (reopen or hold): it must
# answer every time.
answers_during_flood() {
  local who=$1 mode=$2 uid=() ok=0
  [ "$who" = nobody ] && uid=("$(id -u nobody)")
  "$flood" "$work/n1.sock" 300 6 "$mode" "${uid[@]}" >"$work/flood.$who" 2>&1 &
  local fpid=$!
  pids+=($fpid)
  for _ in $(seq 1 100); do grep -q ready "$work/flood.$who" && break; sleep 0.05; done
  for _ in $(seq 1 20); do
    "$bin/cl_status" hbstatus >/dev/null 2>"$work/err" && ok=$((ok + 1))
  done
  [ $ok = 20 ] || fail "during a flood by $who, cl_status answered $ok of 20 times ($(cat "$work/err"))"
  echo "flood by $who: cl_status answered $ok of 20"
  wait "$fpid"
  echo "flood by $who: $(tail -n 1 "$work/flood.$who")"
}
answers_during_flood nobody reopen
wait_for "d['api']['evicted_pending'] > 0" || fail "the flood's evictions are not counted: $(query 'd["api"]')"
answers_during_flood root hold
wait_for "d['api']['signon_timeouts'] > 0" || fail "idle connections were not closed: $(query 'd["api"]')"
wait_for "len(d['clients']) == 1" || fail "connections left after the floods: $(query 'd["clients"]')"
echo "api counters after the floods: $(query 'd["api"]')"
# The floods cost the cluster nothing: nobody was called dead meanwhile.
[ "$(query "d['counters']['nodes_died']")" = 0 ] || fail "a node was called dead during the floods: $(query 'd["counters"]')"

# n3 dies: its status and counts change where an operator looks.
kill -9 "${pids[2]}"
wait_for "$(peer n3)['status']=='dead' and $(peer n3)['deaths']==1 and d['counters']['nodes_died']==1" ||
  fail "n3's death is not in the counters: $(query "$(peer n3)")"
[ "$(query "$(peer n2)['status']")" = active ] || fail "n2 is not active after n3's death"

[ $fails = 0 ] || { tail -n 20 "$work/n1.log"; exit 1; }
echo "PASS: cl_status answered through both floods; the counters show them and n3's death"
