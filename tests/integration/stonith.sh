#!/usr/bin/env bash
# STONITH through cluster-glue's real stonith command and plugin loader. Two of our daemons, a and
# b, in network namespaces joined by a veth pair; each holds one group (resource.d/rmtest, a marker
# file per node). Their device is stonith.d/hbtest-netns, an external plugin of ours installed into
# cluster-glue's plugin directory for the test: a reset SIGKILLs every process of the node's
# namespace.
#  - a is frozen (SIGSTOP): b sees it dead. The device fails (its control file): b retries the
#    reset every 5 s, logs each failure, and does not take a's group meanwhile;
#  - the device works again: the reset kills frozen a, and only then does b start a's group.
# Waits are on b's counters request and on files, bounded. Usage: stonith.sh BIN_DIR.
# Exit 77 (skipped) without namespaces, cluster-glue's stonith or python3.
set -u
bin=${1:?usage: stonith.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "SKIP: python3 is needed (JSON checks)"; exit 77; }
[ -x /usr/sbin/stonith ] && [ -d /usr/lib/stonith/plugins/external ] ||
  { echo "SKIP: cluster-glue's stonith is not installed (apt-get install cluster-glue)"; exit 77; }
tag=$$
prefix=hbst-$tag-
plugin=hbtest-$tag
root=$(mktemp -d /tmp/hbstonith-XXXXXX)
cleanup() {
  for n in a b; do ip netns pids "$prefix$n" 2>/dev/null | xargs -r kill -9 2>/dev/null; done
  for n in a b; do
    for _ in $(seq 1 50); do [ -z "$(ip netns pids "$prefix$n" 2>/dev/null)" ] && break; sleep 0.02; done
    ip netns del "$prefix$n" 2>/dev/null
  done
  rm -f "/usr/lib/stonith/plugins/external/$plugin"
  rm -rf "$root"
}
trap cleanup EXIT
if ! ip netns add "${prefix}a" 2>/dev/null || ! ip netns add "${prefix}b"; then
  echo "SKIP: cannot create network namespaces here"; exit 77
fi
ip link add veth0 netns "${prefix}a" type veth peer name veth0 netns "${prefix}b"
ip -n "${prefix}a" addr add 10.82.0.1/24 dev veth0; ip -n "${prefix}b" addr add 10.82.0.2/24 dev veth0
for n in a b; do ip -n "$prefix$n" link set veth0 up; ip -n "$prefix$n" link set lo up; done
install -m 755 "$here/stonith.d/hbtest-netns" "/usr/lib/stonith/plugins/external/$plugin"
mkdir -p "$root/ctl" "$root/rm"

fail() { echo "FAIL: $*"; for n in a b; do echo "--- $n"; tail -n 40 "$root/$n.log"; done; exit 1; }
keep_b_log() { [ -n "${HB_KEEP_LOG:-}" ] && cp "$root/b.log" "$HB_KEEP_LOG"; }
start() {  # start NAME PEER_ADDRESS
  local d=$root/$1/conf
  mkdir -p "$d/resource.d" "$root/$1/state"
  cat >"$d/ha.cf" <<CF
node a b
udpport $((17570 + tag % 20))
keepalive 100ms
deadtime 500ms
warntime 300ms
initdead 1000ms
ucast veth0 $2
auto_failback on
logfacility none
logfile $root/$1.log
apiauth anon uid=root
env RMTEST_DIR=$root/rm
stonith_host * external/$plugin a,b $prefix $root/ctl
CF
  printf 'auth 1\n1 sha1 stonith-test-key\n' >"$d/authkeys"; chmod 600 "$d/authkeys"
  printf 'a rmtest::ga\nb rmtest::gb\n' >"$d/haresources"
  cp "$here/resource.d/rmtest" "$d/resource.d/rmtest"
  ip netns exec "$prefix$1" "$bin/heartbeat" -f -c "$d" -n "$1" --state-dir "$root/$1/state" \
    --pidfile "$root/$1.pid" --socket "$root/$1.sock" 2>/dev/null &
  eval "$1_pid=\$!"
}
# A Python expression over b's counters document `d`.
query() {
  "$bin/cl_status" counters --json --socket "$root/b.sock" 2>/dev/null |
    python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null
}
wait_for() {  # wait_for EXPR SECONDS: bounded wait until it is True
  for _ in $(seq 1 $(( $2 * 20 ))); do [ "$(query "$1")" = True ] && return 0; sleep 0.05; done
  return 1
}
wait_file() {  # wait_file PATH SECONDS
  for _ in $(seq 1 $(( $2 * 50 ))); do [ -e "$1" ] && return 0; sleep 0.02; done
  return 1
}

start a 10.82.0.2
start b 10.82.0.1
wait_file "$root/rm/a/ga" 30 || fail "a never started its group"
wait_file "$root/rm/b/gb" 30 || fail "b never started its group"
wait_for "d['resources']['rsc_hold']=='local' and d['resources']['state']=='stable'" 30 ||
  fail "b never became stable: $(query "d['resources']")"
echo "ok: a and b hold their own groups; the device's status was checked at comm up"

# The device fails; a freezes.
: >"$root/ctl/fail"
kill -STOP "$a_pid"
wait_for "d['resources']['counters']['stonith_failures']>=2" 20 ||
  fail "b did not retry the failed reset: $(query "d['resources']")"
[ "$(query "d['resources']['resets_pending']")" = "['a']" ] || fail "b has no reset of a pending"
[ -e "$root/rm/b/ga" ] && fail "b took a's group while the reset failed"
kill -0 "$a_pid" 2>/dev/null || fail "frozen a is gone before any reset succeeded"
grep -q "STONITH reset of node a failed" "$root/b.log" || fail "b did not log the failed reset"
echo "ok: the device fails: b retried the reset $(query "d['resources']['counters']['stonith_failures']") times and took nothing"

# The device works again: the next retry resets a, then b takes its group.
rm -f "$root/ctl/fail"
wait_file "$root/rm/b/ga" 20 || fail "b never took a's group after the device came back"
grep -q "^reset a " "$root/ctl/resets" || fail "the device never reset a"
reset_ms=$(awk '/^reset a / {print $3; exit}' "$root/ctl/resets")
taken_ms=$(stat -c %.3Y "$root/rm/b/ga" | tr -d .)
[ "$reset_ms" -le "$taken_ms" ] || fail "b started a's group ($taken_ms) before the reset ($reset_ms)"
for _ in $(seq 1 100); do [ -z "$(ip netns pids "${prefix}a")" ] && break; sleep 0.02; done
[ -z "$(ip netns pids "${prefix}a")" ] || fail "a's processes survived the reset"
grep -q "node a now reset." "$root/b.log" || fail "b did not log the reset"
wait_for "d['resources']['counters']['stonith_resets']==1 and d['resources']['resets_pending']==[]" 5 ||
  fail "b's counters do not show the reset: $(query "d['resources']")"
echo "ok: the device reset a (its processes killed) $(( taken_ms - reset_ms )) ms before b started a's group"
keep_b_log
echo "stonith: PASS"
