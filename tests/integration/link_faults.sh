#!/usr/bin/env bash
# Two of our daemons joined by two real links (veth pairs between network namespaces), with faults
# put on the links by nftables rules in each namespace: 30% loss both ways, 5% duplication, both
# at once, one-way loss on one side only, a link cut and restored, a link flapping. keepalive
# 100 ms, deadtime 1 s (10 x keepalive). Through every fault, a numbered stream of client messages
# (msg_stream.c; under loss and duplication also 100,000-byte ones, in fragments) must arrive
# whole, once each and in order, no node may be declared dead, and
# afterwards both links must come back up on both sides.
# Delay and reordering: 50 +- 20 ms per packet, so that packets overtake each other, alone and with
# the loss and duplication above; through NFQUEUE and nfq_delay.c (libnetfilter_queue), as
# kernels without the netem qdisc (this one) cannot do it with tc.
# Last, a stranger (udp_flood.c, from an address of no member) sends 100,000 forged datagrams a second
# at b's port: no death, no message lost, and b's CPU time for it is printed.
# Usage: link_faults.sh BIN_DIR MSG_STREAM UDP_FLOOD NFQ_DELAY|none. Exit 77 (skipped) where
# namespaces or nft are missing.
set -u
usage="usage: link_faults.sh BIN_DIR MSG_STREAM UDP_FLOOD NFQ_DELAY|none"
bin=${1:?$usage}
stream=${2:?$usage}
flood=${3:?$usage}
delayer=${4:?$usage}
tag=$$
nsa=hbfl-a-$tag nsb=hbfl-b-$tag
root=$(mktemp -d /tmp/hbfl-XXXXXX)
port=$((8100 + tag % 90))
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  ip netns pids "$nsa" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns pids "$nsb" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$nsa" 2>/dev/null; ip netns del "$nsb" 2>/dev/null
  rm -rf "$root"
}
trap cleanup EXIT
command -v nft >/dev/null || { echo "SKIP: nft (package nftables) is not installed"; exit 77; }
if ! ip netns add "$nsa" 2>/dev/null || ! ip netns add "$nsb"; then
  echo "SKIP: cannot create network namespaces here"; exit 77
fi
for l in 0 1; do
  ip link add veth$l netns "$nsa" type veth peer name veth$l netns "$nsb"
  ip -n "$nsa" addr add 10.81.$l.1/24 dev veth$l
  ip -n "$nsb" addr add 10.81.$l.2/24 dev veth$l
  ip -n "$nsa" link set veth$l up; ip -n "$nsb" link set veth$l up
done
ip -n "$nsa" link set lo up; ip -n "$nsb" link set lo up

