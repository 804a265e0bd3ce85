#!/usr/bin/env bash
# heartbeat3.sh: hbbench's driver for Debian's heartbeat 3.0.6 (/usr/libexec/heartbeat/heartbeat, package
# heartbeat 1:3.0.6). The contract is bench/systems/README.md:
#
#   heartbeat3.sh start WORK N KEEPALIVE_MS DEADTIME_MS | pids WORK I | restart WORK I | exec WORK I CMD...
#   heartbeat3.sh stop WORK | version
#
# Node nI (I = 1..N, 2 <= N <= 64) runs in network namespace hbb3-nI: veth eth0 = 10.84.0.I/16, its peer pI on
# the bridge hbb3br inside namespace hbb3-br. heartbeat speaks `bcast eth0` on udpport 7960, sha1 auth,
# `pacemaker off`, an empty haresources. heartbeat only knows its default paths, so every node also has a
# mount and UTS namespace of its own (hostname nI) in which WORK/nI/etc, WORK/nI/run and WORK/nI/lib are
# bind-mounted over /etc/ha.d, /run (so /var/run: the API socket /var/run/heartbeat/register, the pidfile
# /var/run/heartbeat.pid) and /var/lib/heartbeat. Logs: WORK/nI/ha-log (heartbeat), WORK/nI/stdout.
#
# Timing: keepalive KEEPALIVE_MS, deadtime DEADTIME_MS, warntime DEADTIME_MS, initdead max(2 x DEADTIME_MS,
# 2000), all of which heartbeat 3.0.6 takes as they are (checked: it accepts any warntime > 0, even >= deadtime;
# it refuses initdead < deadtime and deadtime <= 2 x keepalive, "Dead time [..] is too small compared to
# keeplive [..]", so `start` refuses such a pair itself; initdead < 10 s only draws a warning).
#
# `exec` enters node I's network namespace (ip netns exec), makes a fresh mount + UTS namespace (unshare)
# with the same three bind mounts and execs CMD: ip, unshare and sh all exec, so the pid the caller spawned
# is CMD's. It works while node I is down too (a client can wait for a restarted daemon).
#
# `pids` lists every process in netns hbb3-nI whose executable is heartbeat's, plus every descendant of the
# master named in node I's pidfile: master control process, FIFO reader, bcast writer, bcast reader (4).
#
# heartbeat is started as `heartbeat -M` (no resource management: see hb_flags), otherwise stock; it runs
# its processes SCHED_RR priority 1 and tries to mlock them (the master's mlockall fails on this VM:
# "Cannot lock ourselves into memory", the children lock ~7 MB each).
#
# `stop` sends SIGTERM to each master (heartbeat's own shutdown), waits up to STOP_WAIT seconds (default 10;
# 16 nodes stopping together need ~13 s: each waits for the others' acks), SIGTERM then SIGKILL to
# whatever is left, then ends the processes `exec` started that still live in an hbb3-* netns (TERM, then
# KILL after 2 s), deletes every hbb3-* namespace (whoever started them: one run at a time) and unmounts
# anything still mounted below WORK. Nothing is mounted outside the nodes' private mount namespaces,
# which vanish with their last process. It runs at SCHED_RR priority 2 (see the end of this file).
set -u
shopt -s nullglob

HB=${HB3_BINARY:-/usr/libexec/heartbeat/heartbeat}
PORT=7960
BR=hbb3-br
PFX=hbb3-n
NET=10.84.0
MAXN=64

