#!/usr/bin/env bash
# Debian's own ipfail (heartbeat 3.0.6's, started by `respawn hacluster .../ipfail`) on our
# daemons: the floating IP pair of floating_ip.sh, with the client's namespace as the router both
# nodes ping (`ping`, deadping 500ms). A blackhole route on n1 to the router: n1's ping node dies,
# the two ipfails compare counts, n1 gives its group up and n2 takes the VIP (the client is
# answered by n2's MAC). The route removed: the ping node returns and, auto_failback on, the VIP
# goes back to n1. Before that, echo replies that are not ours reach n1 (a real ping's, a forged
# one with our identifier and a garbage payload) and are dropped and counted.
# Usage: ipfail.sh BUILD_BIN_DIR. Exit 77 (skipped) without namespaces, IPaddr2 or ipfail.
set -u
vip_bin=${1:?usage: ipfail.sh BIN_DIR}
ipfail=/usr/libexec/heartbeat/ipfail
[ -x "$ipfail" ] || { echo "SKIP: no $ipfail (Debian's heartbeat package)"; exit 77; }
id hacluster >/dev/null 2>&1 || { echo "SKIP: no hacluster user"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed (JSON checks, a forged reply)"; exit 77; }
vip_tag=$$
vip_root=$(mktemp -d /tmp/hbipfail-XXXXXX)
. "$(dirname "$0")/../../scripts/lib/vip_netns.sh"
trap 'vip_cleanup; rm -rf "$vip_root"' EXIT
fail() { echo "FAIL: $*"; for i in 1 2; do echo "--- n$i"; tail -n 60 "$vip_root/n$i.log"; done; exit 1; }
vip_setup || { echo "SKIP: no network namespaces, bridges or IPaddr2 (resource-agents) here"; exit 77; }
router=$vip_net.50
for i in 1 2; do
  printf 'ping %s\ndeadping 500ms\nrespawn hacluster %s\n' "$router" "$ipfail" >>"$vip_root/n$i/ha.cf"
done
"$vip_bin/hbconfig" check -c "$vip_root/n1" -n n1 >/dev/null 2>&1 || fail "hbconfig check of the ipfail config"

rsc_is() { [ "$(vip_rsc "$1")" = "$2" ]; }
ping_node_is() { [ "$(vip_cl_status "$1" nodestatus "$router")" = "$2" ]; }
ipfail_online() { [ "$(vip_cl_status "$1" clientstatus "n$1" ipfail)" = online ]; }
answers() { [ "$(vip_answered_by)" = "$1" ]; }
counter() {  # counter NODE NAME: one of the core's counters (cl_status counters --json)
  vip_cl_status "$1" counters --json | python3 -c "import json,sys; print(json.load(sys.stdin)['counters']['$2'])"
}
wait_for() {
  local n=$(( $1 * 10 )); shift
  for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}

vip_start 1
vip_start 2
wait_for 30 rsc_is 1 local || fail "n1 never reported local (now: $(vip_rsc 1))"
wait_for 10 rsc_is 2 local || fail "n2 never reported local (now: $(vip_rsc 2))"
for i in 1 2; do
  wait_for 10 ping_node_is $i ping || fail "n$i: the ping node $router is not 'ping' ($(vip_cl_status $i nodestatus "$router"))"
  wait_for 20 ipfail_online $i || fail "n$i: ipfail never signed on"
  [ "$(vip_cl_status $i nodetype "$router")" = ping ] || fail "n$i: nodetype of $router is not ping"
done
wait_for 10 vip_has 1 || fail "the VIP was never added on n1"
wait_for 10 answers "$vip_mac1" || fail "the client does not reach the VIP at n1"
echo "ok: both nodes see the router $router as a ping node; both ipfails signed on; n1 holds the VIP"

# Echo replies that are not ours: a real ping from n1's namespace (another identifier), then one
# forged by the router with our identifier and a payload that is no signed message of ours.
before=$(counter 1 dropped_stray_ping)
ip netns exec "$vip_ns1" ping -c 2 -i 0.2 -W 1 "$router" >/dev/null 2>&1 || fail "n1 cannot ping the router"
ident=$(( $(cat "$vip_root/n1.pid") & 0xffff ))
ip netns exec "$vip_cl" python3 - "$vip_net.1" "$ident" <<'PY' || fail "cannot forge an echo reply"
import socket, struct, sys
def checksum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
payload = b"###\n10:(0)t=NS_st,not signed at all"
head = struct.pack("!BBHHH", 0, 0, 0, int(sys.argv[2]), 1)
packet = struct.pack("!BBHHH", 0, 0, checksum(head + payload), int(sys.argv[2]), 1) + payload
socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).sendto(packet, (sys.argv[1], 0))
PY
stray_counted() { [ "$(counter 1 dropped_stray_ping)" -ge $((before + 3)) ]; }
wait_for 5 stray_counted || fail "stray echo replies not counted (before $before, now $(counter 1 dropped_stray_ping))"
ping_node_is 1 ping || fail "a stray reply changed the ping node's status"
echo "ok: echo replies not ours (a real ping's, a forged one) dropped and counted ($before -> $(counter 1 dropped_stray_ping))"

# n1 loses its route to the router: ipfail moves the group to n2.
ip -n "$vip_ns1" route add blackhole "$router/32"
wait_for 10 ping_node_is 1 dead || fail "n1 never saw the ping node dead"
ping_node_is 2 ping || fail "n2 lost the ping node too"
wait_for 20 rsc_is 2 all || fail "n2 never took all (n1: $(vip_rsc 1), n2: $(vip_rsc 2))"
wait_for 10 rsc_is 1 none || fail "n1 should hold none (now: $(vip_rsc 1))"
wait_for 10 vip_has 2 || fail "n2 never added the VIP"
vip_has 1 && fail "n1 kept the VIP after giving its group up"
wait_for 10 answers "$vip_mac2" || fail "the client is not answered by n2 ($(vip_answered_by))"
echo "ok: blackhole route on n1 to the router: its ping node dead, ipfail gave the VIP to n2, which answers"

# The route comes back: the ping node returns on n1 and (auto_failback on) the VIP goes home.
ip -n "$vip_ns1" route del blackhole "$router/32"
wait_for 10 ping_node_is 1 ping || fail "n1 never saw the ping node again"
wait_for 20 rsc_is 1 local || fail "n1 never got its group back (n1: $(vip_rsc 1), n2: $(vip_rsc 2))"
wait_for 10 rsc_is 2 local || fail "n2 should hold local again (now: $(vip_rsc 2))"
wait_for 10 vip_has 1 || fail "the VIP never came back to n1"
vip_has 2 && fail "n2 kept the VIP after the failback"
wait_for 10 answers "$vip_mac1" || fail "the client is not answered by n1 after the failback"
echo "ok: route restored: the ping node is back on n1 and the VIP returned to n1 (auto_failback on)"
echo "ipfail: PASS"
