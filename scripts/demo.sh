#!/usr/bin/env bash
# `make demo`: the message layer's tools and the simulator, then a 3-node cluster on 127.0.0.1-3
# (examples/loopback): membership forms, a node is killed and seen dead, clients on the two others
# make a message round trip, and the cluster stops gracefully; then a 2-node cluster on
# 127.0.0.11-12 with a resource group (examples/resources): held by r1, moved to r2 when r1 is
# killed, back when r1 returns, released at shutdown; as root, a floating IP (IPaddr2) in network
# namespaces that a client pings, moved the same way (scripts/lib/vip_netns.sh).
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

# ----- resources: a 2-node cluster r1, r2 with one resource group (examples/resources) -----------
step "resources: r1 and r2 (127.0.0.11-12), haresources 'r1 demo-service::web', auto_failback on"
for i in 1 2; do
  r=r$i; c=$work/conf/$r
  mkdir -p "$c/resource.d" "$work/state-$r"
  cp "$top/examples/resources/resource.d/demo-service" "$c/resource.d/"
  cat >"$c/ha.cf" <<CF
node r1 r2
bind 127.0.0.1$i
udpport 7695
keepalive 100ms
deadtime 500ms
warntime 300ms
initdead 1000ms
ucast lo 127.0.0.1$((3 - i))
auto_failback on
logfacility none
env DEMO_SERVICE_DIR=$work
apiauth anon uid=root
CF
  cp "$work/conf/n1/authkeys" "$c/authkeys"
  echo "r1 demo-service::web" >"$c/haresources"
done
grep -v '^#' "$work/conf/r1/haresources"
rpids=()
start_r() {
  "$bin/heartbeat" -f -c "$work/conf/$1" -n "$1" --state-dir "$work/state-$1" \
    --pidfile "$work/$1.pid" --socket "$work/$1.sock" 2>"$work/$1.log" &
  pids+=($!); rpids[${1#r}]=$!
}
rsc() { HA_API_SOCKET=$work/$1.sock "$bin/cl_status" rscstatus 2>/dev/null || echo "(no answer)"; }
# Waits up to 30 s until node $1 holds $2 (both nodes start together: heartbeat waits 10 s first).
wait_rsc() {
  for _ in $(seq 1 300); do [ "$(rsc "$1")" = "$2" ] && return 0; sleep 0.1; done
  echo "timed out waiting for $1 to hold '$2' (it says $(rsc "$1"))" >&2
  return 1
}
show() { for r in r1 r2; do echo "  cl_status rscstatus on $r: $(rsc $r)"; done; ls "$work"/web.*.pid 2>/dev/null | sed -E 's/.*web\.(r[12])\.pid/  the web service runs on \1/'; }
start_r r1
start_r r2
wait_rsc r1 local && wait_rsc r2 local
show
grep -h "demo-service\|Acquiring\|acquisition" "$work/r1.log" | sed 's/^/  r1: /'

step "kill -9 r1 (and its service, as a crash would): r2 takes the group"
{ kill -9 "${rpids[1]}"; wait "${rpids[1]}"; } 2>/dev/null || true
kill "$(cat "$work/web.r1.pid")" 2>/dev/null; rm -f "$work/web.r1.pid"
wait_rsc r2 all
show
grep -h "is dead\|Acquiring\|demo-service\|takeover" "$work/r2.log" | sed 's/^/  r2: /'

step "r1 comes back: auto_failback gives it its group again"
start_r r1
wait_rsc r1 local && wait_rsc r2 local
show

step "stop r1 and r2: each releases what it holds before leaving"
kill -TERM "${rpids[1]}"; wait "${rpids[1]}" || true
wait_rsc r2 all
show
kill -TERM "${rpids[2]}"; wait "${rpids[2]}" || true
grep -h "Releasing\|released\|leaving" "$work/r1.log" "$work/r2.log" | sed 's/^/  /'
ls "$work"/web.*.pid >/dev/null 2>&1 && echo "a web service is still running!" && exit 1
echo "  no web service left running"

# ----- a floating IP in network namespaces (root only): IPaddr2 from resource-agents ------------
vip_bin=$bin vip_tag=$$ vip_root=$work/vip
mkdir -p "$vip_root"
. "$top/scripts/lib/vip_netns.sh"
if [ "$(id -u)" = 0 ] && vip_setup 2>/dev/null; then
  trap 'vip_cleanup; cleanup' EXIT
  step "a floating IP: n1 and n2 in network namespaces, a client pinging $vip; haresources 'n1 IPaddr2::$vip/24/eth0'"
  vip_wait() {  # vip_wait WHAT CMD...: up to 30 s
    local what=$1; shift
    for _ in $(seq 1 300); do "$@" && return 0; sleep 0.1; done
    echo "timed out waiting for $what" >&2; return 1
  }
  vip_show() {
    echo "  cl_status rscstatus on n1: $(vip_rsc 1 || echo '(no answer)'), on n2: $(vip_rsc 2 || echo '(no answer)')"
    local mac; mac=$(vip_answered_by)
    case "$mac" in
      "$vip_mac1") echo "  the client's ping of $vip is answered by n1 ($mac)" ;;
      "$vip_mac2") echo "  the client's ping of $vip is answered by n2 ($mac)" ;;
      *) echo "  the client's ping of $vip is not answered" ;;
    esac
  }
  answered_by_mac() { [ "$(vip_answered_by)" = "$1" ]; }
  rsc_of() { [ "$(vip_rsc "$1")" = "$2" ]; }
  vip_start 1; vip_start 2
  vip_wait "n1 to hold the VIP" vip_has 1 && vip_wait "n1 to answer" answered_by_mac "$vip_mac1"
  vip_show
  step "kill -9 n1: n2 adds the address and sends gratuitous ARP (IPaddr2)"
  vip_kill 1
  vip_wait "n2 to answer" answered_by_mac "$vip_mac2" && vip_wait "n2 to hold all" rsc_of 2 all
  vip_show
  step "n1 comes back: auto_failback moves the address home"
  vip_start 1
  vip_wait "n1 to answer again" answered_by_mac "$vip_mac1" && vip_wait "n2 to be local" rsc_of 2 local
  vip_show
  vip_stop 1; vip_stop 2
else
  step "a floating IP in network namespaces: skipped (needs root, network namespaces and resource-agents' IPaddr2)"
fi

echo
echo "demo done"
