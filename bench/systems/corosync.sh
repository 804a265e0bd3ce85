#!/usr/bin/env bash
# corosync.sh - hbbench driver for Corosync 3.1.7 (Debian's corosync package). Contract: README.md here.
#
#   corosync.sh start WORK N KEEPALIVE_MS DEADTIME_MS
#   corosync.sh pids WORK I | restart WORK I | exec WORK I CMD [ARGS...] | stop WORK | version
#
# Layout (root only):
#   netns hbbc-br    bridge br0; one port hbbcvI per node (the veth peer of node I's eth0)
#   netns hbbc-nI    lo + eth0 = 10.85.0.I/16; corosync -f runs here, in its own private mount namespace in
#                    which these are bind-mounted (created by `start`):
#                       /etc/corosync       <- WORK/nI/etc   (corosync.conf, authkey 0400)
#                       /run (= /var/run)   <- WORK/nI/run   (corosync's lock file)
#                       /var/lib/corosync   <- WORK/nI/lib
#                       /var/log/cluster    <- WORK/nI/log-cluster   (corosync.log)
#                       /var/log/corosync   <- WORK/nI/log-corosync
#                       /dev/shm            <- WORK/nI/shm, a symlink to /dev/shm/hbbc-nI: a private directory
#                                              per node on the host's tmpfs (libqb IPC rings and the 8 MB
#                                              blackbox files stay in memory; `stop` deletes them)
#   knet over UDP port 7970 only (one link), crypto aes256/sha256, authkey WORK/authkey made once per WORK.
#   Everything a node is, is in its netns (knet, and libqb's abstract IPC sockets) and in those directories,
#   so `exec` joins the node's netns and either corosync's own mount namespace (nsenter, while it runs) or a
#   new one with the same bind mounts (while it does not).
# Files in WORK: cluster.env (the parameters of `start`), corosync.conf, authkey, pids.log (every corosync pid
# ever launched), nI/corosync.pid (the current one), nI/corosync.out (its stdout/stderr),
# nI/log-cluster/corosync.log.
# `stop`: SIGTERM (then SIGKILL after 5 s) to every recorded corosync pid that is still corosync, the same to
# any process still inside an hbbc-* netns (clients started with `exec`), then deletes the hbbc-* namespaces
# (the veths and the bridge go with them) and /dev/shm/hbbc-n*. No mount is made outside the nodes' own mount
# namespaces. A `start` that fails undoes itself the same way.
#
# Timing: corosync has no keepalive/deadtime. DEADTIME_MS maps to the totem token (logged on stderr):
#   deadtime <= 1000  -> token 200, knet_ping_interval 200, knet_ping_timeout 1000 (token 200 with knet's
#                        default ping timers flaps, see the anchors)
#   deadtime >  1000  -> token = deadtime / 3   (3000 -> 1000, the anchors' reference configuration)
# always token_coefficient 0 (the runtime token does not grow with the node count) and the default consensus
# (1.2 x token); KEEPALIVE_MS is not used. Corosync detects a dead node after about token + consensus.
# Quorum: votequorum, two_node for N = 2. corosync keeps its default scheduling (SCHED_RR, priority 99).
# Scale (2 vCPU test machine): 2, 3, 16 and 32 nodes converge (32: ~13 s from `start`); 64 nodes are launched
# and stopped cleanly but did not form one ring within 3 minutes (the CPU is saturated, corosync logs main
# process pauses of up to 27 s; the largest ring seen had 8 members) - with or without SCHED_RR.
set -euo pipefail

PORT=7970
SUBNET=10.85
NS=hbbc
BR_NS=hbbc-br
SHM_BASE=/dev/shm/hbbc-n # + I: the nodes' private /dev/shm directories
COROSYNC=$(command -v corosync 2>/dev/null || echo /usr/sbin/corosync)

die() { echo "corosync.sh: $*" >&2; exit 1; }
log() { echo "corosync.sh: $*" >&2; }

