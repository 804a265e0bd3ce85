#!/usr/bin/env bash
# S7, ours only for now: a floating IP moved by our daemons in network namespaces, timed from the
# client's side (bench/s7_probe.py: an echo request to the VIP every 10 ms, each reply's Ethernet
# source MAC read off the wire).
#  - failover: from just before SIGSTOP then SIGKILL of n1's daemon (its "machine" dies: the address
#    goes with it) to the first reply from n2's MAC; n1 is started again and the VIP returns
#    (auto_failback on) before the next trial;
#  - switchover: from `hb_standby` on the holder to the first reply from the other node's MAC, both
#    ways.
#  - with S7_SOAK_S=N: then N seconds with both nodes up under full CPU load (two busy loops per
#    core at ordinary priority): every death either node reports, and every time the VIP is seen on
#    n2, is a false failover.
# Usage: bench/s7_failover.sh [native|agent] [KEEPALIVE_MS] [DEADTIME_MS] [TRIALS]
# (defaults: native 100 500 10). Prints one line per trial and min / median / p99 / max.
# Needs root and a build (build/bin); uses the namespaces of scripts/lib/vip_netns.sh.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-native} vip_keepalive=${2:-100} vip_deadtime=${3:-500} trials=${4:-10}
vip_bin=$top/build/bin
[ "$mode" = native ] && vip_extra="native_ipaddr on"
vip_tag=$$
vip_root=$(mktemp -d /tmp/hbs7-XXXXXX)
. "$top/scripts/lib/vip_netns.sh"
probe_pid=
load_pids=()
trap '[ -n "$probe_pid" ] && kill "$probe_pid" 2>/dev/null; for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null; done
      vip_cleanup; rm -rf "$vip_root"' EXIT
die() { echo "s7: $*" >&2; exit 1; }
vip_setup || die "cannot set up the namespaces (root, IPaddr2 needed)"
wait_for() {
  local n=$(( $1 * 100 )); shift
  for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.01; done
  return 1
}
rsc_is() { [ "$(vip_rsc "$1")" = "$2" ]; }
stable_on_n1() { rsc_is 1 local && rsc_is 2 local && vip_has 1 && ! vip_has 2; }
# After standbys the split is all/none rather than local/local: any settled state with the VIP on n1.
n1_holds() { { rsc_is 1 local || rsc_is 1 all; } && { rsc_is 2 local || rsc_is 2 none; } && vip_has 1 && ! vip_has 2; }
# The first reply from MAC after T0 (ns), as milliseconds after T0; fails if none within 10 s.
first_reply_after() {
  local t0=$1 mac=$2 line
  for _ in $(seq 1 1000); do
    line=$(awk -v t0="$t0" -v mac="$mac" '$1 > t0 && $2 == mac { printf "%.1f\n", ($1 - t0) / 1e6; exit }' "$vip_root/probe.log")
    [ -n "$line" ] && { echo "$line"; return 0; }
    sleep 0.01
  done
  return 1
}
summary() {  # summary NAME VALUES...
  local name=$1; shift
  printf '%s\n' "$@" | sort -n | awk -v name="$name" '{ v[NR] = $1 } END {
    r = 0.99 * NR; p99 = v[int(r) + (r > int(r))]; med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%s (n=%d): min %.1f / median %.1f / p99 %.1f / max %.1f ms\n", name, NR, v[1], med, p99, v[NR] }'
}

vip_start 1; vip_start 2
wait_for 30 stable_on_n1 || die "no stable start (n1: $(vip_rsc 1), n2: $(vip_rsc 2))"
ip netns exec "$vip_cl" python3 "$top/bench/s7_probe.py" "$vip" eth0 >"$vip_root/probe.log" 2>"$vip_root/probe.err" &
probe_pid=$!
wait_for 5 grep -q " $vip_mac1" "$vip_root/probe.log" || die "the probe sees no reply from n1"
echo "S7 ours ($mode), keepalive ${vip_keepalive} ms, deadtime ${vip_deadtime} ms, $trials trials"

failovers=()
for t in $(seq 1 "$trials"); do
  wait_for 30 stable_on_n1 || die "trial $t: n1 does not hold the VIP alone (n1: $(vip_rsc 1), n2: $(vip_rsc 2))"
  sleep "0.$(( RANDOM % 10 ))"  # a random phase against the heartbeat schedule
  pid=$(cat "$vip_root/n1.pid")
  t0=$(date +%s%N)
  kill -STOP "$pid"; kill -KILL "$pid"
  ip -n "$vip_ns1" addr del "$vip/24" dev eth0 2>/dev/null
  ms=$(first_reply_after "$t0" "$vip_mac2") || die "trial $t: n2 never answered"
  echo "failover $t: $ms ms"
  failovers+=("$ms")
  vip_start 1
done

switchovers=()
# switch_over T FROM TO MAC: hb_standby on node FROM, timed to the first reply from MAC (node TO's).
switch_over() {
  sleep 0.5
  local t0 ms
  t0=$(date +%s%N)
  "$vip_bin/hb_standby" --fifo "$vip_root/state$2/fifo" all >/dev/null
  ms=$(first_reply_after "$t0" "$4") || die "switchover $1: n$3 never answered"
  echo "switchover $1 (n$2 -> n$3): $ms ms"
  switchovers+=("$ms")
}
for t in $(seq 1 "$trials"); do
  wait_for 30 n1_holds || die "switchover $t: n1 does not hold the VIP alone (n1: $(vip_rsc 1), n2: $(vip_rsc 2))"
  switch_over "$t" 1 2 "$vip_mac2"
  wait_for 30 rsc_is 2 all || die "switchover $t: n2 does not hold all"
  switch_over "$t" 2 1 "$vip_mac1"
done
summary "failover after SIGKILL" "${failovers[@]}"
summary "switchover (hb_standby)" "${switchovers[@]}"

soak=${S7_SOAK_S:-0}
if [ "$soak" -gt 0 ]; then
  wait_for 30 n1_holds || die "soak: n1 does not hold the VIP alone"
  deaths_before=$(cat "$vip_root/n1.log" "$vip_root/n2.log" | grep -c ": is dead")
  for _ in $(seq 1 $(( 2 * $(nproc) ))); do sh -c 'while :; do :; done' & load_pids+=($!); done
  moved=0
  for _ in $(seq 1 $(( soak * 10 ))); do
    vip_has 2 && moved=$((moved + 1))
    sleep 0.1
  done
  for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null; done
  load_pids=()
  deaths=$(( $(cat "$vip_root/n1.log" "$vip_root/n2.log" | grep -c ": is dead") - deaths_before ))
  echo "soak: ${soak} s under full CPU load: $deaths false deaths, the VIP seen on n2 in $moved polls of $(( soak * 10 ))"
fi
