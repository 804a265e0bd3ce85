#!/usr/bin/env bash
# Our cl_status against a 3-node loopback cluster of our daemons: every sub-command and flag, its
# stdout and exit code. Where Debian's /usr/bin/cl_status (heartbeat 3.0.6) is installed it runs
# beside ours against the same daemon (n1's socket at /run/heartbeat/register in a private mount
# namespace, one per call) and must print the same bytes and exit the same way. Also: --json
# parses and holds the values, with the same exit code; a SIGKILLed node and its link are dead
# (rc 1); a refused client, a daemon that never answers (rc 12) and a stopped daemon.
# Usage: cl_status_test.sh BIN_DIR. Exit 77 (skipped) without python3.
set -u
bin=${1:?usage: cl_status_test.sh BIN_DIR}
command -v python3 >/dev/null || { echo "SKIP: python3 is needed (JSON checks, test clients)"; exit 77; }
for b in heartbeat cl_status; do [ -x "$bin/$b" ] || { echo "FAIL: no $bin/$b"; exit 1; }; done
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hbclst-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do { kill -9 "$p"; wait "$p"; } 2>/dev/null; done  # quietly: no "Killed" lines
  rm -rf "$work"
}
trap cleanup EXIT

"$top/examples/loopback/prepare.sh" "$work/conf"
port=$((7300 + $$ % 100))  # the others: 7500-7599, 7694, 7700-7989, 17100-17399, 18400-18499
sed -i "s/^udpport .*/udpport $port/" "$work"/conf/n*/ha.cf
# Our daemon enforces apiauth as heartbeat does: root gets no bypass. "probe" is the named test
# client below. (A second line for the same client is a configuration error.)
for i in 1 2 3; do
  for who in anon probe; do
    grep -q "^apiauth $who " "$work/conf/n$i/ha.cf" || echo "apiauth $who uid=root" >>"$work/conf/n$i/ha.cf"
  done
done
chmod 711 "$work"  # the refused-client check connects as nobody

for i in 1 2 3; do
  "$bin/heartbeat" -f -c "$work/conf/n$i" -n n$i --state-dir "$work/state$i" --pidfile "$work/n$i.pid" \
    --socket "$work/n$i.sock" 2>"$work/n$i.log" &
  pids+=($!)
done
n1_pid=${pids[0]} n2_pid=${pids[1]} n3_pid=${pids[2]}
export HA_API_SOCKET=$work/n1.sock

# Debian's cl_status only talks to /run/heartbeat/register: there, in a mount namespace of its own,
# a directory whose register is n1's socket (later the silent server's).
mkdir -p "$work/run"
ln -s "$work/n1.sock" "$work/run/register"
debian=no
if [ -x /usr/bin/cl_status ] && [ -d /run/heartbeat ] && unshare -m true 2>/dev/null; then debian=yes; fi
[ $debian = yes ] || echo "note: Debian's cl_status (or a mount namespace) missing: checking ours alone"

