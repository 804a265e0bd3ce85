#!/usr/bin/env bash
# Debian's own /usr/libexec/heartbeat/api_test (heartbeat 3.0.6's API test client, built on its
# libhbclient; it signs on as the named client "ping") against a 3-node loopback cluster of our
# daemon. api_test only knows heartbeat's default socket path, so each copy runs in a mount
# namespace of its own where /run/heartbeat is its node's socket directory. Two copies run, on n1
# and on n2, so that their pings and ping replies cross nodes.
# Usage: api_test_against_ours.sh BIN_DIR. Exit 77 (skipped) without api_test, the haclient group
# or mount namespaces.
set -u
bin=${1:?usage: api_test_against_ours.sh BIN_DIR}
api_test=/usr/libexec/heartbeat/api_test
[ -x "$api_test" ] || { echo "SKIP: $api_test not installed (apt-get install heartbeat)"; exit 77; }
getent group haclient >/dev/null || { echo "SKIP: no haclient group (apt-get install heartbeat)"; exit 77; }
[ -x "$bin/heartbeat" ] || { echo "FAIL: no $bin/heartbeat"; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hbapit-XXXXXX)
daemons=() clients=()
cleanup() {
  for p in "${clients[@]}" "${daemons[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${clients[@]}" "${daemons[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$work"/api*.log; do [ -f "$f" ] && { echo "--- $(basename "$f")"; tail -n 60 "$f"; }; done
  for i in 1 2 3; do echo "--- n$i.log"; tail -n 15 "$work/n$i.log"; done
  exit 1
}
# wait_for FILE REGEX SECONDS: bounded wait for a line.
wait_for() {
  for _ in $(seq 1 $(( $3 * 20 ))); do grep -Eq -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
# wait_count FILE REGEX N SECONDS: bounded wait for N lines.
wait_count() {
  for _ in $(seq 1 $(( $4 * 20 ))); do
    [ "$(grep -Ec -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
    sleep 0.05
  done
  return 1
}
mkdir -p /run/heartbeat "$work/run1"
unshare -m bash -c "mount --bind '$work/run1' /run/heartbeat" 2>/dev/null || { echo "SKIP: no mount namespaces here"; exit 77; }

"$top/examples/loopback/prepare.sh" "$work/conf"
port=$((18400 + $$ % 100))
sed -i "s/^udpport .*/udpport $port/" "$work"/conf/n*/ha.cf
for i in 1 2 3; do
  mkdir -p "$work/run$i"
  "$bin/heartbeat" -f -c "$work/conf/n$i" -n n$i --state-dir "$work/state$i" --pidfile "$work/n$i.pid" \
    --socket "$work/run$i/register" 2>"$work/n$i.log" &
  daemons+=($!)
done
for i in 1 2; do
  for n in 1 2 3; do
    [ $n = $i ] && continue
    wait_for "$work/n$i.log" "Status update for node n$n: status active" 20 || fail "n$i never saw n$n active"
  done
done
# The resource manager's start-up (auto_failback on: `starting`, `resource` and, 10 s later when
# all start together, `resource ... isstable=1`) is over before api_test runs: those cluster
# messages would otherwise be the "next message" that ends a SIGINTed api_test below.
for i in 1 2 3; do
  wait_for "$work/n$i.log" "Local Resource acquisition completed" 30 || fail "n$i never finished its resource start-up"
done
echo "ok: our 3-node cluster is up (udpport $port)"

# start_api_test NODE: Debian's api_test with egid haclient (its apiauth entry: ping gid=haclient).
start_api_test() {
  unshare -m bash -c 'mount --bind "$1" /run/heartbeat && exec setpriv --regid haclient --clear-groups "$2"' \
    _ "$work/run$1" "$api_test" >"$work/api$1.log" 2>&1 &
  clients+=($!)
  eval "api$1=\$!"
}
start_api_test 1
# n1's has signed on and made its start-up queries (it says "Sleeping...") before n2's starts:
# n2's must see it online, and its client status query must not queue behind n1's start-up (under
# ASan the answer then came after api_test's timeout). n1's sleeps some seconds before its ping,
# by which time n2's is signed on to receive it.
wait_for "$work/api1.log" "Sleeping\.\.\." 20 || fail "api_test on n1 never got through its start-up"
start_api_test 2

for i in 1 2; do
  log=$work/api$i.log
  wait_for "$log" "Waiting for messages" 20 || fail "api_test on n$i never got to its message loop"
  grep -q "Cannot sign on" "$log" && fail "api_test on n$i could not sign on"
  grep -q "Signing in with heartbeat" "$log" && grep -q "Setting message filter mode" "$log" \
    || fail "api_test on n$i: no sign-on"
  # Every mandatory parameter. heartbeat 3.0.6 itself answers normalpoll (a directive without a
  # value) with no value, so api_test reports it missing there too: the same here is correct.
  for p in hbversion hopfudge keepalive deadtime deadping warntime initdead baud udpport auto_failback \
           hbgenmethod realtime debug; do
    grep -q "Parameter $p is \[" "$log" || fail "api_test on n$i: parameter $p missing"
  done
  grep -Eq "Mandantory Parameter normalpoll is not available|Parameter normalpoll is \[" "$log" \
    || fail "api_test on n$i: nothing said about normalpoll"
  missing=$(grep "Mandantory Parameter" "$log" | grep -v normalpoll)
  [ -z "$missing" ] || fail "api_test on n$i: $missing"
  grep -q "Parameter keepalive is \[100ms\]" "$log" || fail "api_test on n$i: keepalive not as in ha.cf"
  grep -q "Parameter deadtime is \[500ms\]" "$log" || fail "api_test on n$i: deadtime not as in ha.cf"
  grep -q "Parameter udpport is \[$port\]" "$log" || fail "api_test on n$i: udpport not as in ha.cf"
  # The node walk: every node active, with its interface; our own link is reported dead, as heartbeat does.
  for n in 1 2 3; do
    grep -q "Cluster node: n$n: status: active" "$log" || fail "api_test on n$i: node walk lacks n$n active"
    grep -Eq "node n$n: intf: lo ifstatus: (up|dead)" "$log" || fail "api_test on n$i: no interface of n$n"
    grep -Eq "n$n/api_test status: \[(online|offline)\]" "$log" || fail "api_test on n$i: no client status of n$n"
    if [ $n != $i ]; then
      grep -q "node n$n: intf: lo ifstatus: up" "$log" || fail "api_test on n$i: link to n$n not up"
    fi
  done
  grep -q "n$i/api_test status: \[online\]" "$log" || fail "api_test on n$i: does not see itself online"
  grep -q "Sent ping request to cluster" "$log" || fail "api_test on n$i: ping not sent"
done
echo "ok: both api_test signed on, found every parameter, walked n1 n2 n3 (active, lo), sent their ping"
# api_test on n1 signed on first: when n2's asked, n1's was online.
grep -q "n1/api_test status: \[online\]" "$work/api2.log" || fail "api_test on n2 does not see n1's online"

# Messages: its own ping back, the other node's ping, and ping replies both ways.
for i in 1 2; do
  o=$((3 - i)) log=$work/api$i.log
  wait_for "$log" "Got message [0-9]+ of type \[ping\] from \[n$i\]" 15 || fail "api_test on n$i never got its own ping back"
  wait_for "$log" "Sent ping reply\(9\) to \[n$i\]" 10 || fail "api_test on n$i did not answer its own ping"
  wait_for "$log" "Got message [0-9]+ of type \[ping\] from \[n$o\]" 15 || fail "api_test on n$i never got n$o's ping"
  wait_for "$log" "Sent ping reply\([0-9]\) to \[n$o\]" 10 || fail "api_test on n$i did not answer n$o's ping"
  wait_for "$log" "Got message [0-9]+ of type \[pingreply\] from \[n$o\]" 15 || fail "api_test on n$i never got n$o's ping reply"
  grep -q "PING .* FAIL" "$log" && fail "api_test on n$i: a ping reply failed to go out"
done
# Each api_test answers both pings with 10 replies, so each receives 20: its own 10 and the other's
# 10. All must be in before the SIGINT below, or a late one (not n3's ping) ends it.
for i in 1 2; do
  wait_count "$work/api$i.log" "of type \[pingreply\]" 20 15 \
    || fail "api_test on n$i got $(grep -c 'of type \[pingreply\]' "$work/api$i.log") of its 20 ping replies"
done
echo "ok: each api_test got its own ping, the other's ping, its own 10 and the other's 10 ping replies"
# heartbeat 3.0.6 stamps a message a client sends to its own node like any other (src, srcuuid,
# seq, ...), so api_test names the sender of its own ping replies, and the node of the answer to its
# cluster-wide client status query. Reported, not failed, until our daemon does the same.
for i in 1 2; do
  n=$(grep -c "of type \[pingreply\] from \[?\]" "$work/api$i.log")
  [ "$n" = 0 ] || echo "KNOWN MISBEHAVIOUR: api_test on n$i got $n ping replies from its own node without src (from [?])"
  grep -q "Client (null)/ping" "$work/api$i.log" && echo "KNOWN MISBEHAVIOUR: api_test on n$i: a client status answer without src (Client (null)/ping)"
done
echo "    n1: $(grep -c 'Got message' "$work/api1.log") messages received, n2: $(grep -c 'Got message' "$work/api2.log")"

# SIGINT: api_test sets a flag that its message loop checks each time readmsg returns a message
# (heartbeat's library retries its poll when interrupted), so it signs off and exits 0 at the next
# message for it. A third api_test, on n3, brings that message: SIGINT in its own 5 s sleep makes
# it send its ping at once and quit without reading (the flag is already set); its ping wakes the
# other two.
for i in 1 2; do eval "kill -INT \$api$i"; done
start_api_test 3
wait_for "$work/api3.log" "Sleeping\.\.\." 20 || fail "api_test on n3 never got to its sleep"
kill -INT "$api3"
for i in 3 1 2; do
  eval "pid=\$api$i"
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && fail "api_test on n$i still running 10 s after SIGINT and n3's ping"
  wait "$pid"; rc=$?
  [ $rc = 0 ] || fail "api_test on n$i exited $rc after SIGINT"
  grep -Eq "Cannot sign off|Cannot delete|read_hb_msg returned NULL" "$work/api$i.log" && fail "api_test on n$i: unclean end"
  [ $i = 3 ] && continue
  grep -Eq "Got message [0-9]+ of type \[ping\] from \[n3\]" "$work/api$i.log" || fail "api_test on n$i never got n3's ping"
done
grep -q "Sent ping request to cluster" "$work/api3.log" || fail "api_test on n3 sent no ping"
echo "ok: all three api_test signed off and exited 0 after SIGINT (n3's ping woke n1's and n2's)"
for i in 1 2 3; do kill -0 "${daemons[$((i - 1))]}" 2>/dev/null || fail "our n$i died"; done
grep -iE "heap|sanitizer|assert" "$work"/n*.log && fail "our daemon complained"
echo "Debian's api_test against our daemon: PASS"
