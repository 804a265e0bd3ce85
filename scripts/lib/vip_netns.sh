# Sourced by tests/integration/floating_ip.sh and scripts/demo.sh: two nodes of ours (n1, n2) and
# a client in network namespaces on one bridge, holding the haresources group
# `n1 IPaddr2::<vip>/24/eth0` (IPaddr2 from resource-agents, through our own argument mapping).
# The caller sets vip_bin (build/bin), vip_root (a scratch directory), vip_tag (unique) and, if it
# likes, vip_extra (more ha.cf lines, e.g. "native_ipaddr on") and vip_keepalive / vip_deadtime
# (milliseconds; 100 and 500 by default), then:
#   vip_setup || skip      namespaces, bridge, addresses, both nodes' configuration
#   vip_start 1|2          a node in its namespace (and a mount namespace: its own /run/resource-agents,
#                          and its API socket at heartbeat's path /run/heartbeat/register, for
#                          Debian's clients it starts, such as ipfail)
#   vip_kill 1             SIGKILL, and the address goes with the "crashed" machine
#   vip_cl_status 1|2 ARGS  our cl_status against that node (vip_rsc 1|2: its rscstatus)
#   vip_has 1|2            the VIP is configured on that node's eth0
#   vip_answered_by        the MAC that answered the client's ping of the VIP (nothing: no answer)
#   vip_cleanup            every process of the namespaces killed, namespaces deleted
vip_setup() {
  vip_br=hbvip-br-$vip_tag vip_ns1=hbvip-1-$vip_tag vip_ns2=hbvip-2-$vip_tag vip_cl=hbvip-c-$vip_tag
  vip_net=10.81.$((vip_tag % 200))
  vip=$vip_net.100
  vip_port=$((7600 + vip_tag % 90))
  [ -x /usr/lib/ocf/resource.d/heartbeat/IPaddr2 ] || return 1
  ip netns add "$vip_br" 2>/dev/null || return 1
  ip -n "$vip_br" link add br0 type bridge 2>/dev/null && ip -n "$vip_br" link set br0 up || return 1
  local pair ns a
  for pair in "$vip_ns1:$vip_net.1" "$vip_ns2:$vip_net.2" "$vip_cl:$vip_net.50"; do
    ns=${pair%%:*} a=${pair#*:}
    ip netns add "$ns" || return 1
    ip link add eth0 netns "$ns" type veth peer name "p${a##*.}" netns "$vip_br" || return 1
    ip -n "$vip_br" link set "p${a##*.}" master br0 up
    ip -n "$ns" addr add "$a/24" brd + dev eth0
    ip -n "$ns" link set lo up; ip -n "$ns" link set eth0 up
  done
  vip_mac1=$(vip_mac "$vip_ns1") vip_mac2=$(vip_mac "$vip_ns2")
  local i c
  for i in 1 2; do
    c=$vip_root/n$i
    mkdir -p "$c" "$vip_root/state$i" "$vip_root/run$i" "$vip_root/ra$i"
    cat >"$c/ha.cf" <<CF
node n1 n2
udpport $vip_port
keepalive ${vip_keepalive:-100}ms
deadtime ${vip_deadtime:-500}ms
warntime $(( (${vip_keepalive:-100} + ${vip_deadtime:-500}) / 2 ))ms
initdead $(( ${vip_deadtime:-500} * 2 ))ms
ucast eth0 $vip_net.$((3 - i))
auto_failback on
logfacility none
logfile $vip_root/n$i.log
apiauth anon uid=root
${vip_extra:-}
CF
    printf 'auth 1\n1 sha1 floating-ip\n' >"$c/authkeys"; chmod 600 "$c/authkeys"
    echo "n1 IPaddr2::$vip/24/eth0" >"$c/haresources"
  done
}
vip_mac() { ip -n "$1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
vip_ns() { if [ "$1" = 1 ]; then echo "$vip_ns1"; else echo "$vip_ns2"; fi; }
vip_start() {
  mkdir -p /run/resource-agents /run/heartbeat
  # In a subshell: not the caller's job, so a SIGKILL of it is not reported as one.
  (ip netns exec "$(vip_ns "$1")" unshare -m bash -c "
    mount --bind $vip_root/ra$1 /run/resource-agents
    mount --bind $vip_root/run$1 /run/heartbeat
    exec $vip_bin/heartbeat -f -c $vip_root/n$1 -n n$1 --state-dir $vip_root/state$1 \
      --pidfile $vip_root/n$1.pid --socket $vip_root/run$1/register" 2>/dev/null &)
}
vip_kill() {
  kill -9 "$(cat "$vip_root/n$1.pid")"
  ip -n "$(vip_ns "$1")" addr del "$vip/24" dev eth0 2>/dev/null
}
vip_stop() { kill -TERM "$(cat "$vip_root/n$1.pid")"; }
vip_cl_status() { local i=$1; shift; HA_API_SOCKET=$vip_root/run$i/register "$vip_bin/cl_status" "$@" 2>/dev/null; }
vip_rsc() { vip_cl_status "$1" rscstatus; }
vip_has() { ip -n "$(vip_ns "$1")" -o addr show dev eth0 | grep -q " $vip/"; }
vip_neigh_mac() { ip -n "$vip_cl" neigh show "$vip" | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2; }
vip_addr_line() {  # e.g. "inet 10.81.1.100/24 brd 10.81.1.255 scope global secondary eth0"
  ip -n "$(vip_ns "$1")" -o -4 addr show dev eth0 | grep " $vip/" | sed -E 's/.* inet /inet /; s/ *\\.*//; s/ +valid_lft.*//; s/ +$//'
}
vip_answered_by() {
  ip netns exec "$vip_cl" ping -c 1 -W 1 "$vip" >/dev/null 2>&1 || return 1
  ip -n "$vip_cl" neigh show "$vip" | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2
}
vip_cleanup() {  # never fails: callers may run under set -e
  local ns
  for ns in "$vip_ns1" "$vip_ns2" "$vip_cl" "$vip_br"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  done
  sleep 0.2
  for ns in "$vip_ns1" "$vip_ns2" "$vip_cl" "$vip_br"; do ip netns del "$ns" 2>/dev/null || true; done
}