fails=0 knowns=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
show() { sed -n l "$work/$1" | tr '\n' ' '; }
ours() { "$bin/cl_status" "$@" >"$work/o.out" 2>"$work/o.err"; orc=$?; }
theirs() {
  unshare -m sh -c 'mount --bind "$0" /run/heartbeat && exec /usr/bin/cl_status "$@"' "$work/run" "$@" \
    >"$work/d.out" 2>"$work/d.err"
  drc=$?
}
# Where Debian's cl_status differs from ours for a reason outside cl_status: why, else nothing.
known_difference() {
  case "$phase:$*" in
    up:"hbstatus -v"* | up:"hbparameter -p hbversion" | up:"hbparameter -p pacemaker")
      echo "heartbeat's library answers hbversion and pacemaker from the sign-on reply; hb::Cluster::parameter" \
        "asks the daemon (getparm), which has no hbversion and says pacemaker=false where sign-on says off" ;;
    *) ;;
  esac
}
# Ours just ran with ARGS: Debian's, with the same ARGS against the same daemon, must agree.
same_as_debian() {
  [ $debian = yes ] || return 0
  theirs "$@"
  cmp -s "$work/d.out" "$work/o.out" && [ "$drc" = "$orc" ] && return 0
  local why; why=$(known_difference "$@")
  if [ -n "$why" ]; then
    echo "known difference: cl_status $*: Debian $(show d.out)rc $drc, ours $(show o.out)rc $orc ($why)"
    knowns=$((knowns + 1))
    return 0
  fi
  fail "cl_status $*: Debian printed $(show d.out)rc $drc, ours $(show o.out)rc $orc"
}
# check WANT RC ARGS...: ours prints exactly `printf WANT` and exits RC; so does Debian's.
check() {
  local want=$1 rc=$2; shift 2
  ours "$@"
  printf -- "$want" >"$work/want"
  if ! cmp -s "$work/want" "$work/o.out" || [ "$orc" != "$rc" ]; then
    fail "cl_status $*: got $(show o.out)rc $orc, want $(show want)rc $rc"
    sed 's/^/    stderr: /' "$work/o.err"
    return
  fi
  echo "ok: cl_status $* -> $(show o.out)(rc $rc)"
  same_as_debian "$@"
}
# ours_only WANT RC ARGS...: as check, for what Debian's cl_status does not have.
ours_only() { local d=$debian; debian=no; check "$@"; debian=$d; }
# err TEXT: the last run of ours said TEXT on stderr.
err() { grep -qF -- "$1" "$work/o.err" || fail "stderr of the last run lacks '$1': $(show o.err)"; }
# json RC EXPR ARGS...: `ours ARGS --json` prints one JSON document d for which the Python
# expression EXPR holds, and exits RC, as without --json.
json() {
  local rc=$1 expr=$2; shift 2
  ours "$@"
  local plain=$orc
  ours "$@" --json
  if ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$work/o.out" "$expr" 2>"$work/py.err"; then
    fail "cl_status $* --json: $(show o.out) does not hold $expr $(cat "$work/py.err")"
  elif [ "$orc" != "$rc" ] || [ "$plain" != "$rc" ]; then
    fail "cl_status $* --json: rc $orc (without --json $plain), want $rc"
  else
    echo "ok: cl_status $* --json -> $(cat "$work/o.out") (rc $rc)"
  fi
}
wait_for() {  # wait_for WANT ARGS...: until ours prints WANT (10 s at most)
  local want=$1; shift
  for _ in $(seq 1 500); do [ "$("$bin/cl_status" "$@" 2>/dev/null)" = "$want" ] && return 0; sleep 0.02; done
  fail "cl_status $* never printed $want"
  return 1
}

# A named client "probe" on n2 (heartbeat's framing, spec §5.1), so clientstatus has someone online.
cat >"$work/probe.py" <<'EOF'
import os, socket, struct, sys
sock, cid, ready = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock)
body = (">>>\nt=hbapi-req\nreqtype=signon\ndest=n2\npid=%d\nfrom_id=%s\nuid=%d\ngid=%d\n<<<\n"
        % (os.getpid(), cid, os.geteuid(), os.getegid())).encode() + b"\0"
s.sendall(struct.pack("<iI", len(body), 0xABCD) + body)
buf, signed = b"", False
while True:  # keep reading: a client that does not read is dropped
    data = s.recv(65536)
    if not data:
        sys.exit(0 if signed else 1)
    buf += data
    while len(buf) >= 8:
        n = struct.unpack("<i", buf[:4])[0]
        if len(buf) < 8 + n:
            break
        msg, buf = buf[8:8 + n], buf[8 + n:]
        if not signed and b"reqtype=signon" in msg:
            if b"result=OK" not in msg:
                sys.exit(2)
            signed = True
            open(ready, "w").write("ready\n")
EOF
# A "daemon" that accepts and never answers: cl_status gives up after 5 s with rc 12.
cat >"$work/silent.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(16)
open(sys.argv[2], "w").write("ready\n")
held = []
while True:
    held.append(s.accept()[0])
EOF

phase=up
wait_for active nodestatus n3 && wait_for active nodestatus n2 && wait_for up hblinkstatus n3 lo &&
  wait_for up hblinkstatus n2 lo || exit 1
