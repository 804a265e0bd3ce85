#!/usr/bin/env bash
# S7 driver for Debian's heartbeat 3.0.6 with its own resource manager: the contract is
# bench/systems/README.md ("S7 drivers"); the network and boxes are lib.sh's (netns hbs7h-*, 10.87.1.0/24).
#
# haresources `n1 IPaddr2::VIP/24/eth0`, auto_failback on (the VIP returns to n1 when it is back),
# keepalive KEEPALIVE_MS, deadtime and warntime DEADTIME_MS, initdead max(2 x DEADTIME_MS, 2000),
# bcast eth0, sha1. heartbeat runs stock (resource management on: ResourceManager, IPaddr2, send_arp
# forked as 3.0.6 does). It only knows its default paths, so each box binds WORK/nI/etc over /etc/ha.d,
# WORK/nI/lib over /var/lib/heartbeat and WORK/nI/run over /run. A failed stop makes 3.0.6's
# ResourceManager run `pkill -9 heartbeat` and `/sbin/reboot -nf`: in the boxes pgrep (pkill is a link to
# it) and systemctl (reboot is a link to it) are a stub that only writes to WORK/nI/BLOCKED.
# switch = hb_standby on the holder (3.0.6's script, through its own API socket in the box).
set -u
P=hbs7h NET=10.87.1
BINDS="etc:/etc/ha.d lib:/var/lib/heartbeat stub:/usr/bin/pgrep stub:/usr/bin/systemctl run:/run"
HB=/usr/libexec/heartbeat/heartbeat
. "$(dirname "$0")/lib.sh"

cmd_version() { echo "heartbeat $("$HB" -V 2>/dev/null | awk 'NR == 1 { print $1 }')"; }

write_conf() {  # WORK I KA DT
  local r=$1/n$2 id=$((2 * $4))
  ((id < 2000)) && id=2000
  mkdir -p "$r/etc" "$r/lib"
  cp -a /etc/ha.d/. "$r/etc/"
  cp -a /var/lib/heartbeat/. "$r/lib/" 2>/dev/null
  rm -f "$r/lib/hb_uuid" "$r/lib/hostcache" "$r/lib/delhostcache" "$r/lib/hb_generation" "$r/lib/fifo"
  printf 'keepalive %sms\ndeadtime %sms\nwarntime %sms\ninitdead %sms\nudpport 7961\nbcast eth0\n' "$3" "$4" "$4" "$id" >"$r/etc/ha.cf"
  printf 'auto_failback on\nlogfacility none\nlogfile %s/ha-log\ndebug 0\npacemaker off\nnode n1\nnode n2\n' "$r" >>"$r/etc/ha.cf"
  echo "n1 IPaddr2::$VIP/24/eth0" >"$r/etc/haresources"
  printf 'auth 1\n1 sha1 hbbench-s7\n' >"$r/etc/authkeys"
  chmod 600 "$r/etc/authkeys"
  printf '#!/bin/sh\necho "$(date +%%s.%%3N) BLOCKED $0 $*" >> %s/BLOCKED\nexit 1\n' "$r" >"$r/stub"
  chmod 755 "$r/stub"
}
start_node() {  # WORK I: heartbeat daemonizes; returns once its pidfile names a live master
  local r=$1/n$2 k
  mkdir -p "$r/run/heartbeat/ccm" "$r/run/heartbeat/crm" "$r/run/heartbeat/rsctmp" "$r/run/resource-agents" "$r/run/lock"
  chown -R hacluster:haclient "$r/run/heartbeat"
  chmod 750 "$r/run/heartbeat"
  rm -f "$r/run/heartbeat.pid" "$r/lib/fifo"
  bx "$1" "$2" "$HB" </dev/null >>"$r/stdout" 2>&1
  for k in $(seq 1 300); do
    daemon_alive "$1" "$2" && { mark_started "$1" "$2"; return 0; }
    sleep 0.01
  done
  die "heartbeat n$2 did not start (see $r/ha-log)"
}
daemon_alive() {  # the master named in the node's pidfile is heartbeat
  local p
  p=$(tr -dc 0-9 <"$1/n$2/run/heartbeat.pid" 2>/dev/null) && [ -n "$p" ] && [ "$(readlink "/proc/$p/exe")" = "$HB" ]
}
rsc() { bx "$1" "$2" cl_status rscstatus 2>/dev/null; }

cmd_up() {  # WORK KEEPALIVE_MS DEADTIME_MS
  # 3.0.6 advertises deadtime + 2 s for its first 5 s after a start: a holder counts as settled after 6 s.
  heartbeat_up "$1" "$2" "$3" 6000 "keepalive $2 ms / deadtime $3 ms, haresources IPaddr2"
}
cmd_holder() { heartbeat_holder "$1"; }
cmd_pids() { node_pids "$1" "$2"; }
cmd_reboot() { box_reboot "$1" "$2" && start_node "$1" "$2"; }
cmd_switch() { mark_t0; bx "$1" "$2" /usr/share/heartbeat/hb_standby all >/dev/null 2>&1; }
cmd_after_switch() { :; }
cmd_events() { cat "$1"/n[12]/ha-log 2>/dev/null | grep -c ": is dead\|node .* status dead"; }
cmd_down() { net_down; }

dispatch "$@"
