# Sourced by the S7 drivers of heartbeat 3.0.6, keepalived and Pacemaker (bench/systems/vip/*.sh):
# the two-node network of the floating IP and each node's "box".
#
# The driver sets P (a namespace prefix of its own), NET (a /24 of its own, "10.8x.0") and BINDS (the
# box's private directories: "NAME:TARGET" pairs, WORK/nI/NAME bind-mounted over TARGET) before
# sourcing. Network: netns $P-br holds bridge br0 (STP off); netns $P-n1, $P-n2 (the nodes) and $P-c (the
# client) each have a veth eth0 on it: $NET.1, $NET.2 and $NET.50 (/24). The VIP is $NET.100/24.
#
# A box is a private mount + UTS namespace inside the node's network namespace (hostname nI, a fresh
# tmpfs on /dev/shm, the BINDS), held open by a `sleep` whose pid is WORK/nI/box.pid. Every daemon and
# tool of the node runs through box_exec (nsenter into the holder; an exec chain, so the pid the caller
# gets is the command's). libqb's abstract sockets are per network namespace and its ring buffers live
# in the box's /dev/shm, so the two nodes' daemons and tools never see each other's IPC. A "reboot"
# replaces the box: what lives in /run and /dev/shm is gone, what lives on disk stays.
VIP=$NET.100
IFACE=eth0

log() { echo "$(basename "$0"): $*" >&2; }
die() { log "$*"; exit 1; }

net_up() {  # WORK: namespaces, bridge, veths, addresses; the MACs into WORK/mac.nI
  local work=$1 n a
  ip netns add "$P-br" 2>/dev/null || die "namespace $P-br exists: another run, or run '$0 down $work'"
  ip -n "$P-br" link set lo up
  ip -n "$P-br" link add br0 type bridge stp_state 0 forward_delay 0 && ip -n "$P-br" link set br0 up || return 1
  for n in n1 n2 c; do
    case $n in n1) a=$NET.1 ;; n2) a=$NET.2 ;; c) a=$NET.50 ;; esac
    ip netns add "$P-$n" || return 1
    ip link add eth0 netns "$P-$n" type veth peer name "p$n" netns "$P-br" || return 1
    ip -n "$P-br" link set "p$n" master br0 up
    ip -n "$P-$n" addr add "$a/24" brd + dev eth0
    ip -n "$P-$n" link set lo up
    ip -n "$P-$n" link set eth0 up
  done
  for n in 1 2; do
    ip -n "$P-n$n" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2 >"$work/mac.n$n"
  done
}

# Every process in the namespaces TERM, then KILL; the namespaces deleted. Never fails.
net_down() {
  local ns left k
  for ns in "$P-n1" "$P-n2" "$P-c" "$P-br"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -TERM 2>/dev/null; done
  for k in $(seq 1 50); do
    left=$(for ns in "$P-n1" "$P-n2" "$P-c" "$P-br"; do ip netns pids "$ns" 2>/dev/null; done)
    [ -z "$left" ] && break
    sleep 0.1
  done
  [ -n "$left" ] && echo "$left" | xargs -r kill -KILL 2>/dev/null
  sleep 0.1
  for ns in "$P-n1" "$P-n2" "$P-c" "$P-br"; do ip netns del "$ns" 2>/dev/null; done
  return 0
}

mac_of() { cat "$1/mac.n$2"; }
vip_on() { ip -n "$P-n$1" -o -4 addr show dev eth0 | grep -q " $VIP/"; }
# The facts hbbench's S7 reads from `up`.
print_facts() {  # WORK SETTING
  printf 'vip %s\nclient %s\niface eth0\nmac1 %s\nmac2 %s\nsetting %s\n' "$VIP" "$P-c" "$(mac_of "$1" 1)" "$(mac_of "$1" 2)" "$2"
}

