#!/usr/bin/env bash
# A mixed cluster: our daemon and Debian's heartbeat 3.0.6 in two network namespaces joined by a
# veth pair. Each must see the other active, see it die within deadtime when killed, and see it
# come back after a restart. Usage: mixed_cluster.sh BUILD_BIN_DIR [sha1|md5|crc] [ucast|bcast]
# Exit 77 (ctest: skipped) where namespaces cannot be made or heartbeat 3.0.6 is not installed.
set -u
bin=${1:?usage: mixed_cluster.sh BIN_DIR [sha1|md5|crc]}
auth=${2:-sha1}
medium=${3:-ucast}
hb=/usr/libexec/heartbeat/heartbeat
if [ ! -x "$hb" ]; then echo "SKIP: Debian's heartbeat 3.0.6 is not installed (apt-get install heartbeat)"; exit 77; fi
. "$(dirname "$0")/two_nodes.sh"
tag=$$
nsa=hbmix-a-$tag nsb=hbmix-b-$tag
root=$(mktemp -d /tmp/hbmix-XXXXXX)
port=$((7700 + tag % 200))
keepalive=200 deadtime=1000
cleanup() {
  [ -f "$root/ours.pid" ] && kill -9 "$(cat "$root/ours.pid")" 2>/dev/null
  [ -f "$root/theirs.launcher" ] && pkill -9 -P "$(cat "$root/theirs.launcher")" 2>/dev/null
  ip netns pids "$nsb" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns pids "$nsa" 2>/dev/null | xargs -r kill -9 2>/dev/null
  sleep 0.2
  ip netns del "$nsa" 2>/dev/null; ip netns del "$nsb" 2>/dev/null
  umount -l "$root"/theirs/* 2>/dev/null
  rm -rf "$root"
}
trap cleanup EXIT
if ! two_nodes_netns "$nsa" "$nsb" 10.79.1; then
  echo "SKIP: cannot create network namespaces here"; exit 77
fi

fail() { echo "FAIL: $*"; echo "--- ours"; cat "$root/ours.log"; echo "--- heartbeat 3.0.6"; tail -n 40 "$root/theirs/lib/../ha-log" 2>/dev/null; exit 1; }
key="1 $auth"; [ "$auth" = crc ] || key="$key mixed-cluster-key"

medium_line() {  # the medium line of the node whose peer is $1
  if [ "$medium" = bcast ]; then echo "bcast veth0"; else echo "ucast veth0 $1"; fi
}
ours_config "$root/ours" "$port" "$keepalive" "$deadtime" 10.79.1.1 "$(medium_line 10.79.1.2)" "$key"
t=$root/theirs
theirs_config "$t" "$port" "$keepalive" "$deadtime" "$(medium_line 10.79.1.1)" "$key"

# Ours serves the API at heartbeat's default path, in a mount namespace of its own, so that
# Debian's cl_status (which knows no other path) can ask it.
start_ours() {
  mkdir -p "$root/ours/run" /run/heartbeat
  ip netns exec "$nsa" unshare -m bash -c "
    mount --bind $root/ours/run /run/heartbeat
    exec $bin/heartbeat -f -c $root/ours/conf -n ours --state-dir $root/ours/state \
      --pidfile $root/ours.pid --socket /run/heartbeat/register" 2>/dev/null &
}
# cl_status_in ours|theirs ARGS...: Debian's cl_status in that node's namespaces.
cl_status_in() {
  local pid
  if [ "$1" = ours ]; then pid=$(cat "$root/ours.pid"); else pid=$(cat "$t/run/heartbeat.pid"); fi
  shift
  nsenter -t "$pid" -m -n cl_status "$@"
}
start_theirs() { theirs_start "$t" "$nsb" "$hb"; }
# wait_log FILE TEXT SECONDS [FROM_LINE]
wait_log() {
  local from=${4:-0}
  for _ in $(seq 1 $(( $3 * 50 ))); do
    tail -n +$((from + 1)) "$1" 2>/dev/null | grep -q "$2" && return 0
    sleep 0.02
  done
  return 1
}
# Our daemon's counters document (its counters request through our cl_status), and a Python
# expression over it (`d`), for waits on what ours knows of theirs instead of fixed sleeps. Group
# haclient, as Debian's setgid cl_status runs: the casual clients heartbeat admits by default.
ours_counters() { setpriv --regid haclient --clear-groups "$bin/cl_status" counters --json --socket "$root/ours/run/register" 2>/dev/null; }
ours_query() { ours_counters | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null; }
wait_ours() {  # wait_ours PYTHON_EXPR SECONDS: bounded wait until it is True
  for _ in $(seq 1 $(( $2 * 20 ))); do [ "$(ours_query "$1")" = True ] && return 0; sleep 0.05; done
  return 1
}
theirs_peer="next(p for p in d['peers'] if p['name']=='theirs')"
# wait_gone NETNS SECONDS: bounded wait until no process is left in that namespace.
wait_gone() {
  for _ in $(seq 1 $(( $2 * 50 ))); do [ -z "$(ip netns pids "$1" 2>/dev/null)" ] && return 0; sleep 0.02; done
  return 1
}
ms_of() { date -d "$(echo "$1" | sed -E 's/.* ([0-9]{4}\/[0-9]{2}\/[0-9]{2})_([0-9:.]+) .*/\1 \2/')" +%s%3N; }

start_theirs
start_ours
wait_log "$root/ours.log" "Status update for node theirs: status active" 30 || fail "we never saw heartbeat 3.0.6 active"
wait_log "$t/ha-log" "Status update for node ours: status active" 30 || fail "heartbeat 3.0.6 never saw us active"
echo "ok: each sees the other active ($auth, $medium)"
[ "$(cl_status_in ours nodestatus theirs)" = active ] || fail "cl_status against ours: theirs not active"
[ "$(cl_status_in theirs nodestatus ours)" = active ] || fail "cl_status against heartbeat 3.0.6: ours not active"
[ "$(cl_status_in ours hblinkstatus theirs veth0)" = up ] || fail "cl_status against ours: link not up"
echo "ok: Debian's cl_status says active on both sides"

# Kill ours: heartbeat 3.0.6 must see it dead within deadtime (it polls: allow it 2 keepalives more).
killed=$(date +%s%3N)
kill -9 "$(cat "$root/ours.pid")"
wait_log "$t/ha-log" "node ours: is dead" 10 || fail "heartbeat 3.0.6 never saw us die"
echo "ok: heartbeat 3.0.6 saw us dead $(( $(date +%s%3N) - killed )) ms after the kill (deadtime $deadtime ms; polled)"

# Restart ours: back to active on both sides.
lines=$(wc -l <"$t/ha-log")
start_ours
wait_log "$t/ha-log" "Status update for node ours: status active" 30 "$lines" || fail "heartbeat 3.0.6 never saw us back"
wait_log "$root/ours.log" "Status update for node theirs: status active" 30 || fail "we never saw heartbeat 3.0.6 after our restart"
echo "ok: after our restart each sees the other active again"

# SIGTERM ours: it leaves gracefully.
lines=$(wc -l <"$t/ha-log")
stopped=$(date +%s%3N)
kill -TERM "$(cat "$root/ours.pid")"
wait_log "$t/ha-log" "Status update for node ours: status dead" 10 "$lines" || fail "heartbeat 3.0.6 never saw us leave"
left=$(( $(date +%s%3N) - stopped ))
echo "ok: heartbeat 3.0.6 saw us leave $left ms after SIGTERM"
[ "$left" -le 500 ] || fail "our graceful stop took $left ms to be seen"
start_ours
wait_log "$t/ha-log" "Status update for node ours: status active" 30 "$lines" || fail "heartbeat 3.0.6 never saw us back"

# SIGTERM theirs: it sends shutdone, and we mark it dead at once. First our restarted daemon must
# have it active (a SIGTERM in 3.0.6's own start-up is not the graceful leave under test).
wait_ours "$theirs_peer['status']=='active'" 30 || fail "our restarted daemon never had heartbeat 3.0.6 active: $(ours_counters)"
lines=$(wc -l <"$root/ours.log")
stopped=$(date +%s%3N)
ip netns pids "$nsb" | xargs -r kill -TERM
wait_log "$root/ours.log" "node theirs: is dead" 10 "$lines" || fail "we never saw heartbeat 3.0.6 leave"
echo "ok: we saw heartbeat 3.0.6 leave $(( $(date +%s%3N) - stopped )) ms after its SIGTERM (it releases resources first)"
# It releases its resources and exits; whatever is left after 5 s is killed.
wait_gone "$nsb" 5 || ip netns pids "$nsb" | xargs -r kill -9
wait_gone "$nsb" 5 || fail "heartbeat 3.0.6's processes did not exit"
lines=$(wc -l <"$root/ours.log")
start_theirs
wait_log "$root/ours.log" "Status update for node theirs: status active" 30 "$lines" || fail "we never saw heartbeat 3.0.6 come back"

# Kill theirs: we must see it dead within deadtime. heartbeat 3.0.6 advertises deadtime + 2 s
# (its `dt` field, which we honour) for some seconds after a start or a peer's restart: wait until
# the deadtime we hold for it (our counters request) is back to its configured one.
wait_ours "$theirs_peer['status']=='active' and $theirs_peer['deadtime_ms']==$deadtime" 30 \
  || fail "heartbeat 3.0.6's advertised deadtime never came back to $deadtime ms: $(ours_counters)"
lines=$(wc -l <"$root/ours.log")
killed=$(date +%s%3N)
ip netns pids "$nsb" | xargs -r kill -9
wait_log "$root/ours.log" "node theirs: is dead" 10 "$lines" || fail "we never saw heartbeat 3.0.6 die"
line=$(grep "node theirs: is dead" "$root/ours.log" | tail -n 1)
delay=$(( $(ms_of "$line") - killed ))
echo "ok: we saw heartbeat 3.0.6 dead $delay ms after the kill (deadtime $deadtime ms)"
[ "$delay" -le $((deadtime + 50)) ] || fail "detection took $delay ms"
echo "mixed cluster ($auth, $medium): PASS"