python3 "$work/probe.py" "$work/n2.sock" probe "$work/probe.ready" &
pids+=($!)
for _ in $(seq 1 250); do [ -f "$work/probe.ready" ] && break; sleep 0.02; done
[ -f "$work/probe.ready" ] || fail "the probe client could not sign on to n2"

all_nodes='n3\nn2\nn1\n'  # heartbeat's walk order: the daemon's replies, last first
links_m='\tthis node has the following heartbeat links:\n'
# listing HEADER NODE STATUS LINK_STATUS...: listnodes -v as a printf format (HEADER: -m's line
# before each node's links). Every node has one link, lo.
listing() {
  local header=$1 out=''
  shift
  while [ $# -gt 0 ]; do out+="\\n$1\\t$2\\t(nodetype: normal)\\n$header\\tlo\\t$3\\n"; shift 3; done
  printf '%s' "$out"
}
# Our own links are always dead, as heartbeat's.
verbose_nodes=$(listing '' n3 active up n2 active up n1 active dead)
verbose_nodes_m=$(listing "$links_m" n3 active up n2 active up n1 active dead)

echo "--- hbstatus"
check 'Heartbeat is running on this machine.\n' 0 hbstatus
check 'Heartbeat is running on this machine.\n' 0 hbstatus -m
check 'Heartbeat is running on this machine.\n' 0 hbstatus -x  # heartbeat ignores bad options here
err "invalid option -- 'x'"
# -v: the version line, the resource manager, then listnodes -v.
ours hbstatus -v
printf -- "managed by:\t\"haresources\"\n$verbose_nodes" >"$work/want"
{ [ "$orc" = 0 ] && head -n1 "$work/o.out" | grep -q '^version:	' && tail -n +2 "$work/o.out" | cmp -s - "$work/want"; } ||
  fail "cl_status hbstatus -v: $(show o.out)rc $orc"
same_as_debian hbstatus -v
ours hbstatus -v -m
printf -- "Resources controlled by \"haresources\"\nThe nodes are as follow:\n$verbose_nodes_m" >"$work/want"
{ [ "$orc" = 0 ] && tail -n +2 "$work/o.out" | cmp -s - "$work/want"; } ||
  fail "cl_status hbstatus -v -m: $(show o.out)rc $orc"
same_as_debian hbstatus -v -m

echo "--- listnodes"
check "$all_nodes" 0 listnodes
check "The nodes are as follow:\n$all_nodes" 0 listnodes -m
check "$all_nodes" 0 listnodes -n
check '' 0 listnodes -p
check "$all_nodes" 0 listnodes -pn  # both: all, as heartbeat
check "$all_nodes" 0 listnodes -p -n
check "$verbose_nodes" 0 listnodes -v
check '' 0 listnodes -v -p
check "$verbose_nodes" 0 listnodes -nv
check "The nodes are as follow:\n$verbose_nodes_m" 0 listnodes -mv
check '' 11 listnodes -x
err "getopt returnedcharacter code ?"

echo "--- nodestatus, nodeweight, nodesite, nodetype"
check 'active\n' 0 nodestatus n2
check 'active\n' 0 nodestatus n1
check 'The cluster node n2 is active\n' 0 nodestatus -m n2
check 'The cluster node n3 is active\n' 0 nodestatus n3 -m  # options after operands, as GNU getopt
check 'active\n' 0 nodestatus -- n2
check '' 11 nodestatus
err "Not enough parameters."
check '' 11 nodestatus nosuch
err "Error. May be due to incorrect node name"
check '' 11 nodestatus -x n2
check '100\n' 0 nodeweight n2
check 'The weight of the cluster node n1 is 100\n' 0 nodeweight -m n1
check '' 11 nodeweight nosuch
err "Error. Maybe due to incorrect node name."
check '' 11 nodeweight
check '\n' 0 nodesite n2
check 'The site of the cluster node n2 is \n' 0 nodesite -m n2
check '' 11 nodesite nosuch
check 'normal\n' 0 nodetype n3
check "The node n3's type: normal\n" 0 nodetype -m n3
check '' 11 nodetype nosuch
check '' 11 nodetype
err "No enough parameter."

echo "--- listhblinks, hblinkstatus"
check '\tlo\n' 0 listhblinks n2
check '\tlo\tup\n' 0 listhblinks -v n2
check "$links_m\\tlo\\n" 0 listhblinks -m n2
check "$links_m\\tlo\\tdead\\n" 0 listhblinks n1 -v -m
check '' 13 listhblinks nosuch
err "Cannot start heartbeat link interface walk."
check '' 11 listhblinks
check '' 11 listhblinks -x n2
check 'up\n' 0 hblinkstatus n2 lo
check "The node n2's heartbeat link lo is up\n" 0 hblinkstatus -m n2 lo
check 'dead\n' 1 hblinkstatus n1 lo
check '' 13 hblinkstatus n2 eth9
err "Cannot get heartbeat link status"
check '' 13 hblinkstatus nosuch lo
check '' 11 hblinkstatus n2

echo "--- clientstatus"
check 'online\n' 0 clientstatus n2 probe  # asked of n2 over the cluster
check 'online\n' 0 clientstatus -m n2 probe 2000  # -m changes nothing here, as in heartbeat
check 'offline\n' 1 clientstatus n1 probe  # local: the probe is on n2
check 'offline\n' 1 clientstatus n2 nobody
check 'offline\n' 1 clientstatus nosuch probe
check '' 11 clientstatus n2
# A peer that does not answer: n2 frozen for a moment, well within n1's deadtime (500 ms), so n1
# still asks it. (Without the freeze, timeout 0 races n2's answer, for Debian's as for ours.)
kill -STOP "$n2_pid"
check '' 13 clientstatus n2 probe 0
err "Cannot get heartbeat client probe's status"
check '' 13 clientstatus n2 probe junk  # atoi: 0
json 13 '"error" in d and "reason" in d' clientstatus n2 probe 0
kill -CONT "$n2_pid"
wait_for active nodestatus n2 && wait_for up hblinkstatus n2 lo

echo "--- rscstatus"
# This daemon runs no resource manager: whatever it answers, both say the same.
ours rscstatus
case "$orc:$(cat "$work/o.out")" in
  0:none | 0:local | 0:foreign | 0:all | 0:transition | 13:) echo "ok: cl_status rscstatus -> $(show o.out)(rc $orc)" ;;
  *) fail "cl_status rscstatus: $(show o.out)rc $orc" ;;