box_up() {  # WORK I
  local work=$1 i=$2 r=$1/n$2 b binds=""
  for b in $BINDS; do
    [ -e "$r/${b%%:*}" ] || mkdir -p "$r/${b%%:*}"  # a file the driver made is bound as a file
    binds+="mount --bind $r/${b%%:*} ${b#*:} && "
  done
  # shellcheck disable=SC2016  # expanded by the box's shell
  ip netns exec "$P-n$i" unshare --mount --uts --propagation private -- /bin/sh -c "
    hostname n$i && mount -t tmpfs -o size=256m,mode=1777 $P-shm-n$i /dev/shm && $binds
    exec sleep infinity" </dev/null >"$r/box.out" 2>&1 &
  echo $! >"$r/box.pid"
  local k
  for k in $(seq 1 100); do
    [ "$(cat "/proc/$(cat "$r/box.pid")/comm" 2>/dev/null)" = sleep ] && return 0
    sleep 0.02
  done
  die "box n$i did not come up: $(cat "$r/box.out")"
}
box_pid() { cat "$1/n$2/box.pid"; }
box_exec() { local work=$1 i=$2; shift 2; exec nsenter -t "$(box_pid "$work" "$i")" -n -m -u -- "$@"; }
bx() { (box_exec "$@"); }
# A reboot's loss: the VIP address, the box (so /run, /dev/shm), the node's processes; RUN_DIRS emptied.
box_reboot() {  # WORK I
  local work=$1 i=$2 p
  ip -n "$P-n$i" addr del "$VIP/24" dev eth0 2>/dev/null
  for p in $(node_pids "$work" "$i"); do kill -KILL "$p" 2>/dev/null; done
  p=$(box_pid "$work" "$i")
  kill -KILL "$p" 2>/dev/null
  find "$work/n$i/run" -mindepth 1 -delete 2>/dev/null
  box_up "$work" "$i"
}
# Every process of node I's stack: all of its network namespace but the box holder.
node_pids() {  # WORK I
  local h p
  h=$(box_pid "$1" "$2" 2>/dev/null)
  for p in $(ip netns pids "$P-n$2" 2>/dev/null); do [ "$p" != "$h" ] && echo "$p"; done
  return 0
}
# The sole holder's index when the address is on exactly one node (no cluster view: see the drivers).
address_holder() {
  if vip_on 1 && ! vip_on 2; then echo 1; elif vip_on 2 && ! vip_on 1; then echo 2; else return 1; fi
}
# A node's start, and whether it was longer ago than MS: a heartbeat node advertises a longer deadtime
# for a while after it starts (its initdead), so a "settled" holder must be past that window, or a
# kill would time that window rather than the configured deadtime.
mark_started() { local t=${EPOCHREALTIME/./}; echo "${t%???}" >"$1/n$2/started_ms"; }
up_longer_than() {  # WORK I MS
  local t=${EPOCHREALTIME/./} s
  s=$(cat "$1/n$2/started_ms" 2>/dev/null) || return 1
  ((${t%???} - s > $3))
}
# `switch` prints this just before it acts: hbbench times the move from here, not from its own
# start of the driver (a bash and a source of this file, a few ms under load).
mark_t0() { echo "t0 ${EPOCHREALTIME/./}"; }
# The two heartbeats' `up` and `holder`, from the driver's write_conf WORK I KA DT, start_node WORK I,
# daemon_alive WORK I and rsc WORK I (the node's `cl_status rscstatus`). Settled: both daemons up and
# past their start-up window (WORK/window_ms), their resource states a settled pair, and the address
# where they say.
heartbeat_up() {  # WORK KA DT WINDOW_MS SETTING
  local work=$1 k
  mkdir -p "$work"
  net_up "$work" || die "cannot set up the namespaces"
  echo "$4" >"$work/window_ms"
  write_conf "$work" 1 "$2" "$3" && write_conf "$work" 2 "$2" "$3"
  box_up "$work" 1 && box_up "$work" 2
  start_node "$work" 1 && start_node "$work" 2
  for k in $(seq 1 600); do
    [ "$(heartbeat_holder "$work")" = 1 ] && { print_facts "$work" "$5"; return 0; }
    sleep 0.05
  done
  die "n1 never held the VIP alone (n1: $(rsc "$work" 1), n2: $(rsc "$work" 2))"
}
heartbeat_holder() {  # WORK
  local a b h w
  w=$(cat "$1/window_ms")
  up_longer_than "$1" 1 "$w" && up_longer_than "$1" 2 "$w" || return 1
  daemon_alive "$1" 1 && daemon_alive "$1" 2 || return 1
  a=$(rsc "$1" 1) b=$(rsc "$1" 2)
  h=$(address_holder) || return 1
  case "$h:$a:$b" in
    1:local:local | 1:all:none | 2:none:all) echo "$h" ;;
    *) return 1 ;;
  esac
}
# Runs the sub-command of a driver: up|holder|pids|reboot|switch|after-switch|events|down|version.
dispatch() {
  local cmd=${1:-} work=${2:-}
  case $cmd in
    version) cmd_version ;;
    up | holder | pids | reboot | switch | after-switch | events | down)
      [ -n "$work" ] || die "usage: $0 $cmd WORK ..."
      shift 2
      "cmd_${cmd//-/_}" "$work" "$@" ;;
    *) die "usage: $0 up|holder|pids|reboot|switch|after-switch|events|down WORK ... | version" ;;
  esac
}
