#!/usr/bin/env bash
# A real floating IP: two nodes of ours and a client in network namespaces on one bridge; the
# haresources group `n1 IPaddr2::VIP/24/eth0` is carried out by Debian's resource-agents (the
# IPaddr2 OCF agent: ip addr add, then gratuitous ARP by send_arp), reached through our own
# mapping of heartbeat's positional arguments (scripts/lib/vip_netns.sh sets it up). The client
# pings the VIP and reads which MAC answered. SIGKILL of the holder: the survivor answers; its
# return (auto_failback on): the first node answers again; while both daemons run and hear each
# other, the VIP is never on both; SIGTERM releases it before leaving.
# With `native`, the same through the daemon's own address path (native_ipaddr on: rtnetlink and
# gratuitous ARP, no agent), which must give the same address line and the same client view.
# Usage: floating_ip.sh BUILD_BIN_DIR [agent|native]. Exit 77 (ctest: skipped) without namespaces
# or IPaddr2.
set -u
vip_bin=${1:?usage: floating_ip.sh BIN_DIR [agent|native]}
mode=${2:-agent}
[ "$mode" = native ] && vip_extra="native_ipaddr on"
vip_tag=$$
vip_root=$(mktemp -d /tmp/hbvip-XXXXXX)
. "$(dirname "$0")/../../scripts/lib/vip_netns.sh"
trap 'vip_cleanup; rm -rf "$vip_root"' EXIT
fail() { echo "FAIL: $*"; for i in 1 2; do echo "--- n$i"; tail -n 40 "$vip_root/n$i.log"; done; exit 1; }
vip_setup || { echo "SKIP: no network namespaces, bridges or IPaddr2 (resource-agents) here"; exit 77; }
"$vip_bin/hbconfig" check -c "$vip_root/n1" -n n1 >/dev/null 2>&1 || fail "hbconfig check of the VIP config"

answers() { [ "$(vip_answered_by)" = "$1" ]; }
neigh_is() { [ "$(vip_neigh_mac)" = "$1" ]; }
rsc_is() { [ "$(vip_rsc "$1")" = "$2" ]; }
wait_for() {
  local n=$(( $1 * 10 )); shift
  for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
# Fails if the VIP is on both nodes at any poll while both daemons run, until both say local with
# the VIP on n1 (bounded).
never_both_until_stable() {
  for _ in $(seq 1 400); do
    if vip_has 1 && vip_has 2; then fail "the VIP is on both nodes while they hear each other"; fi
    rsc_is 1 local && rsc_is 2 local && vip_has 1 && return 0
    sleep 0.05
  done
  fail "no stable state with the VIP on n1 within 20 s (n1: $(vip_rsc 1), n2: $(vip_rsc 2))"
}

vip_start 1
vip_start 2
wait_for 30 rsc_is 1 local || fail "n1 never reported local (now: $(vip_rsc 1))"
wait_for 10 vip_has 1 || fail "the VIP was never added on n1"
vip_has 2 && fail "the VIP is on n2 too"
wait_for 10 answers "$vip_mac1" || fail "the client does not reach the VIP at n1 ($(vip_answered_by))"
# What IPaddr2 makes of IPaddr2::VIP/24/eth0 (and what the native path must make of it too).
line=$(vip_addr_line 1)
[ "$line" = "inet $vip/24 brd $vip_net.255 scope global secondary eth0" ] || fail "address line on n1: '$line'"
if [ "$mode" = native ]; then
  grep -q "native_ipaddr start $vip/24 dev eth0: done" "$vip_root/n1.log" || fail "the native path did not add the address"
else
  grep -q "IPaddr2 start" "$vip_root/n1.log" || grep -q "resource.d/heartbeat/IPaddr2" "$vip_root/n1.log" || fail "the agent was not run"
fi
echo "ok ($mode): n1 holds $vip ($line); the client's ping is answered by n1's MAC"

# SIGKILL of n1's daemon; its "reboot" takes the address with it (a real crash does).
vip_kill 1
wait_for 20 vip_has 2 || fail "n2 never added the VIP"
# Gratuitous ARP: the client's entry (n1's MAC) moves to n2 without the client asking.
wait_for 3 neigh_is "$vip_mac2" || fail "no gratuitous ARP reached the client (its entry: $(vip_neigh_mac))"
wait_for 10 answers "$vip_mac2" || fail "the client is not answered by n2 after the failover ($(vip_answered_by))"
wait_for 10 rsc_is 2 all || fail "n2 should hold all (now: $(vip_rsc 2))"
echo "ok ($mode): after SIGKILL of n1, n2 holds the VIP; gratuitous ARP moved the client's entry; n2 answers"

# n1 returns: auto_failback on moves the VIP back, never on both meanwhile.
vip_start 1
never_both_until_stable
vip_has 2 && fail "n2 kept the VIP after the failback"
wait_for 10 answers "$vip_mac1" || fail "the client is not answered by n1 after the failback ($(vip_answered_by))"
echo "ok: n1 is back and answers again; the VIP was never on both nodes"

# SIGTERM n1: it releases the VIP before leaving; n2 takes it at once.
vip_stop 1
wait_for 20 vip_has 2 || fail "n2 never took the VIP after n1's graceful stop"
vip_has 1 && fail "n1 left without releasing the VIP"
wait_for 10 answers "$vip_mac2" || fail "the client is not answered by n2 after n1's stop"
echo "ok: SIGTERM of n1 releases the VIP there; n2 takes it at once"
echo "floating IP ($mode): PASS"
