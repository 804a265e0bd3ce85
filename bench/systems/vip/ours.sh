#!/usr/bin/env bash
# S7 driver for our daemon: the contract is bench/systems/README.md ("S7 drivers"); the network and
# boxes are lib.sh's (netns hbs7o-*, 10.87.0.0/24). Binaries: $HBB_BIN (default: build/bin of this
# checkout).
#
# haresources `n1 IPaddr2::VIP/24/eth0`, auto_failback on, keepalive KEEPALIVE_MS, deadtime
# DEADTIME_MS, warntime halfway between, initdead 2 x DEADTIME_MS, ucast eth0 to the peer, sha1.
# HBB_S7_MODE=native (the default: `native_ipaddr on`, the address added over rtnetlink and ARP sent by
# the daemon) or agent (resource-agents' IPaddr2 forked). The box binds WORK/nI/ra over
# /run/resource-agents (the agent's state) and WORK/nI/hb over /run/heartbeat, where the daemon's API
# socket is (heartbeat's path, so hb_standby and cl_status find it as they would on a real node).
# switch = our hb_standby on the holder (through the daemon's FIFO, as 3.0.6's does).
set -u
P=hbs7o NET=10.87.0
BINDS="ra:/run/resource-agents hb:/run/heartbeat"
. "$(dirname "$0")/lib.sh"
bin=${HBB_BIN:-$(cd "$(dirname "$0")/../../.." && pwd)/build/bin}
mode=${HBB_S7_MODE:-native}

cmd_version() { echo "ours $("$bin/heartbeat" -V 2>/dev/null | head -1)"; }

write_conf() {  # WORK I KA DT
  local r=$1/n$2
  mkdir -p "$r/conf" "$r/state"
  {
    echo "node n1 n2"
    echo "udpport 7962"
    echo "keepalive ${3}ms"
    echo "deadtime ${4}ms"
    echo "warntime $((($3 + $4) / 2))ms"
    echo "initdead $((2 * $4))ms"
    echo "ucast eth0 $NET.$((3 - $2))"
    echo "auto_failback on"
    echo "logfacility none"
    echo "logfile $r/ha-log"
    echo "apiauth anon uid=root"
    [ "$mode" = native ] && echo "native_ipaddr on"
  } >"$r/conf/ha.cf"
  printf 'auth 1\n1 sha1 hbbench-s7\n' >"$r/conf/authkeys"
  chmod 600 "$r/conf/authkeys"
  echo "n1 IPaddr2::$VIP/24/eth0" >"$r/conf/haresources"
}
daemon_alive() { local p; p=$(cat "$1/n$2/pid" 2>/dev/null) && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = heartbeat ]; }
start_node() {  # WORK I: returns once the daemon answers on its API socket
  local r=$1/n$2 k
  (box_exec "$1" "$2" "$bin/heartbeat" -f -c "$r/conf" -n "n$2" --state-dir "$r/state" \
    --pidfile "$r/heartbeat.pid" --socket /run/heartbeat/register) </dev/null >>"$r/stdout" 2>&1 &
  echo $! >"$r/pid"
  for k in $(seq 1 300); do
    [ -S "$r/hb/register" ] && daemon_alive "$1" "$2" && { mark_started "$1" "$2"; return 0; }
    sleep 0.01
  done
  die "our daemon n$2 did not start (see $r/ha-log)"
}
rsc() { HA_API_SOCKET=$1/n$2/hb/register "$bin/cl_status" rscstatus 2>/dev/null; }

cmd_up() {  # WORK KEEPALIVE_MS DEADTIME_MS
  [ -x "$bin/heartbeat" ] || die "no daemon at $bin (build first)"
  mkdir -p /run/resource-agents /run/heartbeat
  # We advertise the configured deadtime from the start: no window after a start.
  heartbeat_up "$1" "$2" "$3" 0 "keepalive $2 ms / deadtime $3 ms, $mode IPaddr2"
}
cmd_holder() { heartbeat_holder "$1"; }
cmd_pids() { node_pids "$1" "$2"; }
cmd_reboot() { box_reboot "$1" "$2" && rm -f "$1/n$2/hb/register" && start_node "$1" "$2"; }
cmd_switch() { mark_t0; "$bin/hb_standby" --fifo "$1/n$2/state/fifo" all >/dev/null; }
cmd_after_switch() { :; }
cmd_events() { cat "$1"/n[12]/ha-log 2>/dev/null | grep -c ": is dead"; }
cmd_down() { net_down; }

dispatch "$@"
