#!/usr/bin/env bash
# Two of our daemons joined by two media (two veth pairs in network namespaces): taking one link
# down makes that link dead while the node stays active; bringing it back makes it up again.
# With LLC_WATCH (tests/integration/llc_watch.c, a C client of libhbclient), a client on b must
# see the link's death and return through its ifstatus callback while the node stays active.
# Usage: two_links.sh BIN_DIR [ucast|mcast|ucast6|mcast6] [LLC_WATCH]. Exit 77 (skipped) where
# namespaces cannot be made.
set -u
bin=${1:?usage: two_links.sh BIN_DIR [ucast|mcast|ucast6|mcast6]}
kind=${2:-ucast}
watch=${3:-}
tag=$$
nsa=hb2l-a-$tag nsb=hb2l-b-$tag
root=$(mktemp -d /tmp/hb2l-XXXXXX)
port=$((7900 + tag % 90))
cleanup() {
  ip netns pids "$nsa" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns pids "$nsb" 2>/dev/null | xargs -r kill -9 2>/dev/null
  sleep 0.1
  ip netns del "$nsa" 2>/dev/null; ip netns del "$nsb" 2>/dev/null
  rm -rf "$root"
}
trap cleanup EXIT
if ! ip netns add "$nsa" 2>/dev/null || ! ip netns add "$nsb"; then
  echo "SKIP: cannot create network namespaces here"; exit 77
fi
# Keep IPv6 addresses when a link goes down (Linux drops them by default), as for IPv4.
for n in "$nsa" "$nsb"; do
  ip netns exec "$n" sysctl -qw net.ipv6.conf.all.keep_addr_on_down=1 net.ipv6.conf.default.keep_addr_on_down=1
done
for l in 0 1; do
  ip link add veth$l netns "$nsa" type veth peer name veth$l netns "$nsb"
  ip -n "$nsa" addr add 10.80.$l.1/24 dev veth$l
  ip -n "$nsb" addr add 10.80.$l.2/24 dev veth$l
  ip -n "$nsa" -6 addr add fd80:$l::1/64 dev veth$l nodad
  ip -n "$nsb" -6 addr add fd80:$l::2/64 dev veth$l nodad
  ip -n "$nsa" link set veth$l up; ip -n "$nsb" link set veth$l up
done
ip -n "$nsa" link set lo up; ip -n "$nsb" link set lo up

medium_lines() {  # the two media lines for the node whose peer ends in $1
  for l in 0 1; do
    case $kind in
      ucast) echo "ucast veth$l 10.80.$l.$1" ;;
      ucast6) echo "ucast6 veth$l fd80:$l::$1" ;;
      mcast) echo "mcast veth$l 239.80.$l.1 $port 1 0" ;;
      mcast6) echo "mcast6 veth$l ff12::80:$l $port 1 0" ;;
    esac
  done
}
fail() { echo "FAIL: $*"; for n in a b; do echo "--- $n"; cat "$root/$n.log"; done; exit 1; }
start() {  # start NAME NETNS PEER_LAST_OCTET
  mkdir -p "$root/$1/conf" "$root/$1/state"
  cat >"$root/$1/conf/ha.cf" <<CF
node a b
udpport $port
keepalive 100ms
deadtime 500ms
warntime 300ms
initdead 1000ms
$(medium_lines "$3")
logfacility none
logfile $root/$1.log
apiauth watch uid=root
apiauth anon uid=root
CF
  printf 'auth 1\n1 hmac-sha256 two-links-key\n' >"$root/$1/conf/authkeys"; chmod 600 "$root/$1/conf/authkeys"
  : >"$root/$1/conf/haresources"
  ip netns exec "$2" "$bin/heartbeat" -f -c "$root/$1/conf" -n "$1" --state-dir "$root/$1/state" \
    --pidfile "$root/$1.pid" --socket "$root/$1.sock" 2>/dev/null &
}
wait_log() {  # wait_log FILE TEXT SECONDS
  for _ in $(seq 1 $(( $3 * 50 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.02; done
  return 1
}

start a "$nsa" 2
start b "$nsb" 1
wait_log "$root/b.log" "Status update for node a: status active" 10 || fail "b never saw a active"
wait_log "$root/b.log" "Link a:veth0 up." 5 || fail "link veth0 never up"
wait_log "$root/b.log" "Link a:veth1 up." 5 || fail "link veth1 never up"
echo "ok: two links up, a active"
if [ -n "$watch" ]; then
  HA_API_SOCKET=$root/b.sock ip netns exec "$nsb" "$watch" watch 30 >"$root/watch.out" 2>&1 &
  wait_log "$root/watch.out" "signed on to b" 5 || fail "llc_watch did not sign on: $(cat "$root/watch.out")"
fi

ip -n "$nsa" link set veth1 down
wait_log "$root/b.log" "Link a:veth1 dead." 5 || fail "link veth1 never seen dead"
# Heartbeats of a that b authenticated (its counters request).
heard() {
  "$bin/cl_status" counters --json --socket "$root/b.sock" 2>/dev/null |
    python3 -c 'import json,sys; print(next(p["heartbeats"] for p in json.load(sys.stdin)["peers"] if p["name"]=="a"))' 2>/dev/null
}
# Twice the dead time of heartbeats over the one link left (10 at 100 ms against 500 ms):
# long enough for a death, had the remaining link not been enough.
from=$(heard)
for _ in $(seq 1 250); do [ "$(heard)" -ge $((${from:-0} + 10)) ] 2>/dev/null && break; sleep 0.02; done
[ "$(heard)" -ge $((${from:-0} + 10)) ] 2>/dev/null || fail "b stopped hearing a's heartbeats on veth0 (from ${from:-none} to $(heard))"
grep -q "node a: is dead" "$root/b.log" && fail "a was declared dead with one link left"
echo "ok: one link down: that link dead, the node still active"
if [ -n "$watch" ]; then
  wait_log "$root/watch.out" "ifstatus a veth1 dead" 5 || fail "no ifstatus callback for the dead link: $(cat "$root/watch.out")"
  grep -q "nstatus a dead" "$root/watch.out" && fail "a node status callback said a is dead"
  echo "ok: the client's ifstatus callback saw veth1 dead, no nstatus dead"
fi

# Counted before the link comes up: its first heartbeat can arrive before a later grep starts.
lines=$(grep -c "Link a:veth1 up." "$root/b.log")
ip -n "$nsa" link set veth1 up
for _ in $(seq 1 250); do [ "$(grep -c "Link a:veth1 up." "$root/b.log")" -gt "$lines" ] && break; sleep 0.02; done
[ "$(grep -c "Link a:veth1 up." "$root/b.log")" -gt "$lines" ] || fail "link veth1 never came back"
echo "ok: the link came back up"
if [ -n "$watch" ]; then
  wait_log "$root/watch.out" "ifstatus a veth1 up" 5 || fail "no ifstatus callback for the link's return: $(cat "$root/watch.out")"
  echo "ok: the client's ifstatus callback saw veth1 up again"
fi
echo "two links ($kind): PASS"