fail() { echo "FAIL: $*"; for n in a b; do echo "--- $n"; tail -n 40 "$root/$n.log"; done; exit 1; }
start() {  # start NAME NETNS PEER_LAST_OCTET
  mkdir -p "$root/$1/conf" "$root/$1/state"
  cat >"$root/$1/conf/ha.cf" <<CF
node a b
udpport $port
keepalive 100ms
deadtime 1000ms
warntime 500ms
initdead 2000ms
ucast veth0 10.81.0.$3
ucast veth1 10.81.1.$3
logfacility none
logfile $root/$1.log
apiauth stream uid=root
apiauth anon uid=root
CF
  printf 'auth 1\n1 aes-256-gcm link-faults-key\n' >"$root/$1/conf/authkeys"; chmod 600 "$root/$1/conf/authkeys"
  : >"$root/$1/conf/haresources"
  ip netns exec "$2" "$bin/heartbeat" -f -c "$root/$1/conf" -n "$1" --state-dir "$root/$1/state" \
    --pidfile "$root/$1.pid" --socket "$root/$1.sock" 2>/dev/null &
  pids+=($!)
}
wait_log() {  # wait_log FILE TEXT SECONDS
  for _ in $(seq 1 $(( $3 * 50 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.02; done
  return 1
}
link_state() {  # link_state LOG PEER LINK: the last status the log gave that link
  grep -o "Link $2:$3 [a-z]*\." "$1" | tail -n 1 | sed 's/.* \([a-z]*\)\./\1/'
}
settled() {  # both links up on both sides again, within 10 s
  for _ in $(seq 1 500); do
    [ "$(link_state "$root/a.log" b veth0)" = up ] && [ "$(link_state "$root/a.log" b veth1)" = up ] &&
      [ "$(link_state "$root/b.log" a veth0)" = up ] && [ "$(link_state "$root/b.log" a veth1)" = up ] && return 0
    sleep 0.02
  done
  fail "links did not all come back up after $1"
}
# faults NETNS RULE...: the namespace's egress rules (one nft table, replaced each time).
faults() {
  local ns=$1; shift
  ip netns exec "$ns" nft delete table ip faults 2>/dev/null
  { printf 'table ip faults {\n chain out {\n  type filter hook output priority 0; policy accept;\n'
    for r in "$@"; do printf '  %s\n' "$r"; done
    printf ' }\n}\n'; } | ip netns exec "$ns" nft -f - || fail "nft refused: $*"
}
no_faults() { for ns in "$nsa" "$nsb"; do ip netns exec "$ns" nft delete table ip faults 2>/dev/null; done; }
loss() { echo "udp dport $port numgen random mod 100 < $1 drop"; }                       # loss PERCENT
loss_on() { echo "oifname \"$1\" udp dport $port numgen random mod 100 < $2 drop"; }     # loss_on IF PERCENT
cut_on() { echo "oifname \"$1\" udp dport $port drop"; }                                # cut_on IF
dup() { echo "oifname \"veth$1\" udp dport $port numgen random mod 100 < $3 dup to 10.81.$1.$2 device \"veth$1\""; }
# stream NAME COUNT INTERVAL_MS [ACTION [PAYLOAD_BYTES]]: COUNT messages from a's client to b's,
# ACTION (or "none") run meanwhile.
stream() {
  HA_API_SOCKET=$root/b.sock ip netns exec "$nsb" "$stream" await "$2" "$1" 60000 >"$root/$1.out" 2>&1 &
  local awaiting=$!
  pids+=($awaiting)
  wait_log "$root/$1.out" ready 5 || fail "$1: the receiving client did not sign on: $(cat "$root/$1.out")"
  HA_API_SOCKET=$root/a.sock ip netns exec "$nsa" "$stream" send "$2" "$3" "$1" ${5:-} >"$root/$1.send" 2>&1 &
  local sending=$!
  pids+=($sending)
  [ $# -ge 4 ] && [ "$4" != none ] && "$4"
  wait "$sending" || fail "$1: the sender failed: $(cat "$root/$1.send")"
  wait "$awaiting" || fail "$1: $(cat "$root/$1.out")"
  echo "ok: $1: $(tail -n 1 "$root/$1.out")"
}
no_death() { grep -h "is dead" "$root/a.log" "$root/b.log" && fail "a node was declared dead ($1)"; return 0; }

start a "$nsa" 2
start b "$nsb" 1
wait_log "$root/b.log" "Status update for node a: status active" 10 || fail "b never saw a active"
settled "the start"
echo "ok: a and b active, both links up"
stream clean 100 5

faults "$nsa" "$(loss 30)"; faults "$nsb" "$(loss 30)"
stream loss30 300 10; no_faults; settled "30% loss"; no_death "30% loss"

faults "$nsa" "$(dup 0 2 5)" "$(dup 1 2 5)"; faults "$nsb" "$(dup 0 1 5)" "$(dup 1 1 5)"
stream dup5 300 10; no_faults; settled "5% duplication"; no_death "5% duplication"

faults "$nsa" "$(loss 30)" "$(dup 0 2 5)" "$(dup 1 2 5)"; faults "$nsb" "$(loss 30)" "$(dup 0 1 5)" "$(dup 1 1 5)"
stream loss30-dup5 300 10
# Large messages under loss: 100,000 bytes of noise each travel in 11 fragments.
stream loss30-dup5-100k 20 50 none 100000; no_faults; settled "30% loss with 5% duplication"; no_death "30% loss with 5% duplication"

# One way only: everything a sends on veth0 is lost and 30% on veth1; b's packets all arrive.
faults "$nsa" "$(cut_on veth0)" "$(loss_on veth1 30)"
stream one-way 300 10
wait_log "$root/b.log" "Link a:veth0 dead." 5 || fail "b never saw a's veth0 dead with all of a's packets lost on it"
no_faults; settled "one-way loss"; no_death "one-way loss"

# delayed PHASE: each namespace's packets to the cluster port pass through nfq_delay.
delayed() {
  local ns p dpids=()
  for ns in "$nsa" "$nsb"; do
    ip netns exec "$ns" "$delayer" 0 50 20 120 >"$root/$1.$ns.delay" 2>&1 &
    p=$!; pids+=($p); dpids+=($p)
    wait_log "$root/$1.$ns.delay" ready 5 || fail "nfq_delay did not start: $(cat "$root/$1.$ns.delay")"
    ip netns exec "$ns" iptables-legacy -A OUTPUT -p udp --dport "$port" -j NFQUEUE --queue-num 0 --queue-bypass ||
      fail "iptables-legacy refused the NFQUEUE rule"
  done
  stream "$1" 300 10
  for ns in "$nsa" "$nsb"; do ip netns exec "$ns" iptables-legacy -D OUTPUT -p udp --dport "$port" -j NFQUEUE --queue-num 0 --queue-bypass; done
  for p in "${dpids[@]}"; do kill -TERM "$p"; wait "$p"; done
  echo "ok: $1: $(tail -n 1 "$root/$1.$nsa.delay") (a), $(tail -n 1 "$root/$1.$nsb.delay") (b)"
}
if [ "$delayer" != none ] && command -v iptables-legacy >/dev/null; then
  delayed delay50-jitter20; no_faults; settled "50 +- 20 ms delay"; no_death "50 +- 20 ms delay"
  faults "$nsa" "$(loss 30)" "$(dup 0 2 5)" "$(dup 1 2 5)"; faults "$nsb" "$(loss 30)" "$(dup 0 1 5)" "$(dup 1 1 5)"
  delayed all-at-once; no_faults; settled "loss, duplication, delay and reordering"; no_death "loss, duplication, delay and reordering"
else
  echo "note: no nfq_delay or iptables-legacy: delay and reordering not tried"
fi

cut_veth1() {
  faults "$nsa" "$(cut_on veth1)"; faults "$nsb" "$(cut_on veth1)"
  wait_log "$root/a.log" "Link b:veth1 dead." 5 || fail "a never saw veth1 dead after the cut"
  wait_log "$root/b.log" "Link a:veth1 dead." 5 || fail "b never saw veth1 dead after the cut"
}
stream cut 300 10 cut_veth1; no_faults; settled "the cut link"; no_death "the cut link"

flap_veth0() {  # 10 cycles: 300 ms cut, 300 ms back
  for _ in $(seq 1 10); do
    faults "$nsa" "$(cut_on veth0)"; faults "$nsb" "$(cut_on veth0)"; sleep 0.3
    no_faults; sleep 0.3
  done
}
stream flapping 500 10 flap_veth0; settled "the flapping link"; no_death "the flapping link"

ip -n "$nsa" addr add 10.81.0.9/24 dev veth0
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system time, in clock ticks
b_pid=$(cat "$root/b.pid")
cpu_before=$(cpu_of "$b_pid")
flood_veth0() {
  ip netns exec "$nsa" "$flood" 10.81.0.9 10.81.0.2 "$port" 100000 5 >"$root/flooder.out" 2>&1 || fail "udp_flood: $(cat "$root/flooder.out")"
}
stream flood 400 10 flood_veth0
cpu_after=$(cpu_of "$b_pid")
settled "the flood"; no_death "the flood"
echo "ok: flood: $(cat "$root/flooder.out"); b spent $(( (cpu_after - cpu_before) * 1000 / $(getconf CLK_TCK) )) ms of CPU over the stream"

no_death "the whole run"
# Asked of the running daemons (cl_status counters: one "counters.NAME VALUE" line each).
for n in a b; do
  "$bin/cl_status" counters --socket "$root/$n.sock" >"$root/$n.counters" || fail "$n does not answer cl_status counters"
done
counter() { awk -v k="counters.$2" '$1 == k {print $2}' "$root/$1.counters"; }
# The faults were real: nft's copies are exact replays of sealed datagrams, and loss made a resend.
[ "$(counter b dropped_replayed_packet)" -gt 0 ] || fail "b dropped no copy: the duplication rules did nothing"
[ "$(counter a retransmissions_sent)" -gt 0 ] || fail "a retransmitted nothing: the loss rules did nothing"
# The stranger's flood was dropped before any MAC (all but its first few checks).
[ "$(counter b dropped_unverified)" -gt 100000 ] || fail "b checked the flood: dropped_unverified $(counter b dropped_unverified)"
echo "ok: counters: b dropped_unverified $(counter b dropped_unverified), dropped_bad_auth $(counter b dropped_bad_auth), dropped_replayed_packet $(counter b dropped_replayed_packet), dropped_duplicate $(counter b dropped_duplicate), rexmit_requests_sent $(counter b rexmit_requests_sent); a retransmissions_sent $(counter a retransmissions_sent)"
echo "link faults: PASS"
