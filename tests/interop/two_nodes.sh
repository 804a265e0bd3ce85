# Sourced by the interop tests: our daemon as node "ours" and Debian's heartbeat 3.0.6 as node
# "theirs", in two network namespaces joined by a veth pair (PREFIX.1 is ours, PREFIX.2 theirs).
# heartbeat 3.0.6 knows only its default paths, so it runs in a mount and UTS namespace of its own
# with a private /etc/ha.d, /run and /var/lib/heartbeat under DIR.

# two_nodes_netns NSA NSB PREFIX: fails (for a SKIP) where namespaces or veth cannot be made.
two_nodes_netns() {
  ip netns add "$1" 2>/dev/null && ip netns add "$2" 2>/dev/null || return 1
  ip link add veth0 netns "$1" type veth peer name veth0 netns "$2" 2>/dev/null || return 1
  ip -n "$1" addr add "$3.1/24" brd + dev veth0
  ip -n "$2" addr add "$3.2/24" brd + dev veth0
  for n in "$1" "$2"; do ip -n "$n" link set lo up; ip -n "$n" link set veth0 up; done
}

# ours_config DIR PORT KEEPALIVE_MS DEADTIME_MS BIND_ADDR MEDIUM_LINE KEY_LINE: DIR/conf, DIR/state;
# the log is DIR.log.
ours_config() {
  mkdir -p "$1/conf" "$1/state"
  cat >"$1/conf/ha.cf" <<CF
node ours theirs
udpport $2
keepalive ${3}ms
deadtime ${4}ms
warntime $(($4 / 2))ms
initdead $((2 * $4))ms
bind $5
$6
logfacility none
logfile $1.log
CF
  printf 'auth 1\n%s\n' "$7" >"$1/conf/authkeys"; chmod 600 "$1/conf/authkeys"
  : >"$1/conf/haresources"
}

# theirs_config DIR PORT KEEPALIVE_MS DEADTIME_MS MEDIUM_LINE KEY_LINE: heartbeat 3.0.6's private
# directories under DIR; its log is DIR/ha-log.
theirs_config() {
  mkdir -p "$1/etc" "$1/run/heartbeat/ccm" "$1/run/heartbeat/crm" "$1/run/heartbeat/dopd" "$1/run/crm" \
    "$1/run/lock" "$1/lib"
  cp -a /etc/ha.d/. "$1/etc/"
  chown -R hacluster:haclient "$1/run/heartbeat" "$1/run/crm"; chmod 750 "$1/run/heartbeat"
  cat >"$1/etc/ha.cf" <<CF
udpport $2
keepalive ${3}ms
deadtime ${4}ms
warntime $(($4 / 2))ms
initdead $((2 * $4))ms
logfile $1/ha-log
auto_failback off
pacemaker off
$5
node theirs
node ours
CF
  printf 'auth 1\n%s\n' "$6" >"$1/etc/authkeys"; chmod 600 "$1/etc/authkeys"
  : >"$1/etc/haresources"
}

# theirs_start DIR NETNS HEARTBEAT_BINARY: in the background; the launcher's pid goes to
# DIR/../theirs.launcher (heartbeat 3.0.6's own pid is in DIR/run/heartbeat.pid).
theirs_start() {
  ip netns exec "$2" unshare -m -u bash -c "
    hostname theirs
    mount --bind $1/etc /etc/ha.d
    mount --bind $1/run /run
    mount --bind $1/lib /var/lib/heartbeat
    exec setsid $3 </dev/null >>$1/stdout 2>&1" &
  echo $! >"$1/../theirs.launcher"
}

# wait_log FILE TEXT SECONDS
wait_log() {
  for _ in $(seq 1 $(( $3 * 50 ))); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.02; done
  return 1
}

# both_start BIN_DIR ROOT NSA NSB HEARTBEAT_BINARY: our daemon (configured by ours_config in
# ROOT/ours, its socket ROOT/ours/register) in NSA and heartbeat 3.0.6 (theirs_config in
# ROOT/theirs) in NSB, until each sees the other active; sets `theirs` to heartbeat 3.0.6's pid.
# Calls the script's `fail` when they do not.
both_start() {
  ip netns exec "$3" "$1/heartbeat" -f -c "$2/ours/conf" -n ours --state-dir "$2/ours/state" \
    --pidfile "$2/ours.pid" --socket "$2/ours/register" 2>/dev/null &
  disown
  theirs_start "$2/theirs" "$4" "$5"
  disown
  wait_log "$2/theirs/ha-log" "Status update for node ours: status active" 30 || fail "heartbeat 3.0.6 never saw us active"
  wait_log "$2/ours.log" "Status update for node theirs: status active" 30 || fail "we never saw heartbeat 3.0.6 active"
  for _ in $(seq 1 100); do [ -s "$2/theirs/run/heartbeat.pid" ] && break; sleep 0.05; done
  theirs=$(tr -dc 0-9 <"$2/theirs/run/heartbeat.pid" 2>/dev/null)
  [ -n "$theirs" ] || fail "no heartbeat 3.0.6 pidfile"
}

# both_stop ROOT NSA NSB: our daemon, heartbeat 3.0.6's launcher and every process left in the two
# namespaces (heartbeat 3.0.6's master and its children) killed; the namespaces and ROOT removed.
both_stop() {
  [ -f "$1/ours.pid" ] && kill -9 "$(cat "$1/ours.pid")" 2>/dev/null
  [ -f "$1/theirs.launcher" ] && kill -9 "$(cat "$1/theirs.launcher")" 2>/dev/null
  for n in "$3" "$2"; do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  for _ in $(seq 1 50); do
    [ -z "$(ip netns pids "$2" 2>/dev/null)$(ip netns pids "$3" 2>/dev/null)" ] && break
    sleep 0.05
  done
  ip netns del "$2" 2>/dev/null; ip netns del "$3" 2>/dev/null
  rm -rf "$1"
}
