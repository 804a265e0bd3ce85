#!/usr/bin/env bash
# S7 driver for Pacemaker 2.1.5 on Corosync 3.1.7 (Debian 12) with ocf:heartbeat:IPaddr2: the contract
# is bench/systems/README.md ("S7 drivers"); the network and boxes are lib.sh's (netns hbs7p-*,
# 10.87.4.0/24).
#
# Setting: DEADTIME_MS is Corosync's totem token (ms; token_coefficient stays at its default, two_node
# quorum), KEEPALIVE_MS is not used. knet over UDP port 7991, aes256/sha256. Each box binds its own
# /etc/corosync, /var/lib/corosync, /var/log/corosync, /var/lib/pacemaker, /var/log/pacemaker and /run;
# `corosync -f`, then `pacemakerd` (which starts pacemaker-based, -fenced, -execd, -attrd, -schedulerd,
# -controld) run there. Cluster: stonith-enabled false, no-quorum-policy ignore, one primitive `vip`
# (IPaddr2 ip/cidr_netmask/nic, monitor 10 s), no location preference: Pacemaker places it, and after a
# failover it stays on the survivor (the default stickiness keeps it there when the other node returns).
# switch = `crm_resource --move --resource vip --node OTHER` (what `crm resource move` runs, the CLI's
# start-up included); after-switch = `crm_resource --clear --resource vip`.
set -u
P=hbs7p NET=10.87.4
BINDS="etc-corosync:/etc/corosync lib-corosync:/var/lib/corosync log-corosync:/var/log/corosync
       lib-pacemaker:/var/lib/pacemaker log-pacemaker:/var/log/pacemaker run:/run"
PCMK_ENV="PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none PCMK_debug=no"
. "$(dirname "$0")/lib.sh"

cmd_version() { echo "pacemaker $(pacemakerd --version | awk 'NR == 1 { print $2 }') on corosync $(corosync -v | sed -n 's/.*version .\([0-9.]*\).*/\1/p')"; }

write_conf() {  # WORK TOKEN_MS
  local i
  {
    printf 'totem {\n\tversion: 2\n\tcluster_name: s7\n\ttransport: knet\n\tcrypto_cipher: aes256\n\tcrypto_hash: sha256\n'
    printf '\ttoken: %s\n\tinterface {\n\t\tlinknumber: 0\n\t\tknet_transport: udp\n\t\tmcastport: 7991\n\t}\n}\n' "$2"
    printf 'nodelist {\n'
    for i in 1 2; do printf '\tnode {\n\t\tname: n%s\n\t\tnodeid: %s\n\t\tring0_addr: %s.%s\n\t}\n' "$i" "$i" "$NET" "$i"; done
    printf '}\nquorum {\n\tprovider: corosync_votequorum\n\ttwo_node: 1\n}\n'
    printf 'logging {\n\tto_logfile: yes\n\tlogfile: /var/log/corosync/corosync.log\n\tto_syslog: no\n\ttimestamp: hires\n}\n'
  } >"$1/corosync.conf"
  corosync-keygen -k "$1/authkey" >/dev/null 2>&1 || head -c 256 /dev/urandom >"$1/authkey"
}
prep_node() {  # WORK I: the node's directories (before its box), config and key
  local r=$1/n$2 d
  mkdir -p "$r/etc-corosync" "$r/lib-corosync" "$r/log-corosync" "$r/log-pacemaker" "$r/run/crm" "$r/run/lock" "$r/run/resource-agents"
  for d in cib pengine blackbox cores; do mkdir -p "$r/lib-pacemaker/$d"; chown hacluster:haclient "$r/lib-pacemaker/$d"; chmod 750 "$r/lib-pacemaker/$d"; done
  chown hacluster:haclient "$r/log-pacemaker" "$r/run/crm"
  chmod 770 "$r/log-pacemaker"
  chmod 750 "$r/run/crm"
  cp "$1/corosync.conf" "$r/etc-corosync/corosync.conf"
  install -m 0400 "$1/authkey" "$r/etc-corosync/authkey"
}
start_node() {  # WORK I: corosync, then pacemakerd once corosync answers
  local r=$1/n$2 k
  (box_exec "$1" "$2" corosync -f) </dev/null >>"$r/corosync.out" 2>&1 &
  for k in $(seq 1 250); do bx "$1" "$2" corosync-cfgtool -s >/dev/null 2>&1 && break; sleep 0.02; done
  # shellcheck disable=SC2086  # PCMK_ENV is words
  (box_exec "$1" "$2" env $PCMK_ENV pacemakerd) </dev/null >>"$r/pacemakerd.out" 2>&1 &
}
online() { bx "$1" "$2" crm_mon -1 --output-as=xml 2>/dev/null | grep -c '<node name="n[12]".* online="true"'; }

cmd_up() {  # WORK KEEPALIVE_MS DEADTIME_MS
  local work=$1 k
  mkdir -p "$work"
  net_up "$work" || die "cannot set up the namespaces"
  write_conf "$work" "$3"
  prep_node "$work" 1 && prep_node "$work" 2
  box_up "$work" 1 && box_up "$work" 2
  start_node "$work" 1 && start_node "$work" 2
  for k in $(seq 1 600); do
    [ "$(online "$work" 1)" = 2 ] && [ "$(online "$work" 2)" = 2 ] && break
    sleep 0.2
  done
  [ "$(online "$work" 1)" = 2 ] || die "the cluster did not form in 120 s"
  bx "$work" 1 crm_attribute --type crm_config --name stonith-enabled --update false >/dev/null
  bx "$work" 1 crm_attribute --type crm_config --name no-quorum-policy --update ignore >/dev/null
  bx "$work" 1 cibadmin --create -o resources --xml-text "<primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">
  <instance_attributes id=\"vip-ia\">
    <nvpair id=\"vip-ip\" name=\"ip\" value=\"$VIP\"/>
    <nvpair id=\"vip-cidr\" name=\"cidr_netmask\" value=\"24\"/>
    <nvpair id=\"vip-nic\" name=\"nic\" value=\"eth0\"/>
  </instance_attributes>
  <operations><op id=\"vip-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/></operations>
</primitive>" || die "cibadmin failed"
  for k in $(seq 1 300); do
    cmd_holder "$work" >/dev/null && { print_facts "$work" "token $3 ms, IPaddr2"; return 0; }
    sleep 0.1
  done
  die "the VIP never came up"
}
# Settled: both nodes see both online, the address on exactly one node.
cmd_holder() { [ "$(online "$1" 1)" = 2 ] && [ "$(online "$1" 2)" = 2 ] && address_holder; }
cmd_pids() { node_pids "$1" "$2"; }
cmd_reboot() { box_reboot "$1" "$2" && prep_node "$1" "$2" && start_node "$1" "$2"; }
cmd_switch() { mark_t0; bx "$1" "$2" crm_resource --move --resource vip --node "n$((3 - $2))" >/dev/null 2>&1; }
cmd_after_switch() { bx "$1" "$2" crm_resource --clear --resource vip >/dev/null 2>&1; }
cmd_events() { cat "$1"/n[12]/log-corosync/corosync.log 2>/dev/null | grep -c "A new membership"; }
cmd_down() { net_down; }

dispatch "$@"
