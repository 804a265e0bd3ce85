#!/usr/bin/env bash
# Resource groups shared by our daemon and Debian's heartbeat 3.0.6 (its own ResourceManager,
# hooks and FIFO) in two network namespaces, auto_failback on: each takes its own group at start;
# the survivor takes the other's group after a SIGKILL, and gives it back when the node returns;
# hb_standby on either side (3.0.6's shell tool on its node, ours on ours), and Debian's hb_takeover
# and hb_standby against our daemon's FIFO, move everything.
# The resource is tests/integration/resource.d/rmtest (a marker file per node means "running").
# Usage: mixed_resources.sh BUILD_BIN_DIR. Exit 77 (ctest: skipped) without namespaces or 3.0.6.
set -u
bin=${1:?usage: mixed_resources.sh BIN_DIR}
hb=/usr/libexec/heartbeat/heartbeat
if [ ! -x "$hb" ]; then echo "SKIP: Debian's heartbeat 3.0.6 is not installed (apt-get install heartbeat)"; exit 77; fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/two_nodes.sh"
tag=$$
nsa=hbmixr-a-$tag nsb=hbmixr-b-$tag
root=$(mktemp -d /tmp/hbmixr-XXXXXX)
port=$((7900 + tag % 90))
keepalive=200 deadtime=1000
rm_dir=$root/rm
cleanup() {
  [ -f "$root/ours.pid" ] && kill -9 "$(cat "$root/ours.pid")" 2>/dev/null
  ip netns pids "$nsb" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns pids "$nsa" 2>/dev/null | xargs -r kill -9 2>/dev/null
  sleep 0.2
  ip netns del "$nsa" 2>/dev/null; ip netns del "$nsb" 2>/dev/null
  rm -rf "$root"
}
trap cleanup EXIT
if ! two_nodes_netns "$nsa" "$nsb" 10.79.3; then echo "SKIP: cannot create network namespaces here"; exit 77; fi

fail() {
  echo "FAIL: $*"
  echo "--- ours"; tail -n 60 "$root/ours.log"
  echo "--- heartbeat 3.0.6"; tail -n 60 "$t/ha-log" 2>/dev/null
  echo "--- resource calls"; cat "$rm_dir/calls" 2>/dev/null
  exit 1
}
key="1 sha1 mixed-resources-key"
groups="theirs rmtest::t1
ours rmtest::o1"
ours_config "$root/ours" "$port" "$keepalive" "$deadtime" 10.79.3.1 "ucast veth0 10.79.3.2" "$key"
t=$root/theirs
theirs_config "$t" "$port" "$keepalive" "$deadtime" "ucast veth0 10.79.3.1" "$key"
sed -i 's/^auto_failback off$/auto_failback on/' "$t/etc/ha.cf"
for d in "$root/ours/conf" "$t/etc"; do
  printf 'env RMTEST_DIR=%s\n' "$rm_dir" >>"$d/ha.cf"
  printf '%s\n' "$groups" >"$d/haresources"
  mkdir -p "$d/resource.d"; cp "$here/../integration/resource.d/rmtest" "$d/resource.d/rmtest"
  echo "$rm_dir" >"$d/resource.d/rmtest.dir"  # 3.0.6 hands its scripts no `env` lines
done
printf 'auto_failback on\napiauth anon uid=root\n' >>"$root/ours/conf/ha.cf"
mkdir -p "$rm_dir"