esac
same_as_debian rscstatus
ours rscstatus -m
same_as_debian rscstatus -m
check '' 11 rscstatus -x

echo "--- hbparameter"
check '100ms\n' 0 hbparameter -p keepalive
check '500ms\n' 0 hbparameter -pdeadtime
check '500ms\n' 0 hbparameter -p keepalive -p deadtime  # the last -p wins
check "$port\\n" 0 hbparameter -p udpport
check "Heartbeat parameter keepalive's value: 100ms\n" 0 hbparameter -m -p keepalive
check '' 1 hbparameter -p nosuch
err "Cannot get parameter nosuch's value"
check '' 1 hbparameter -p node  # whole-line directives have no value
check '' 11 hbparameter
err "parameter name required"
check '' 11 hbparameter keepalive
check '' 11 hbparameter -p
check '' 11 hbparameter -x
for p in hbversion pacemaker; do
  ours hbparameter -p $p
  same_as_debian hbparameter -p $p
done
ours_only '100ms\n' 0 parameter -p keepalive  # the man page's name for it

echo "--- numnodes (ours), test, bad sub-commands, usage"
ours_only '3\n' 0 numnodes
ours_only 'The cluster has 3 normal nodes\n' 0 numnodes -m
ours test
head -n3 "$work/o.out" | cmp -s - <(printf 'Dead time: 500\n keeplive time: 100\n mynodeid: n1\n') ||
  fail "cl_status test: $(show o.out)"
