#!/usr/bin/env bash
# The Debian package, as a node gets it: `make deb`'s script builds it (lintian must report no
# error), it is unpacked into a scratch root with dpkg-deb -x, and three daemons from that root
# (127.0.0.1-3) form a cluster that the root's cl_status sees. cl_status is given the mode the
# package's postinst gives it (setgid haclient), so root and a member of haclient query the
# daemons with heartbeat's built-in apiauth (no apiauth line in ha.cf). A killed node is seen dead.
# Usage: deb_package_test.sh SOURCE_DIR WORK_DIR
set -euo pipefail
top=${1:?usage: deb_package_test.sh SOURCE_DIR WORK_DIR}
out=${2:?usage: deb_package_test.sh SOURCE_DIR WORK_DIR}
"$top/scripts/build-deb.sh" "$out" >/dev/null
deb=$(ls "$out"/heartbeat-ng_*_amd64.deb)
root=$(mktemp -d /tmp/hbdeb-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for n in n1 n2 n3; do tail -n 5 "$root/$n.log" >&2 || true; done; exit 1; }

dpkg-deb -x "$deb" "$root"
for f in usr/libexec/heartbeat/heartbeat usr/sbin/heartbeat usr/bin/cl_status usr/bin/hbconfig \
         etc/ha.d/ha.cf etc/ha.d/authkeys etc/ha.d/haresources lib/systemd/system/heartbeat.service \
         usr/share/man/man8/heartbeat.8.gz usr/share/man/man1/cl_status.1.gz; do
  [ -e "$root/$f" ] || fail "the package lacks /$f"
done
[ "$(stat -c %a "$root/etc/ha.d/authkeys")" = 600 ] || fail "authkeys is not mode 600"
dpkg-deb -f "$deb" Conflicts | grep -qw heartbeat || fail "the package does not conflict with heartbeat"
dpkg-deb -I "$deb" conffiles | grep -qx /etc/ha.d/ha.cf || fail "ha.cf is not a conffile"

# What the postinst does: the group, and cl_status setgid haclient.
getent group haclient >/dev/null || groupadd --system haclient
cl_status=$root/usr/bin/cl_status
chgrp haclient "$cl_status"
chmod 2555 "$cl_status"

for i in 1 2 3; do
  n=n$i
  mkdir -p "$root/$n" "$root/state-$n"
  peers=""
  for j in 1 2 3; do [ "$j" = "$i" ] || peers="${peers}ucast lo 127.0.0.$j"$'\n'; done
  cat >"$root/$n/ha.cf" <<CF
node n1 n2 n3
bind 127.0.0.$i
udpport 7794
keepalive 100ms
deadtime 500ms
initdead 1000ms
${peers}logfacility none
CF
  : >"$root/$n/haresources"
  printf 'auth 1\n1 sha1 deb-test-key\n' >"$root/$n/authkeys"
  chmod 600 "$root/$n/authkeys"
  "$root/usr/bin/hbconfig" check -c "$root/$n" -n "$n" >/dev/null || fail "hbconfig check of $n"
  "$root/usr/sbin/heartbeat" -f -c "$root/$n" -n "$n" --state-dir "$root/state-$n" \
    --pidfile "$root/$n.pid" --socket "$root/$n.sock" 2>"$root/$n.log" &
  pids+=($!)
done

# Waits up to 10 s until cl_status (as $1: root or nobody) on node $2 says node $3 is $4.
wait_status() {
  local as=$1 on=$2 node=$3 want=$4 got=""
  for _ in $(seq 1 200); do
    if [ "$as" = root ]; then
      got=$("$cl_status" nodestatus "$node" --socket "$root/$on.sock" 2>/dev/null || true)
    else
      got=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$cl_status" nodestatus "$node" \
              --socket "$root/$on.sock" 2>/dev/null || true)
    fi
    [ "$got" = "$want" ] && return 0
    sleep 0.05
  done
  fail "cl_status as $as on $on: $node is '$got', not $want"
}

for on in n1 n2 n3; do
  for node in n1 n2 n3; do wait_status root "$on" "$node" active; done
done
echo "ok: three daemons of the package formed a cluster; its cl_status (setgid haclient) run by root sees it"
# nobody is no member of haclient, but the setgid cl_status runs with group haclient.
wait_status nobody n2 n1 active
echo "ok: its cl_status run by an unprivileged user sees it too, through group haclient"
listed=$("$cl_status" listnodes --socket "$root/n1.sock" | sort | tr '\n' ' ')
[ "$listed" = "n1 n2 n3 " ] || fail "listnodes said '$listed'"
# Without the group the built-in apiauth refuses a casual client: the setgid bit is what admits it.
cp "$cl_status" "$root/cl_status-plain"
chmod 0755 "$root/cl_status-plain"
if setpriv --reuid=nobody --regid=nogroup --clear-groups "$root/cl_status-plain" nodestatus n1 \
     --socket "$root/n1.sock" >/dev/null 2>&1; then
  fail "a client outside haclient was admitted by the built-in apiauth"
fi
echo "ok: the same cl_status without setgid haclient is refused"

{ kill -9 "${pids[2]}"; wait "${pids[2]}"; } 2>/dev/null || true  # reaped quietly: no "Killed" line
wait_status root n1 n3 dead
wait_status root n2 n3 dead
echo "ok: n3 killed, n1 and n2 see it dead"
for i in 0 1; do kill -TERM "${pids[$i]}"; wait "${pids[$i]}" || fail "n$((i + 1)) did not stop cleanly"; done
pids=()
echo "ok: the package's daemons stop gracefully"