start_ours() {
  mkdir -p "$root/ours/run"
  ip netns exec "$nsa" unshare -m bash -c "
    mount --bind $root/ours/run /run/heartbeat 2>/dev/null || { mkdir -p /run/heartbeat; mount --bind $root/ours/run /run/heartbeat; }
    exec $bin/heartbeat -f -c $root/ours/conf -n ours --state-dir $root/ours/state \
      --pidfile $root/ours.pid --socket /run/heartbeat/register" 2>/dev/null &
}
start_theirs() { theirs_start "$t" "$nsb" "$hb"; }
no_pids_in() { [ -z "$(ip netns pids "$1")" ]; }
kill_theirs() {
  ip netns pids "$nsb" | xargs -r kill -9
  wait_for 5 no_pids_in "$nsb" || fail "heartbeat 3.0.6 did not die"
  rm -f "$t/run/heartbeat.pid"
}
# in_theirs CMD...: a command in 3.0.6's namespaces (its /etc/ha.d, /var/lib/heartbeat, hostname).
in_theirs() { nsenter -t "$(cat "$t/run/heartbeat.pid")" -m -n -u "$@"; }
rsc() {  # Debian's cl_status rscstatus against ours|theirs
  local pid
  if [ "$1" = ours ]; then pid=$(cat "$root/ours.pid" 2>/dev/null); else pid=$(cat "$t/run/heartbeat.pid" 2>/dev/null); fi
  [ -n "$pid" ] || return 1
  nsenter -t "$pid" -m -n cl_status rscstatus 2>/dev/null
}
holds() { [ -e "$rm_dir/$1/$2" ]; }
# wait_for SECONDS CMD...: until CMD succeeds (polled every 0.1 s).
wait_for() {
  local n=$(( $1 * 10 )); shift
  for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
rsc_is() { [ "$(rsc "$1")" = "$2" ]; }

start_theirs
start_ours
wait_for 40 rsc_is ours local || fail "ours never reported local (now: $(rsc ours))"
wait_for 40 rsc_is theirs local || fail "heartbeat 3.0.6 never reported local (now: $(rsc theirs))"
wait_for 20 holds ours o1 || fail "ours should run its own group"
wait_for 20 holds theirs t1 || fail "heartbeat 3.0.6 should run its own group"
holds ours t1 || holds theirs o1 && fail "a group runs on both nodes"
echo "ok: at start each node holds its own group (rscstatus local on both)"

# 3.0.6's node dies: we take its group.
kill_theirs
wait_for 20 holds ours t1 || fail "we never took heartbeat 3.0.6's group"
wait_for 10 rsc_is ours all || fail "ours should hold all (now: $(rsc ours))"
echo "ok: after a SIGKILL of heartbeat 3.0.6 we hold its group"

# It comes back (its resources died with it): auto_failback on gives the group back.
rm -rf "${rm_dir:?}/theirs"
start_theirs
wait_for 40 holds theirs t1 || fail "heartbeat 3.0.6 never got its group back"
wait_for 20 rsc_is ours local || fail "ours should be back to local (now: $(rsc ours))"
holds ours t1 && fail "we still run the group we gave back"
wait_for 20 rsc_is theirs local || fail "heartbeat 3.0.6 should be local (now: $(rsc theirs))"
echo "ok: on its return heartbeat 3.0.6 gets its group back (auto_failback on)"

# Our node dies: 3.0.6 takes our group; when we are back (auto_failback on) it gives it back.
kill -9 "$(cat "$root/ours.pid")"
rm -rf "${rm_dir:?}/ours"
wait_for 20 holds theirs o1 || fail "heartbeat 3.0.6 never took our group"
wait_for 10 rsc_is theirs all || fail "heartbeat 3.0.6 should hold all (now: $(rsc theirs))"
echo "ok: after a SIGKILL of ours heartbeat 3.0.6 holds our group"
start_ours
wait_for 40 holds ours o1 || fail "we never got our group back from heartbeat 3.0.6"
wait_for 20 rsc_is theirs local || fail "heartbeat 3.0.6 should be local again (now: $(rsc theirs))"
wait_for 20 rsc_is ours local || fail "ours should be local again (now: $(rsc ours))"
holds theirs o1 && fail "heartbeat 3.0.6 still runs o1"
echo "ok: after our restart heartbeat 3.0.6 gave our group back"

# hb_standby on 3.0.6's node (its own shell tool): everything moves to us.
in_theirs /usr/share/heartbeat/hb_standby all >/dev/null 2>&1 || fail "3.0.6's hb_standby failed"
wait_for 30 rsc_is ours all || fail "ours should hold all after 3.0.6's hb_standby (now: $(rsc ours))"
wait_for 10 holds ours t1 || fail "we do not run t1 after 3.0.6's standby"
holds theirs t1 && fail "heartbeat 3.0.6 still runs t1 after its standby"
echo "ok: hb_standby on heartbeat 3.0.6 moved everything to us"

# Our hb_standby: everything moves to 3.0.6's node.
"$bin/hb_standby" --fifo "$root/ours/state/fifo" all >/dev/null || fail "our hb_standby failed"
wait_for 30 rsc_is theirs all || fail "heartbeat 3.0.6 should hold all after our hb_standby (now: $(rsc theirs))"
wait_for 10 holds theirs o1 || fail "heartbeat 3.0.6 does not run o1"
holds ours o1 && fail "we still run o1 after our standby"
holds ours t1 && fail "we still run t1 after our standby"
echo "ok: our hb_standby moved everything to heartbeat 3.0.6"

# Debian's own hb_takeover, run on our node against our daemon's FIFO: everything comes to us.
HA_FIFO=$root/ours/state/fifo /usr/share/heartbeat/hb_takeover all >/dev/null 2>&1 || fail "3.0.6's hb_takeover on our node failed"
wait_for 30 rsc_is ours all || fail "ours should hold all after hb_takeover (now: $(rsc ours))"
wait_for 10 holds ours o1 && wait_for 10 holds ours t1 || fail "we do not run both groups after hb_takeover"
holds theirs t1 && fail "heartbeat 3.0.6 still runs t1 after our hb_takeover"
echo "ok: Debian's hb_takeover against our daemon moved everything to us"

# Debian's own hb_standby against our daemon's FIFO: everything goes to 3.0.6's node again.
HA_FIFO=$root/ours/state/fifo /usr/share/heartbeat/hb_standby all >/dev/null 2>&1 || fail "3.0.6's hb_standby on our node failed"
wait_for 30 rsc_is theirs all || fail "heartbeat 3.0.6 should hold all after hb_standby on our node (now: $(rsc theirs))"
wait_for 10 holds theirs o1 && wait_for 10 holds theirs t1 || fail "heartbeat 3.0.6 does not run both groups"
holds ours o1 && fail "we still run o1 after Debian's hb_standby on our node"
echo "ok: Debian's hb_standby against our daemon moved everything to heartbeat 3.0.6"
echo "mixed resources: PASS"
