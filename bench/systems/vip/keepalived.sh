#!/usr/bin/env bash
# S7 driver for keepalived (VRRP), Debian 12's 2.2.7: the contract is bench/systems/README.md ("S7
# drivers"); the network and boxes are lib.sh's (netns hbs7k-*, 10.87.3.0/24).
#
# Setting: KEEPALIVE_MS is VRRP's advert_int (10 -> 0.01 s, its minimum); DEADTIME_MS is not used:
# VRRP's master-down interval is fixed at 3 x advert_int + skew (skew = (256 - priority) / 256 x
# advert_int). Unicast (unicast_src_ip / unicast_peer), VRRPv3 below 1 s (VRRPv2 has whole seconds only),
# n1 MASTER priority 150, n2 BACKUP priority 100, preempt (the default: the VIP returns to n1), no
# authentication, garp defaults (5 gratuitous ARPs on becoming master). Each node runs
# `keepalived -n -l -D -G -P` in its box (VRRP only, no fork, log to its stdout = WORK/nI/keepalived.log),
# at ordinary priority as Debian's unit starts it.
# switch = SIGTERM to the holder's keepalived (what `systemctl stop keepalived` sends: it stops its VRRP
# child, which sends a priority-0 advert and removes the VIP); after-switch starts it again.
set -u
P=hbs7k NET=10.87.3
BINDS="etc:/etc/keepalived run:/run"
. "$(dirname "$0")/lib.sh"

cmd_version() { keepalived --version 2>&1 | awk 'NR == 1 { print $1, $2 }'; }

write_conf() {  # WORK I ADVERT_S
  local i=$2 peer=$((3 - $2)) state=MASTER prio=150
  [ "$i" = 2 ] && state=BACKUP prio=100
  mkdir -p "$1/n$i/etc"
  {
    printf 'global_defs {\n    router_id n%s\n' "$i"
    awk -v a="$3" 'BEGIN { exit !(a < 1) }' && printf '    vrrp_version 3\n'
    printf '}\nvrrp_instance s7 {\n    state %s\n    interface eth0\n    virtual_router_id 73\n' "$state"
    printf '    priority %s\n    advert_int %s\n' "$prio" "$3"
    printf '    unicast_src_ip %s.%s\n    unicast_peer {\n        %s.%s\n    }\n' "$NET" "$i" "$NET" "$peer"
    printf '    virtual_ipaddress {\n        %s/24 dev eth0\n    }\n}\n' "$VIP"
  } >"$1/n$i/etc/keepalived.conf"
}

ka_pid() { cat "$1/n$2/ka.pid" 2>/dev/null; }
ka_alive() { local p; p=$(ka_pid "$1" "$2") && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = keepalived ]; }
start_node() {  # WORK I: returns once the VRRP child runs
  local work=$1 i=$2 k
  mkdir -p "$work/n$i/run/keepalived"
  rm -f "$work/n$i/run/keepalived/"*.pid
  (box_exec "$work" "$i" keepalived -n -l -D -G -P -f /etc/keepalived/keepalived.conf \
    -p /run/keepalived/keepalived.pid -r /run/keepalived/vrrp.pid) </dev/null >>"$work/n$i/keepalived.log" 2>&1 &
  echo $! >"$work/n$i/ka.pid"
  for k in $(seq 1 200); do
    ka_alive "$work" "$i" && [ -s "$work/n$i/run/keepalived/vrrp.pid" ] && return 0
    sleep 0.01
  done
  die "keepalived n$i did not start (see $work/n$i/keepalived.log)"
}

cmd_up() {  # WORK KEEPALIVE_MS DEADTIME_MS
  local work=$1 adv k
  adv=$(awk -v a="${2:?advert_int ms}" 'BEGIN { printf "%g", a / 1000 }')
  mkdir -p "$work"
  net_up "$work" || die "cannot set up the namespaces"
  box_up "$work" 1 && box_up "$work" 2
  write_conf "$work" 1 "$adv" && write_conf "$work" 2 "$adv"
  start_node "$work" 2 && start_node "$work" 1
  for k in $(seq 1 500); do
    [ "$(cmd_holder "$work")" = 1 ] && { print_facts "$work" "advert_int ${adv} s, unicast, VRRPv3"; return 0; }
    sleep 0.02
  done
  die "n1 never held the VIP alone"
}
# Settled: both running and the VIP on n1 alone (n2 holds it only on its way back to n1: preempt).
cmd_holder() { ka_alive "$1" 1 && ka_alive "$1" 2 && [ "$(address_holder)" = 1 ] && echo 1; }
cmd_pids() { node_pids "$1" "$2"; }
cmd_reboot() { box_reboot "$1" "$2" && start_node "$1" "$2"; }
cmd_switch() { mark_t0; kill -TERM "$(ka_pid "$1" "$2")"; }
cmd_after_switch() {
  local k
  for k in $(seq 1 500); do [ -z "$(node_pids "$1" "$2")" ] && break; sleep 0.01; done
  start_node "$1" "$2"
}
# Role changes so far, both nodes (a soak with nothing killed must add none).
cmd_events() { cat "$1"/n[12]/keepalived.log 2>/dev/null | grep -c "Entering MASTER STATE\|Entering BACKUP STATE\|Entering FAULT STATE"; }
cmd_down() { net_down; }

dispatch "$@"