same_as_debian test
check '' 11 bogus
err "bogus: invalid sub-command."
check '' 11 -h x
check '' 11 hbstatusx
for a in "" "-h" "--help"; do
  # shellcheck disable=SC2086
  ours $a
  { [ "$orc" = 0 ] && grep -q '^usage: cl_status <sub-command>' "$work/o.out"; } || fail "cl_status $a: no usage"
done

echo "--- --socket"
for where in before after; do
  if [ $where = before ]; then ours --socket "$work/n2.sock" test; else ours test --socket "$work/n2.sock"; fi
  grep -qx ' mynodeid: n2' "$work/o.out" || fail "cl_status test, --socket n2.sock $where: $(show o.out)"
done
echo "ok: --socket before or after the sub-command: n2's daemon answers"
ours_only 'dead\n' 1 hblinkstatus n2 lo --socket="$work/n2.sock"  # n2's own link
ours_only '' 11 nodestatus n2 --socket
HA_API_SOCKET=$work/nowhere ours nodestatus n2 --socket "$work/n3.sock"
[ "$orc:$(cat "$work/o.out")" = "0:active" ] || fail "--socket over \$HA_API_SOCKET: $(show o.out)rc $orc"

echo "--- --json"
json 0 'd == {"running": True, "status": "running"}' hbstatus
json 0 'd["running"] and d["managed_by"] == "haresources" and [n["node"] for n in d["nodes"]] == ["n3","n2","n1"]' hbstatus -v
json 0 'd == {"nodes": ["n3", "n2", "n1"]}' listnodes
json 0 'd == {"nodes": []}' listnodes -p
json 0 'd["nodes"][2] == {"node": "n1", "status": "active", "type": "normal", "links": [{"link": "lo", "status": "dead"}]}' listnodes -v -m
json 11 '"error" in d' listnodes -x
json 0 'd == {"node": "n2", "status": "active"}' nodestatus n2
json 0 'd == {"node": "n2", "status": "active"}' nodestatus -m n2  # -m changes no JSON
json 11 'd["error"] == "Error. May be due to incorrect node name"' nodestatus nosuch
json 11 '"error" in d' nodestatus
json 0 'd == {"node": "n2", "weight": 100}' nodeweight n2
json 0 'd == {"node": "n2", "site": ""}' nodesite n2
json 0 'd == {"node": "n3", "type": "normal"}' nodetype n3
json 0 'd == {"numnodes": 3}' numnodes
json 0 'd == {"node": "n2", "links": ["lo"]}' listhblinks n2
json 0 'd == {"node": "n2", "links": [{"link": "lo", "status": "up"}]}' listhblinks -v n2
json 13 '"error" in d and "reason" in d' listhblinks nosuch
json 0 'd == {"node": "n2", "link": "lo", "status": "up"}' hblinkstatus n2 lo
json 1 'd == {"node": "n1", "link": "lo", "status": "dead"}' hblinkstatus n1 lo
json 0 'd == {"node": "n2", "client": "probe", "status": "online"}' clientstatus n2 probe
json 1 'd == {"node": "n1", "client": "probe", "status": "offline"}' clientstatus n1 probe
json 0 'd == {"parameter": "keepalive", "value": "100ms"}' hbparameter -p keepalive
json 1 '"error" in d' hbparameter -p nosuch
json 0 'd["node"] == "n1" and d["deadtime_ms"] == 500 and d["keepalive_ms"] == 100' test
json 11 'd["error"] == "bogus: invalid sub-command."' bogus
ours --json nodestatus n3
[ "$orc:$(cat "$work/o.out")" = '0:{"node":"n3","status":"active"}' ] || fail "--json first: $(show o.out)rc $orc"
ours rscstatus
rsc_rc=$orc
json "$rsc_rc" '("resources" in d) != ("error" in d)' rscstatus