die() { echo "heartbeat3.sh: $*" >&2; exit 1; }
log() { echo "heartbeat3.sh: $*" >&2; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
# alive PID: PID exists and is not a zombie (a daemonized heartbeat is reaped by init, maybe late).
alive() {
  local s
  read -r s 2>/dev/null <"/proc/$1/stat" || return 1
  s=${s##*) }
  [ "${s%% *}" != Z ]
}

# The contract's warntime and initdead (heartbeat 3.0.6 accepts both for every deadtime > 2 x keepalive).
warntime_ms() { echo "$1"; }
initdead_ms() { local d=$((2 * $1)); ((d < 2000)) && d=2000; echo "$d"; }

node_dir() { echo "$1/n$2"; }

# node_conf WORK I N KA DT: WORK/nI/{etc,run,lib} and heartbeat's configuration.
node_conf() {
  local work=$1 i=$2 n=$3 ka=$4 dt=$5 root j
  root=$(node_dir "$work" "$i")
  rm -rf "$root"
  mkdir -p "$root/etc" "$root/run/heartbeat/ccm" "$root/run/heartbeat/crm" "$root/run/heartbeat/dopd" \
    "$root/run/crm" "$root/run/lock" "$root/lib" || return 1
  # /var/lib/heartbeat's skeleton (api, casual, cores, ...) without any node identity of the host.
  cp -a /var/lib/heartbeat/. "$root/lib/" 2>/dev/null
  rm -f "$root/lib/hb_uuid" "$root/lib/hostcache" "$root/lib/delhostcache" "$root/lib/hb_generation" \
    "$root/lib/fifo"
  cp -a /etc/ha.d/. "$root/etc/"
  chown -R hacluster:haclient "$root/run/heartbeat" "$root/run/crm" 2>/dev/null
  chmod 750 "$root/run/heartbeat"
  {
    echo "keepalive ${ka}ms"
    echo "deadtime ${dt}ms"
    echo "warntime $(warntime_ms "$dt")ms"
    echo "initdead $(initdead_ms "$dt")ms"
    echo "udpport $PORT"
    echo "bcast eth0"
    echo "logfacility none"
    echo "logfile $root/ha-log"
    echo "debugfile $root/ha-debug"
    echo "auto_failback off"
    echo "pacemaker off"
    echo "apiauth default uid=root"
    echo "apiauth bench uid=root"
    echo "apiauth ping uid=root"
    for ((j = 1; j <= n; j++)); do echo "node n$j"; done
  } >"$root/etc/ha.cf"
  : >"$root/etc/haresources"
  printf 'auth 1\n1 sha1 hbbench-heartbeat3-key\n' >"$root/etc/authkeys"
  chmod 600 "$root/etc/authkeys"
}

# The shell that sets up a node's mount + UTS view; "$@" is then exec'ed. /run is bound last, in case WORK
# lies below /run.
# shellcheck disable=SC2016 # expanded by that shell
ns_setup='hostname "$HBB3_NAME" && mount --bind "$HBB3_ROOT/etc" /etc/ha.d &&
  mount --bind "$HBB3_ROOT/lib" /var/lib/heartbeat && mount --bind "$HBB3_ROOT/run" /run && exec "$@"'

# heartbeat's flags. -M (DoManageResources = 0): heartbeat does not run its legacy resource scripts. With
# `pacemaker off` it otherwise forks harc, ResourceManager, mach_down... for every status change of every
# node (16 nodes: ~500 script runs, 7000 forks in the first 20 s; 64 nodes: a fork storm that kept a
# 2-core machine at load > 4000 for half an hour). There are no resources here (haresources is empty), so
# membership and messaging are unchanged. HB3_MANAGE_RESOURCES=1 restores stock behaviour.
hb_flags() { [ "${HB3_MANAGE_RESOURCES:-0}" = 1 ] || echo -M; }

# node_launch WORK I: heartbeat daemonizes; the launcher's pid goes to WORK/nI/launcher.pid.
node_launch() {
  local work=$1 i=$2 root
  root=$(node_dir "$work" "$i")
  # shellcheck disable=SC2046
  HBB3_NAME=n$i HBB3_ROOT=$root setsid ip netns exec "$PFX$i" unshare -m -u --propagation private \
    /bin/sh -c "$ns_setup" "hbb3-n$i" "$HB" $(hb_flags) </dev/null >>"$root/stdout" 2>&1 &
  echo $! >"$root/launcher.pid"
}

# master_pid WORK I: the pid in node I's pidfile if that process is heartbeat in netns hbb3-nI.
master_pid() {
  local root p
  root=$(node_dir "$1" "$2")
  p=$(cat "$root/run/heartbeat.pid" 2>/dev/null) || return 1
  p=${p//[^0-9]/}
  [ -n "$p" ] && [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$HB" ] || return 1
  [ "$(stat -L -c %i "/proc/$p/ns/net" 2>/dev/null)" = "$(stat -L -c %i "/run/netns/$PFX$2" 2>/dev/null)" ] ||
    return 1
  echo "$p"
}

# descendants PID: every descendant of PID (from /proc/PID/task/*/children).
descendants() {
  local queue=("$1") q f c kids
  while ((${#queue[@]})); do
    q=${queue[0]}
    queue=("${queue[@]:1}")
    for f in /proc/"$q"/task/*/children; do
      kids=()
      read -r -a kids 2>/dev/null <"$f"
      for c in "${kids[@]}"; do
        echo "$c"
        queue+=("$c")
      done
    done
  done
}

# node_pids NETNS_NAME [MASTER]: heartbeat processes in the netns, plus the master's descendants.
node_pids() {
  local ns=$1 m=${2:-} p
  {
    for p in $(ip netns pids "$ns" 2>/dev/null); do
      [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$HB" ] && echo "$p"
    done
    if [ -n "$m" ]; then
      echo "$m"
      descendants "$m"
    fi
  } | sort -n -u | while read -r p; do alive "$p" && echo "$p"; done
}

cmd_version() {
  local v
  v=$("$HB" -V 2>/dev/null | awk 'NR == 1 { print $1 }')
  echo "heartbeat ${v:-3.0.6}"
}

# net_up N: the namespaces, bridge and veth pairs. hbb3-br is made first and serves as the lock: when it
# exists already (another run), nothing is touched and the result is 2. On another failure the result is 1
# and net_down removes what this call made.
net_up() {
  local n=$1 i
  ip netns add "$BR" 2>/dev/null || return 2
  ip -n "$BR" link set lo up
  ip -n "$BR" link add hbb3br type bridge stp_state 0 forward_delay 0 || return 1
  ip -n "$BR" link set hbb3br up
  for ((i = 1; i <= n; i++)); do
    ip netns add "$PFX$i" || return 1
    ip link add eth0 netns "$PFX$i" type veth peer name "p$i" netns "$BR" || return 1
    ip -n "$BR" link set "p$i" master hbb3br || return 1
    ip -n "$BR" link set "p$i" up
    ip -n "$PFX$i" addr add "$NET.$i/16" brd + dev eth0 || return 1
    ip -n "$PFX$i" link set lo up
    ip -n "$PFX$i" link set eth0 up || return 1
  done
}

# net_down N: deletes this run's namespaces hbb3-n1..N and hbb3-br (the veth pairs go with them).
net_down() {
  local i
  for ((i = 1; i <= $1; i++)); do ip netns del "$PFX$i" 2>/dev/null; done
  ip netns del "$BR" 2>/dev/null
  return 0
}

cmd_start() {
  [ $# -eq 4 ] || die "usage: start WORK N KEEPALIVE_MS DEADTIME_MS"
  local work=$1 n=$2 ka=$3 dt=$4 i
  is_uint "$n" && is_uint "$ka" && is_uint "$dt" || die "N, KEEPALIVE_MS and DEADTIME_MS must be integers"
  ((n >= 2 && n <= MAXN)) || die "N must be 2..$MAXN (got $n)"
  ((ka > 0)) || die "KEEPALIVE_MS must be > 0"
  ((dt > 2 * ka)) || die "heartbeat 3.0.6 needs deadtime > 2 x keepalive (got keepalive ${ka}ms deadtime ${dt}ms)"
  [ "$(id -u)" = 0 ] || die "must run as root"
  [ -x "$HB" ] || die "$HB not found (apt-get install heartbeat)"
  command -v unshare >/dev/null || die "unshare (util-linux) not found"
  ip netns list 2>/dev/null | grep -q "^hbb3-" && die "hbb3-* namespaces exist already (a run still up?): run '$0 stop WORK' first"
  mkdir -p "$work" || die "cannot create $work"
  work=$(cd "$work" && pwd -P)
  printf 'N=%s\nKEEPALIVE_MS=%s\nDEADTIME_MS=%s\nHB3_MANAGE_RESOURCES=%s\n' "$n" "$ka" "$dt" \
    "${HB3_MANAGE_RESOURCES:-0}" >"$work/hbb3.conf"
  log "keepalive ${ka}ms deadtime ${dt}ms warntime $(warntime_ms "$dt")ms initdead $(initdead_ms "$dt")ms," \
    "$n nodes, heartbeat flags: $(hb_flags)"
  net_up "$n"
  case $? in
  0) ;;
  2) die "namespace $BR exists already (another run?): run '$0 stop WORK' first" ;;
  *)
    net_down "$n"
    die "cannot create the namespaces / veth pairs"
    ;;
  esac
  for ((i = 1; i <= n; i++)); do
    node_conf "$work" "$i" "$n" "$ka" "$dt" || die "cannot write node n$i's configuration under $work"
  done
  for ((i = 1; i <= n; i++)); do node_launch "$work" "$i"; done
  wait_launched "$work" $(seq 1 "$n") || die "not every node came up (see $work/n*/ha-log, $work/n*/stdout)"
}

# wait_launched WORK I...: until every node's master has written its pidfile and forked its children (3:
# FIFO reader, bcast writer, bcast reader), at most 30 s. Gives up at once on a node whose launcher
# (heartbeat before it daemonizes) exited with an error, e.g. a configuration error.
wait_launched() {
  local work=$1 t i m ok l
  local -A gone=()
  shift
  for ((t = 0; t < 300; t++)); do # 30 s
    ok=1
    for i in "$@"; do
      if m=$(master_pid "$work" "$i") && [ "$(node_pids "$PFX$i" "$m" | wc -l)" -ge 4 ]; then continue; fi
      ok=0
      l=$(cat "$(node_dir "$work" "$i")/launcher.pid" 2>/dev/null)
      if [ -z "$m" ] && [ -z "${gone[$i]:-}" ] && [ -n "$l" ] && ! alive "$l"; then
        # heartbeat before it daemonized: exit 0 once it forked the daemon, else a configuration error
        wait "$l" 2>/dev/null
        gone[$i]=$?
        if [ "${gone[$i]}" != 0 ] && [ "${gone[$i]}" != 127 ]; then
          log "node n$i: heartbeat exited with status ${gone[$i]}:" \
            "$(grep -h ERROR "$(node_dir "$work" "$i")/ha-log" 2>/dev/null | tail -2)"
          return 1
        fi
      fi
      break
    done
    ((ok)) && return 0
    sleep 0.1
  done
  for i in "$@"; do master_pid "$work" "$i" >/dev/null || log "node n$i: no heartbeat running"; done
  return 1
}

node_arg() {
  local work=$1 i=$2
  [ -f "$work/hbb3.conf" ] || die "$work/hbb3.conf not found: no run started in $work"
  is_uint "$i" || die "bad node number $i"
  # shellcheck disable=SC1091
  . "$work/hbb3.conf"
  ((i >= 1 && i <= N)) || die "node $i is not in 1..$N"
}

cmd_pids() {
  [ $# -eq 2 ] || die "usage: pids WORK I"
  node_arg "$@"
  node_pids "$PFX$2" "$(master_pid "$1" "$2")"
}

cmd_restart() {
  [ $# -eq 2 ] || die "usage: restart WORK I"
  local work=$1 i=$2 root t
  node_arg "$@"
  root=$(node_dir "$work" "$i")
  for ((t = 0; t < 50; t++)); do
    [ -z "$(node_pids "$PFX$i")" ] && break
    sleep 0.1
  done
  [ -z "$(node_pids "$PFX$i")" ] || die "node n$i still has heartbeat processes: $(node_pids "$PFX$i" | tr '\n' ' ')"
  rm -f "$root/run/heartbeat.pid" "$root/run/heartbeat/register" "$root/lib/fifo"
  find "$root/run" -type s -delete 2>/dev/null
  node_launch "$work" "$i"
  wait_launched "$work" "$i" || die "node n$i did not come up (see $root/ha-log)"
}

cmd_exec() {
  [ $# -ge 3 ] || die "usage: exec WORK I CMD [ARGS...]"
  local work=$1 i=$2
  node_arg "$work" "$i"
  shift 2
  HBB3_NAME=n$i HBB3_ROOT=$(node_dir "$work" "$i") exec ip netns exec "$PFX$i" unshare -m -u --propagation private \
    /bin/sh -c "$ns_setup" "hbb3-n$i" "$@"
}

# kill_wait SIG SECONDS PID...: send SIG (0: none), wait until all are gone or SECONDS pass; prints the survivors.
kill_wait() {
  local sig=$1 secs=$2 t p left
  shift 2
  [ $# -gt 0 ] || return 0
  kill "-$sig" "$@" 2>/dev/null
  for ((t = 0; t < secs * 10; t++)); do
    left=()
    for p in "$@"; do alive "$p" && left+=("$p"); done
    ((${#left[@]})) || return 0
    sleep 0.1
  done
  printf '%s\n' "${left[@]}"
}

cmd_stop() {
  [ $# -eq 1 ] || die "usage: stop WORK"
  local work=$1 ns i m all=() masters=() others=() p left rc=0 mnt
  work=$(cd "$work" 2>/dev/null && pwd -P) || work=$1
  local spaces
  spaces=$(ip netns list 2>/dev/null | awk '$1 ~ /^hbb3-/ { print $1 }')
  # SIGTERM to every master named by a pidfile at once, before the slower scan for all processes
  # (heartbeat's shutdown takes seconds and runs in parallel).
  for ns in $spaces; do
    [ "$ns" = "$BR" ] && continue
    m=$(master_pid "$work" "${ns#"$PFX"}" 2>/dev/null) && masters+=("$m")
  done
  ((${#masters[@]})) && kill -TERM "${masters[@]}" 2>/dev/null
  for ns in $spaces; do
    [ "$ns" = "$BR" ] && continue
    i=${ns#"$PFX"}
    m=$(master_pid "$work" "$i" 2>/dev/null)
    for p in $(node_pids "$ns" "$m"); do all+=("$p"); done
  done
  # launchers still waiting (a daemon that never daemonized)
  for f in "$work"/n*/launcher.pid; do
    p=$(cat "$f" 2>/dev/null)
    [ -n "$p" ] && alive "$p" && all+=("$p")
  done
  # heartbeat's own shutdown first (the masters have their SIGTERM), then SIGTERM to everything left.
  left=$(kill_wait 0 "${STOP_WAIT:-10}" "${masters[@]}")
  left=$(
    for p in "${all[@]}"; do alive "$p" && echo "$p"; done
  )
  if [ -n "$left" ]; then
    # shellcheck disable=SC2086
    left=$(kill_wait TERM 2 $left)
    # shellcheck disable=SC2086
    [ -n "$left" ] && { log "SIGKILL to heartbeat processes: ${left//$'\n'/ }"; kill_wait KILL 5 $left >/dev/null; }
  fi
  # whatever `exec` started (agents, cl_status) and still lives in one of our namespaces
  for ns in $spaces; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do others+=("$p"); done
  done
  if ((${#others[@]})); then
    left=$(kill_wait TERM 2 "${others[@]}")
    # shellcheck disable=SC2086
    [ -n "$left" ] && kill_wait KILL 5 $left >/dev/null
  fi
  for ns in $spaces; do
    ip netns del "$ns" 2>/dev/null || { log "cannot delete netns $ns"; rc=1; }
  done
  # nothing should be mounted below WORK in this namespace; unmount it if something is
  if [ -d "$work" ]; then
    while read -r mnt; do umount -l "$mnt" 2>/dev/null; done < <(awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r)
  fi
  for p in "${all[@]}"; do
    alive "$p" && { log "process $p survived"; rc=1; }
  done
  return $rc
}

# heartbeat runs SCHED_RR priority 1 (all its processes). When 64 nodes saturate the CPUs, a normal
# process gets only the kernel's 5% non-real-time share and `stop` took minutes; so `stop` runs itself at
# SCHED_RR priority 2 (it only sleeps, scans /proc and signals). HB3_STOP_RT=0 turns this off.
if [ "${1:-}" = stop ] && [ "${HB3_STOP_RT:-1}" = 1 ] && [ -z "${HBB3_RT:-}" ] && command -v chrt >/dev/null; then
  HBB3_RT=1 exec chrt -r 2 "$BASH" "$0" "$@"
fi

case ${1:-} in
start | pids | restart | exec | stop)
  c=$1
  shift
  "cmd_$c" "$@"
  ;;
version) cmd_version ;;
*) die "usage: $0 start WORK N KEEPALIVE_MS DEADTIME_MS | pids WORK I | restart WORK I | exec WORK I CMD... | stop WORK | version" ;;
esac