usage() {
  cat >&2 <<'EOF'
usage: corosync.sh start WORK N KEEPALIVE_MS DEADTIME_MS
       corosync.sh pids WORK I
       corosync.sh restart WORK I
       corosync.sh exec WORK I CMD [ARGS...]
       corosync.sh stop WORK
       corosync.sh version
EOF
  exit 1
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]] && [ "${#1}" -le 9 ]; }
need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }
need_tools() {
  local t
  for t in ip unshare nsenter mount; do command -v "$t" >/dev/null 2>&1 || die "$t not found (iproute2/util-linux)"; done
  [ -x "$COROSYNC" ] || die "corosync not found (scripts/install-bench-deps.sh installs it)"
}

# WORK as an absolute path; it must not lie below a directory a node bind-mounts over.
work_dir() {
  local w
  [ -n "${1:-}" ] || usage
  w=$(realpath -m -- "$1")
  case "$w/" in
    /run/*|/var/run/*|/dev/shm/*|/etc/corosync/*|/var/lib/corosync/*|/var/log/cluster/*|/var/log/corosync/*)
      die "WORK ($w) must not be below /run, /dev/shm, /etc/corosync, /var/lib/corosync or /var/log/{cluster,corosync}";;
  esac
  echo "$w"
}

load_env() { # load_env WORK: N, DEADTIME, TOKEN, ... from `start`
  [ -r "$1/cluster.env" ] || die "$1/cluster.env not found: no cluster was started with this WORK"
  # shellcheck disable=SC1091
  . "$1/cluster.env"
}

node_index() { # node_index I: checks 1 <= I <= N
  is_uint "$1" && [ "$1" -ge 1 ] && [ "$1" -le "$N" ] || die "node '$1' is not in 1..$N"
}

ns_exists() { [ -e "/run/netns/$1" ]; }

# node_pid WORK I: prints the pid of node I's corosync if it runs (recorded pid, still corosync, still in
# netns hbbc-nI); returns 1 otherwise.
node_pid() {
  local f=$1/n$2/corosync.pid p
  [ -r "$f" ] || return 1
  p=$(tr -dc '0-9' <"$f")
  [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = corosync ] || return 1
  ns_exists "$NS-n$2" || return 1
  [ "$(stat -L -c %i "/proc/$p/ns/net" 2>/dev/null)" = "$(stat -L -c %i "/run/netns/$NS-n$2" 2>/dev/null)" ] || return 1
  echo "$p"
}

# in_node_ns WORK I CMD...: exec CMD in node I's netns and a new private mount namespace with the node's bind
# mounts. ip netns exec -> unshare -> sh -> CMD, each one exec'ing the next: the pid stays the caller's.
in_node_ns() {
  local r=$1/n$2 i=$2
  shift 2
  exec ip netns exec "$NS-n$i" unshare --mount --propagation private -- /bin/sh -c '
    r=$1; shm=$2; shift 2
    mount --bind "$r/etc" /etc/corosync &&
    mount --bind "$r/lib" /var/lib/corosync &&
    mount --bind "$r/log-cluster" /var/log/cluster &&
    mount --bind "$r/log-corosync" /var/log/corosync &&
    mount --bind "$r/run" /run &&
    mount --bind "$shm" /dev/shm || { echo "corosync.sh: the bind mounts of $r failed" >&2; exit 97; }
    exec "$@"' corosync.sh "$r" "$SHM_BASE$i" "$@"
}

# launch WORK I: starts node I's corosync in the background, records its pid; does not wait.
launch() {
  local w=$1 i=$2 r=$1/n$2
  ns_exists "$NS-n$i" || die "network namespace $NS-n$i does not exist (start first)"
  # a killed corosync leaves its libqb files (blackbox 2 x 8 MB, IPC rings): the node's /dev/shm starts empty.
  # The directory itself stays (same inode): clients exec'd while the node was down have it bind-mounted.
  mkdir -p "$SHM_BASE$i"
  chmod 1777 "$SHM_BASE$i"
  find "$SHM_BASE$i" -mindepth 1 -delete
  rm -f "$r/run/corosync.pid"
  in_node_ns "$w" "$i" "$COROSYNC" -f </dev/null >>"$r/corosync.out" 2>&1 &
  local p=$!
  echo "$p" >"$r/corosync.pid"
  echo "$p" >>"$w/pids.log"
}

# wait_launched WORK I...: until each node's recorded pid is corosync itself (the exec chain is done), 10 s +
# 0.5 s per node at most; then checks that none has exited right away (configuration errors).
wait_launched() {
  local w=$1 i p deadline
  shift
  deadline=$(( $(date +%s%3N) + 10000 + 500 * $# ))
  for i in "$@"; do
    p=$(cat "$w/n$i/corosync.pid")
    while [ "$(cat "/proc/$p/comm" 2>/dev/null)" != corosync ]; do
      [ -d "/proc/$p" ] || die "corosync of node $i (pid $p) exited at once: $(tail -n 5 "$w/n$i/corosync.out" 2>/dev/null | tr '\n' ' ')"
      [ "$(date +%s%3N)" -lt "$deadline" ] || die "node $i (pid $p) did not become corosync in time"
      sleep 0.01
    done
  done
  sleep 0.2
  for i in "$@"; do
    node_pid "$w" "$i" >/dev/null ||
      die "corosync of node $i exited: $(tail -n 5 "$w/n$i/corosync.out" "$w/n$i/log-cluster/corosync.log" 2>/dev/null | tr '\n' ' ')"
  done
}

write_conf() { # write_conf N TOKEN KNET_PING(0/1) FILE
  local n=$1 token=$2 knet=$3 f=$4 i
  {
    printf 'totem {\n\tversion: 2\n\tcluster_name: hbbench\n\ttransport: knet\n\tip_version: ipv4\n'
    printf '\tcrypto_cipher: aes256\n\tcrypto_hash: sha256\n'
    printf '\ttoken: %d\n\ttoken_coefficient: 0\n' "$token"
    printf '\tinterface {\n\t\tlinknumber: 0\n\t\tknet_transport: udp\n\t\tmcastport: %d\n' "$PORT"
    [ "$knet" = 1 ] && printf '\t\tknet_ping_interval: 200\n\t\tknet_ping_timeout: 1000\n'
    printf '\t}\n}\n'
    printf 'logging {\n\tfileline: off\n\tto_stderr: no\n\tto_logfile: yes\n'
    printf '\tlogfile: /var/log/cluster/corosync.log\n\tto_syslog: no\n\ttimestamp: hires\n\tdebug: off\n}\n'
    printf 'quorum {\n\tprovider: corosync_votequorum\n'
    [ "$n" -eq 2 ] && printf '\ttwo_node: 1\n'
    printf '}\nnodelist {\n'
    for i in $(seq 1 "$n"); do
      printf '\tnode {\n\t\tname: n%d\n\t\tnodeid: %d\n\t\tring0_addr: %s.0.%d\n\t}\n' "$i" "$i" "$SUBNET" "$i"
    done
    printf '}\n'
  } >"$f"
}

# EXIT trap of a failing start: stop what it launched, remove the namespaces it made
start_cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    log "start failed: cleaning up"
    ( cmd_stop "$START_WORK" ) >/dev/null 2>&1 || true
  fi
}

cmd_start() {
  [ $# -eq 4 ] || usage
  need_root
  need_tools
  local w n ka dt token knet i
  w=$(work_dir "$1"); n=$2; ka=$3; dt=$4
  is_uint "$n" && [ "$n" -ge 1 ] && [ "$n" -le 64 ] || die "N must be 1..64 (got '$n')"
  is_uint "$ka" || die "bad KEEPALIVE_MS '$ka'"
  is_uint "$dt" && [ "$dt" -ge 1 ] || die "bad DEADTIME_MS '$dt'"
  local stale
  stale=$(ip netns list | awk '{print $1}' | grep "^$NS-" || true)
  [ -z "$stale" ] || die "network namespaces of an earlier run exist ($(echo "$stale" | tr "\n" " ")): run 'corosync.sh stop WORK' first"
  # from here on, a failed start undoes itself (processes, namespaces, /dev/shm directories)
  START_WORK=$w
  trap start_cleanup EXIT

  if [ "$dt" -le 1000 ]; then token=200; knet=1; else token=$(( dt / 3 )); knet=0; fi
  if [ "$knet" = 1 ]; then
    log "deadtime ${dt} ms -> token 200 ms + knet_ping_interval 200 / knet_ping_timeout 1000, token_coefficient 0 (keepalive ${ka} ms not used)"
  else
    log "deadtime ${dt} ms -> token ${token} ms, token_coefficient 0, default knet ping timers (keepalive ${ka} ms not used)"
  fi

  mkdir -p "$w"
  rm -rf "$w"/n[0-9]*
  : >"$w/pids.log"
  printf 'N=%d\nKEEPALIVE=%d\nDEADTIME=%d\nTOKEN=%d\nKNET_PING=%d\n' "$n" "$ka" "$dt" "$token" "$knet" >"$w/cluster.env"
  if [ ! -s "$w/authkey" ]; then
    head -c 256 /dev/urandom >"$w/authkey.tmp"
    chmod 0400 "$w/authkey.tmp"
    mv "$w/authkey.tmp" "$w/authkey"
  fi
  write_conf "$n" "$token" "$knet" "$w/corosync.conf"

  # mount points the nodes bind over (the package makes all but /var/log/cluster; created empty)
  mkdir -p /etc/corosync /var/lib/corosync /var/log/cluster /var/log/corosync

  # network: a bridge in its own namespace, one veth per node
  ip netns add "$BR_NS"
  ip -n "$BR_NS" link set lo up
  ip -n "$BR_NS" link add br0 type bridge stp_state 0
  ip -n "$BR_NS" link set br0 up
  for i in $(seq 1 "$n"); do
    ip netns add "$NS-n$i"
    ip -n "$NS-n$i" link set lo up
    ip -n "$NS-n$i" link add eth0 type veth peer name "hbbcv$i" netns "$BR_NS"
    ip -n "$NS-n$i" addr add "$SUBNET.0.$i/16" dev eth0
    ip -n "$NS-n$i" link set eth0 up
    ip -n "$BR_NS" link set "hbbcv$i" master br0
    ip -n "$BR_NS" link set "hbbcv$i" up
  done

  for i in $(seq 1 "$n"); do
    local r=$w/n$i
    mkdir -p "$r/etc" "$r/run" "$r/lib" "$r/log-cluster" "$r/log-corosync"
    ln -sfn "$SHM_BASE$i" "$r/shm"
    cp "$w/corosync.conf" "$r/etc/corosync.conf"
    install -m 0400 "$w/authkey" "$r/etc/authkey"
  done
  # corosync -t (parse the configuration, open the log) as node 1 sees it
  mkdir -p "${SHM_BASE}1"
  ( in_node_ns "$w" 1 "$COROSYNC" -t ) >"$w/conf-check.out" 2>&1 ||
    die "corosync rejects the generated configuration: $(tr '\n' ' ' <"$w/conf-check.out")"
  for i in $(seq 1 "$n"); do launch "$w" "$i"; done
  wait_launched "$w" $(seq 1 "$n")
  trap - EXIT
  log "started $n corosync nodes ($(for i in $(seq 1 "$n"); do printf 'n%d=%s ' "$i" "$(cat "$w/n$i/corosync.pid")"; done | sed 's/ $//'))"
}

cmd_pids() {
  [ $# -eq 2 ] || usage
  local w
  w=$(work_dir "$1")
  load_env "$w"
  node_index "$2"
  node_pid "$w" "$2" || die "node $2 is not running"
}

cmd_restart() {
  [ $# -eq 2 ] || usage
  need_root
  need_tools
  local w p
  w=$(work_dir "$1")
  load_env "$w"
  node_index "$2"
  if p=$(node_pid "$w" "$2"); then die "node $2 is still running (pid $p)"; fi
  launch "$w" "$2"
  wait_launched "$w" "$2"
  log "restarted node $2 (pid $(cat "$w/n$2/corosync.pid"))"
}

cmd_exec() {
  [ $# -ge 3 ] || usage
  need_root
  local w i p
  w=$(work_dir "$1"); i=$2
  shift 2
  load_env "$w"
  node_index "$i"
  ns_exists "$NS-n$i" || die "network namespace $NS-n$i does not exist"
  if p=$(node_pid "$w" "$i"); then
    # corosync's own namespaces: the same /run, /dev/shm, ... it uses
    exec nsenter --net="/proc/$p/ns/net" --mount="/proc/$p/ns/mnt" -- "$@"
  fi
  # node down: the same bind mounts in a new mount namespace (a client then finds no corosync, as it should)
  in_node_ns "$w" "$i" "$@"
}

# kill_pids SIG PID...: kill those still alive; returns the ones still alive after 5 s (TERM) on stdout
alive() { local p; for p in "$@"; do [ -d "/proc/$p" ] && echo "$p"; done; true; }
wait_gone() { # wait_gone MS PID...
  local until=$(( $(date +%s%3N) + $1 ))
  shift
  while [ -n "$(alive "$@")" ] && [ "$(date +%s%3N)" -lt "$until" ]; do sleep 0.05; done
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  need_root
  local w p ns pids=() left=()
  w=$(work_dir "$1")
  # 1. every corosync this WORK launched, by recorded pid (still corosync: no reused pid is touched)
  if [ -r "$w/pids.log" ]; then
    for p in $(sort -un "$w/pids.log"); do
      [ "$(cat "/proc/$p/comm" 2>/dev/null)" = corosync ] && pids+=("$p")
    done
  fi
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait_gone 5000 "${pids[@]}"
    mapfile -t left < <(alive "${pids[@]}")
    if [ ${#left[@]} -gt 0 ]; then
      log "SIGKILL to corosync ${left[*]} (no exit 5 s after SIGTERM)"
      kill -KILL "${left[@]}" 2>/dev/null || true
      wait_gone 3000 "${left[@]}"
    fi
  fi
  # 2. whatever else still runs inside our namespaces (clients started with `exec`), by pid
  local nslist
  nslist=$(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NS-" || true)
  pids=()
  for ns in $nslist; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do pids+=("$p"); done
  done
  if [ ${#pids[@]} -gt 0 ]; then
    log "stopping processes left in $NS-* namespaces: ${pids[*]}"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait_gone 3000 "${pids[@]}"
    mapfile -t left < <(alive "${pids[@]}")
    [ ${#left[@]} -gt 0 ] && { kill -KILL "${left[@]}" 2>/dev/null || true; wait_gone 3000 "${left[@]}"; }
  fi
  # 3. namespaces (their veths and the bridge go with them), the nodes' /dev/shm directories
  for ns in $nslist; do ip netns del "$ns" 2>/dev/null || log "could not delete netns $ns"; done
  rm -rf "$SHM_BASE"[0-9]*
  [ -d "$w" ] && rm -f "$w"/n[0-9]*/run/corosync.pid
  local rest_ns rest_p=()
  rest_ns=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -c "^$NS-" || true)
  if [ -r "$w/pids.log" ]; then
    for p in $(sort -un "$w/pids.log"); do
      [ "$(cat "/proc/$p/comm" 2>/dev/null)" = corosync ] && rest_p+=("$p")
    done
  fi
  [ "$rest_ns" -eq 0 ] && [ ${#rest_p[@]} -eq 0 ] || die "stop incomplete: $rest_ns $NS-* netns left, corosync still running: ${rest_p[*]:-none}"
  log "stopped"
}

cmd_version() {
  local v
  v=$("$COROSYNC" -v 2>/dev/null | sed -n "s/.*version '\([^']*\)'.*/\1/p" | head -n 1)
  [ -n "$v" ] || die "cannot read the version of $COROSYNC"
  echo "corosync $v"
}

[ $# -ge 1 ] || usage
sub=$1
shift
case "$sub" in
  start) cmd_start "$@";;
  pids) cmd_pids "$@";;
  restart) cmd_restart "$@";;
  exec) cmd_exec "$@";;
  stop) cmd_stop "$@";;
  version) [ $# -eq 0 ] || usage; cmd_version;;
  *) usage;;
esac
