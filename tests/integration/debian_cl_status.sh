#!/usr/bin/env bash
# Debian's own /usr/bin/cl_status (heartbeat 3.0.6) against our daemon: a 3-node loopback cluster
# whose n1 serves the API at heartbeat's default path in a private mount namespace.
# Usage: debian_cl_status.sh BIN_DIR. Exit 77 (skipped) without cl_status or mount namespaces.
set -u
bin=${1:?usage: debian_cl_status.sh BIN_DIR}
command -v cl_status >/dev/null || { echo "SKIP: cl_status not installed (apt-get install heartbeat)"; exit 77; }
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hbcls-XXXXXX)
trap 'for f in "$work"/n*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done; rm -rf "$work"' EXIT
"$top/examples/loopback/prepare.sh" "$work/conf"
port=$((7500 + $$ % 100))
sed -i "s/^udpport .*/udpport $port/" "$work"/conf/n*/ha.cf
mkdir -p "$work/run" /run/heartbeat
unshare -m bash -s "$bin" "$work" <<'INNER' || exit $?
set -u
bin=$1 work=$2
mount --bind "$work/run" /run/heartbeat || { echo "SKIP: no mount namespace"; exit 77; }
for i in 1 2 3; do
  sock=$work/n$i.sock; [ $i = 1 ] && sock=/run/heartbeat/register
  "$bin/heartbeat" -f -c "$work/conf/n$i" -n n$i --state-dir "$work/state$i" --pidfile "$work/n$i.pid" \
    --socket "$sock" 2>"$work/n$i.log" &
done
for _ in $(seq 1 500); do [ "$(cl_status nodestatus n3 2>/dev/null)" = active ] && break; sleep 0.02; done
check() {  # check EXPECTED_OUTPUT EXPECTED_RC ARGS...
  local want=$1 rc=$2; shift 2
  local got; got=$(cl_status "$@" 2>&1); local code=$?
  if [ "$got" != "$want" ] || [ "$code" != "$rc" ]; then
    echo "FAIL: cl_status $*: got '$got' rc $code, want '$want' rc $rc"; exit 1
  fi
  echo "ok: cl_status $* -> $(echo "$got" | tr '\n' ' ')(rc $code)"
}
check "Heartbeat is running on this machine." 0 hbstatus
check "$(printf 'n3\nn2\nn1')" 0 listnodes
check active 0 nodestatus n2
check "Error. May be due to incorrect node name" 11 nodestatus nosuch
check normal 0 nodetype n3
check "$(printf '\tlo')" 0 listhblinks n2
check up 0 hblinkstatus n2 lo
check 100ms 0 hbparameter -p keepalive
check 500ms 0 hbparameter -p deadtime
check offline 1 clientstatus n1 nobody
kill -9 "$(cat "$work/n3.pid")"
for _ in $(seq 1 200); do [ "$(cl_status nodestatus n3 2>/dev/null)" = dead ] && break; sleep 0.01; done
check dead 1 nodestatus n3
check dead 1 hblinkstatus n3 lo
echo "Debian cl_status against our daemon: PASS"
INNER
