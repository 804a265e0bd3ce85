#!/usr/bin/env bash
# hbbench driver for our daemon (contract: bench/systems/README.md). Nodes live in network namespaces
# hbbo-nI (10.86.0.I/16 on a bridge in hbbo-br), or, with HBB_NET=loopback, on 127.0.0.I
# with ucast to every other node. Binaries: $HBB_BIN (default: build/bin of this checkout).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${HBB_BIN:-$here/../../build/bin}
net=${HBB_NET:-netns}
port=7980
cmd=${1:?usage: ours.sh start|pids|restart|exec|stop|version ...}
shift

ns() { echo "hbbo-n$1"; }
# ucast to each peer up to 4 nodes (as the anchors ran heartbeat 3.0.6), bcast beyond (one datagram per
# heartbeat, not 63); HBB_MEDIUM=ucast|bcast overrides.
medium() { if [ -n "${HBB_MEDIUM:-}" ]; then echo "$HBB_MEDIUM"; elif [ "$1" -le 4 ]; then echo ucast; else echo bcast; fi; }

make_network() {  # N: a bridge namespace and one namespace per node, joined by veth pairs
  local n=$1 i
  # The kernel's ARP table is shared by every namespace (default limit 1024 entries): 64 nodes that
  # each know 63 peers overflow it, and then no namespace resolves addresses any more.
  sysctl -qw net.ipv4.neigh.default.gc_thresh1=8192 net.ipv4.neigh.default.gc_thresh2=32768 \
    net.ipv4.neigh.default.gc_thresh3=65536
  ip netns add hbbo-br
  ip -n hbbo-br link set lo up
  ip -n hbbo-br link add br0 type bridge stp_state 0 forward_delay 0
  ip -n hbbo-br link set br0 up
  for i in $(seq 1 "$n"); do
    ip netns add "$(ns "$i")"
    ip link add eth0 netns "$(ns "$i")" type veth peer name "v$i" netns hbbo-br
    ip -n hbbo-br link set "v$i" master br0 up
    ip -n "$(ns "$i")" addr add "10.86.0.$i/16" brd + dev eth0
    ip -n "$(ns "$i")" link set eth0 up
    ip -n "$(ns "$i")" link set lo up
  done
}

write_config() {  # WORK N I KEEPALIVE DEADTIME
  local work=$1 n=$2 i=$3 ka=$4 dt=$5 dir=$1/n$3 j
  mkdir -p "$dir/conf" "$dir/state"
  {
    echo "node $(for j in $(seq 1 "$n"); do printf 'n%s ' "$j"; done)"
    echo "udpport $port"
    echo "keepalive ${ka}ms"
    echo "deadtime ${dt}ms"
    echo "warntime $(( dt - ka ))ms"
    echo "initdead $(( dt * 2 > 2000 ? dt * 2 : 2000 ))ms"
    if [ "$net" = loopback ]; then
      echo "bind 127.0.0.$i"
      for j in $(seq 1 "$n"); do [ "$j" = "$i" ] || echo "ucast lo 127.0.0.$j"; done
    elif [ "$(medium "$n")" = ucast ]; then
      for j in $(seq 1 "$n"); do [ "$j" = "$i" ] || echo "ucast eth0 10.86.0.$j"; done
    else
      echo "bcast eth0"
    fi
    echo "auto_failback on"
    echo "logfacility none"
    echo "apiauth bench uid=root"
    echo "apiauth anon uid=root"
    echo "apiauth default uid=root"
  } >"$dir/conf/ha.cf"
  printf 'auth 1\n1 sha1 hbbench-key\n' >"$dir/conf/authkeys"
  chmod 600 "$dir/conf/authkeys"
  : >"$dir/conf/haresources"
}

launch() {  # WORK I
  local dir=$1/n$2 wrap=()
  [ "$net" = loopback ] || wrap=(ip netns exec "$(ns "$2")")
  "${wrap[@]}" "$bin/heartbeat" -f -c "$dir/conf" -n "n$2" --state-dir "$dir/state" \
    --pidfile "$dir/heartbeat.pid" --socket "$dir/sock" </dev/null >>"$dir/log" 2>&1 &
  echo $! >"$dir/pid"
}

case $cmd in
  start)
    work=$1 n=$2 ka=$3 dt=$4
    mkdir -p "$work"
    [ "$net" = loopback ] || make_network "$n"
    echo "$n" >"$work/nodes"
    for i in $(seq 1 "$n"); do write_config "$work" "$n" "$i" "$ka" "$dt"; done
    for i in $(seq 1 "$n"); do launch "$work" "$i"; done
    ;;
  pids) cat "$1/n$2/pid" ;;
  restart) rm -f "$1/n$2/sock" "$1/n$2/heartbeat.pid"; launch "$1" "$2" ;;
  exec)
    work=$1 i=$2
    shift 2
    if [ "$net" = loopback ]; then exec env HA_API_SOCKET="$work/n$i/sock" "$@"; fi
    exec ip netns exec "$(ns "$i")" env HA_API_SOCKET="$work/n$i/sock" "$@"
    ;;
  stop)
    work=$1
    pids=$(cat "$work"/n*/pid 2>/dev/null || true)
    for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 50); do
      alive=0
      for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ $alive = 0 ] && break
      sleep 0.1
    done
    for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
    for n in $(ip netns list | awk '/^hbbo-/ {print $1}'); do ip netns del "$n"; done
    ;;
  version) echo "ours $("$bin/heartbeat" -V 2>&1 | head -n 1)" ;;
  *) echo "ours.sh: unknown command $cmd" >&2; exit 2 ;;
esac
