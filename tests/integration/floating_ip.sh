#!/usr/bin/env bash
# A real floating IP: two nodes of ours and a client in network namespaces on one bridge; the
# haresources group `n1 IPaddr2::VIP/24/eth0` is carried out by Debian's resource-agents (the
# IPaddr2 OCF agent: ip addr add, then gratuitous ARP by send_arp), reached through our own
# mapping of heartbeat's positional arguments. The client pings the VIP and reads which MAC
# answered. SIGKILL of the holder: the survivor answers; its return (auto_failback on): the first
# node answers again; while both daemons run and hear each other, the VIP is never on both.
# Usage: floating_ip.sh BUILD_BIN_DIR. Exit 77 (ctest: skipped) without namespaces or IPaddr2.
set -u
bin=${1:?usage: floating_ip.sh BIN_DIR}
agent=/usr/lib/ocf/resource.d/heartbeat/IPaddr2
[ -x "$agent" ] || { echo "SKIP: resource-agents is not installed ($agent)"; exit 77; }
tag=$$
br=hbvip-br-$tag n1=hbvip-1-$tag n2=hbvip-2-$tag cl=hbvip-c-$tag
root=$(mktemp -d /tmp/hbvip-XXXXXX)
port=$((7600 + tag % 90))
net=10.81.$((tag % 200))
vip=$net.100
cleanup() {
  for ns in "$n1" "$n2" "$cl" "$br"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null; done
  sleep 0.2
  for ns in "$n1" "$n2" "$cl" "$br"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$root"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for i in 1 2; do echo "--- n$i"; tail -n 40 "$root/n$i.log"; done; exit 1; }

# The bridge lives in its own namespace; each node and the client get a veth into it.
ip netns add "$br" 2>/dev/null || { echo "SKIP: cannot create network namespaces here"; exit 77; }
ip -n "$br" link add br0 type bridge && ip -n "$br" link set br0 up || { echo "SKIP: no bridges here"; exit 77; }
addr_1=$net.1 addr_2=$net.2 addr_c=$net.50
for pair in "$n1:$addr_1" "$n2:$addr_2" "$cl:$addr_c"; do
  ns=${pair%%:*} a=${pair#*:}
  ip netns add "$ns"
  ip link add eth0 netns "$ns" type veth peer name "p${a##*.}" netns "$br"
  ip -n "$br" link set "p${a##*.}" master br0 up
  ip -n "$ns" addr add "$a/24" dev eth0
  ip -n "$ns" link set lo up; ip -n "$ns" link set eth0 up
done
mac_of() { ip -n "$1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
mac_1=$(mac_of "$n1") mac_2=$(mac_of "$n2")

for i in 1 2; do
  c=$root/n$i
  mkdir -p "$c" "$root/state$i" "$root/run$i"
  peer=$net.$((3 - i))
  cat >"$c/ha.cf" <<CF
node n1 n2
udpport $port
keepalive 100ms
deadtime 500ms
warntime 300ms
initdead 1000ms
ucast eth0 $peer
auto_failback on
logfacility none
logfile $root/n$i.log
apiauth anon uid=root
CF
  printf 'auth 1\n1 sha1 floating-ip-test\n' >"$c/authkeys"; chmod 600 "$c/authkeys"
  echo "n1 IPaddr2::$vip/24/eth0" >"$c/haresources"
done
"$bin/hbconfig" check -c "$root/n1" -n n1 >/dev/null 2>&1 || fail "hbconfig check of the VIP config"

# Each node in its netns, and a mount namespace with its own /run/resource-agents (IPaddr2's state).
start() {
  local ns; ns=$([ "$1" = 1 ] && echo "$n1" || echo "$n2")
  mkdir -p "$root/ra$1" /run/resource-agents
  # In a subshell: not this shell's job, so its SIGKILL below is not reported as one.
  (ip netns exec "$ns" unshare -m bash -c "
    mount --bind $root/ra$1 /run/resource-agents
    exec $bin/heartbeat -f -c $root/n$1 -n n$1 --state-dir $root/state$1 --pidfile $root/n$1.pid \
      --socket $root/run$1/sock" 2>/dev/null &)
}
rsc() { HA_API_SOCKET=$root/run$1/sock "$bin/cl_status" rscstatus 2>/dev/null; }
has_vip() { ip -n "$1" -o addr show dev eth0 | grep -q " $vip/"; }
# Who answers: one echo from the client, then the MAC its neighbour table holds for the VIP.
answered_by() {
  ip netns exec "$cl" ping -c 1 -W 1 "$vip" >/dev/null 2>&1 || return 1
  ip -n "$cl" neigh show "$vip" | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2
}
answers() { [ "$(answered_by)" = "$1" ]; }
wait_for() {
  local n=$(( $1 * 10 )); shift
  for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
rsc_is() { [ "$(rsc "$1")" = "$2" ]; }
# Fails if the VIP is on both nodes at any poll while both daemons run, until `rsc_is 1 local`
# and `rsc_is 2 local` both hold (bounded).
never_both_until_stable() {
  for _ in $(seq 1 400); do
    if has_vip "$n1" && has_vip "$n2"; then fail "the VIP is on both nodes while they hear each other"; fi
    rsc_is 1 local && rsc_is 2 local && has_vip "$n1" && return 0
    sleep 0.05
  done
  fail "no stable state with the VIP on n1 within 20 s (n1: $(rsc 1), n2: $(rsc 2))"
}

start 1
start 2
wait_for 30 rsc_is 1 local || fail "n1 never reported local (now: $(rsc 1))"
wait_for 10 has_vip "$n1" || fail "the VIP was never added on n1"
has_vip "$n2" && fail "the VIP is on n2 too"
wait_for 10 answers "$mac_1" || fail "the client does not reach the VIP at n1 ($(answered_by))"
echo "ok: n1 holds $vip (IPaddr2 through resource-agents); the client's ping is answered by n1's MAC"

# SIGKILL of n1's daemon; its "reboot" takes the address with it (a real crash does).
kill -9 "$(cat "$root/n1.pid")"
ip -n "$n1" addr del "$vip/24" dev eth0 2>/dev/null
wait_for 20 has_vip "$n2" || fail "n2 never added the VIP"
wait_for 10 answers "$mac_2" || fail "the client is not answered by n2 after the failover ($(answered_by))"
wait_for 10 rsc_is 2 all || fail "n2 should hold all (now: $(rsc 2))"
echo "ok: after SIGKILL of n1, n2 holds the VIP and answers the client (gratuitous ARP moved it)"

# n1 returns: auto_failback on moves the VIP back, never on both meanwhile.
start 1
never_both_until_stable
has_vip "$n2" && fail "n2 kept the VIP after the failback"
wait_for 10 answers "$mac_1" || fail "the client is not answered by n1 after the failback ($(answered_by))"
echo "ok: n1 is back and answers again; the VIP was never on both nodes"

# SIGTERM n1: it releases the VIP before leaving; n2 takes it at once.
kill -TERM "$(cat "$root/n1.pid")"
wait_for 20 has_vip "$n2" || fail "n2 never took the VIP after n1's graceful stop"
has_vip "$n1" && fail "n1 left without releasing the VIP"
wait_for 10 answers "$mac_2" || fail "the client is not answered by n2 after n1's stop"
echo "ok: SIGTERM of n1 releases the VIP there; n2 takes it at once"
echo "floating IP: PASS"