echo "--- a client the daemon refuses"
if setpriv --reuid=65534 --regid=65534 --clear-groups "$bin/cl_status" --help >/dev/null 2>&1; then
  setpriv --reuid=65534 --regid=65534 --clear-groups "$bin/cl_status" hbstatus >"$work/o.out" 2>"$work/o.err"
  orc=$?
  [ "$orc:$(cat "$work/o.out")" = "1:Heartbeat is stopped on this machine." ] ||
    fail "refused hbstatus: $(show o.out)rc $orc"
  if [ $debian = yes ]; then
    # Debian's is setgid haclient: apiauth anon uid=root refuses it all the same as nobody.
    unshare -m sh -c 'mount --bind "$0" /run/heartbeat &&
      exec setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/cl_status hbstatus' "$work/run" \
      >"$work/d.out" 2>"$work/d.err"
    drc=$?
    { cmp -s "$work/d.out" "$work/o.out" && [ "$drc" = "$orc" ]; } ||
      fail "refused hbstatus: Debian printed $(show d.out)rc $drc, ours $(show o.out)rc $orc"
  fi
  echo "ok: a refused client: hbstatus says stopped (rc 1)"
else
  echo "note: cannot run as nobody here: no refused-client check"
fi

echo "--- n3 killed"
phase=n3dead
{ kill -9 "$n3_pid"; wait "$n3_pid"; } 2>/dev/null  # reaped quietly: no "Killed" line
wait_for dead nodestatus n3
wait_for dead hblinkstatus n3 lo
check 'dead\n' 1 nodestatus n3
check 'The cluster node n3 is dead\n' 1 nodestatus -m n3
check 'dead\n' 1 hblinkstatus n3 lo
check "\\tlo\\tdead\\n" 0 listhblinks -v n3
check "$(listing '' n3 dead dead n2 active up n1 active dead)" 0 listnodes -v
check 'offline\n' 1 clientstatus n3 probe  # not active: offline at once
json 1 'd == {"node": "n3", "status": "dead"}' nodestatus n3
json 1 'd == {"node": "n3", "link": "lo", "status": "dead"}' hblinkstatus n3 lo
check 'active\n' 0 nodestatus n2

echo "--- a daemon that never answers"
python3 "$work/silent.py" "$work/silent.sock" "$work/silent.ready" &
pids+=($!)
for _ in $(seq 1 250); do [ -f "$work/silent.ready" ] && break; sleep 0.02; done
ln -sfn "$work/silent.sock" "$work/run/register"
HA_API_SOCKET=$work/silent.sock check '' 12 hbstatus
HA_API_SOCKET=$work/silent.sock json 12 '"error" in d' nodestatus n2
ln -sfn "$work/n1.sock" "$work/run/register"

echo "--- n1's daemon stopped"
phase=stopped
kill -TERM "$n1_pid"
for _ in $(seq 1 250); do kill -0 "$n1_pid" 2>/dev/null || break; sleep 0.02; done
kill -0 "$n1_pid" 2>/dev/null && fail "n1 did not stop on SIGTERM"
check 'Heartbeat is stopped on this machine.\n' 1 hbstatus
check 'Heartbeat is stopped on this machine.\n' 1 hbstatus -m
# -v adds the library's reason in parentheses: each library words it its own way.
ours hbstatus -v
{ [ "$orc" = 1 ] && head -n1 "$work/o.out" | grep -qx 'Heartbeat is stopped on this machine.' &&
  tail -n +2 "$work/o.out" | grep -qx '(.*)'; } || fail "cl_status hbstatus -v, stopped: $(show o.out)rc $orc"
echo "ok: cl_status hbstatus -v -> $(show o.out)(rc $orc)"
check '' 1 nodestatus n2
err "Cannot signon with heartbeat"
check '' 1 nodestatus  # no sign-on, no option parsing: rc 1, as heartbeat
check '' 1 listnodes -x
check '' 1 hbparameter -p keepalive
check '' 11 bogus
json 1 'd["running"] is False and d["status"] == "stopped"' hbstatus
json 1 'd["error"] == "Cannot signon with heartbeat" and "reason" in d' nodestatus n2

if [ $fails -ne 0 ]; then
  echo "cl_status: $fails check(s) FAILED"
  exit 1
fi
if [ $debian = yes ]; then
  echo "cl_status: PASS (Debian's cl_status printed the same bytes and exit codes, but for $knowns known differences)"
else
  echo "cl_status: PASS (Debian's cl_status not compared)"
fi
