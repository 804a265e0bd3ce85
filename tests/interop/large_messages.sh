#!/usr/bin/env bash
# Messages above one datagram in a mixed cluster with Debian's heartbeat 3.0.6: our daemon as node
# "ours", heartbeat 3.0.6 as node "theirs" (network namespaces, as ours_against_debian.sh), both
# with `traditional_compression yes`; heartbeat 3.0.6 compresses with bz2, ours with zlib, so each
# reads the other's algorithm. tests/interop/big_message_client.c sends or awaits one message,
# built against our libhbclient on our side and Debian's on theirs. What fits heartbeat 3.0.6
# compressed arrives intact both ways; what does not is refused at our client's call with the
# reason, never accepted and lost (fragments are ours only, never sent to 3.0.6).
# Usage: large_messages.sh BIN_DIR. Exit 77 (skipped) without heartbeat 3.0.6, namespaces, a C
# compiler or our libhbclient.
set -u
bin=${1:?usage: large_messages.sh BIN_DIR}
bin=$(cd "$bin" 2>/dev/null && pwd) || { echo "FAIL: no directory $1"; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
hb=/usr/libexec/heartbeat/heartbeat
lib=$(cd "$bin/../lib" 2>/dev/null && pwd)
[ -x "$hb" ] || { echo "SKIP: Debian's heartbeat 3.0.6 is not installed (apt-get install heartbeat)"; exit 77; }
getent group haclient >/dev/null || { echo "SKIP: no haclient group (apt-get install heartbeat)"; exit 77; }
[ -e /usr/lib/libhbclient.so.1 ] && [ -e /usr/lib/libplumb.so.2 ] \
  || { echo "SKIP: Debian's libhbclient.so.1 / libplumb.so.2 are not installed"; exit 77; }
[ -n "$lib" ] && [ -e "$lib/libhbclient.so" ] || { echo "SKIP: no libhbclient.so in $bin/../lib (build target hbclient)"; exit 77; }
[ -x "$bin/heartbeat" ] || { echo "SKIP: no $bin/heartbeat"; exit 77; }
cc=$(command -v cc || command -v gcc || command -v clang) || { echo "SKIP: no C compiler"; exit 77; }
. "$top/tests/interop/two_nodes.sh"
tag=$$
nsa=hblm-a-$tag nsb=hblm-b-$tag
root=$(mktemp -d /tmp/hblm-XXXXXX)
port=$((18600 + tag % 100))
keepalive=200 deadtime=2000
t=$root/theirs
cleanup() {
  [ -n "${waiter:-}" ] && kill -9 "$waiter" 2>/dev/null
  both_stop "$root" "$nsa" "$nsb"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$root"/*.out; do [ -f "$f" ] && { echo "--- $(basename "$f")"; cat "$f"; }; done
  echo "--- ours"; tail -n 20 "$root/ours.log" 2>/dev/null
  echo "--- heartbeat 3.0.6"; tail -n 30 "$t/ha-log" 2>/dev/null
  exit 1
}

# The same client twice: against our library (with a sanitizer build's flags, HB_CLIENT_CFLAGS)
# and against Debian's heartbeat 3.0.6 library, from our header (the same ABI).
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror ${HB_CLIENT_CFLAGS:-} -I "$top/include/heartbeat" -o "$root/client_ours" \
  "$top/tests/interop/big_message_client.c" -L "$lib" -lhbclient || fail "big_message_client.c does not build against our libhbclient"
"$cc" -std=c11 -Wall -Wextra -Werror -I "$top/include/heartbeat" -o "$root/client_theirs" \
  "$top/tests/interop/big_message_client.c" /usr/lib/libhbclient.so.1 /usr/lib/libplumb.so.2 \
  || fail "big_message_client.c does not build against Debian's libhbclient"

if ! two_nodes_netns "$nsa" "$nsb" 10.82.1; then
  echo "SKIP: cannot create network namespaces or veth pairs here"; exit 77
fi
key="1 sha1 large-messages"
ours_config "$root/ours" "$port" "$keepalive" "$deadtime" 10.82.1.1 "ucast veth0 10.82.1.2" "$key"
theirs_config "$t" "$port" "$keepalive" "$deadtime" "ucast veth0 10.82.1.1" "$key"
printf 'traditional_compression yes\ncompression zlib\napiauth anon uid=root\n' >>"$root/ours/conf/ha.cf"
printf 'traditional_compression yes\ncompression bz2\n' >>"$t/etc/ha.cf"

both_start "$bin" "$root" "$nsa" "$nsb" "$hb"
echo "ok: heartbeat 3.0.6 (pid $theirs) and our daemon see each other active (udpport $port)"

# Each side's client as the named client "ping" (apiauth: ping gid=haclient).
on_ours() {
  setpriv --regid haclient --clear-groups env HA_API_SOCKET="$root/ours/register" LD_LIBRARY_PATH="$lib" \
    timeout 60 "$root/client_ours" "$@"
}
on_theirs() {
  nsenter -t "$theirs" -m -u -n setpriv --regid haclient --clear-groups timeout 60 "$root/client_theirs" "$@"
}

# deliver FROM TO SIZE KIND: TO's client awaits, FROM's client sends; both must succeed.
deliver() {
  local name=$1-to-$2-$3-$4
  "on_$2" await "$3" "$4" "$name" 20000 >"$root/$name.await.out" 2>&1 &
  waiter=$!
  wait_log "$root/$name.await.out" "ready" 20 || fail "$name: the receiving client never signed on"
  "on_$1" send "$3" "$4" "$name" >"$root/$name.send.out" 2>&1 || fail "$name: the send failed (rc $?)"
  wait "$waiter" || fail "$name: the message did not arrive intact"
  waiter=
  echo "ok: $name: $(tail -n 1 "$root/$name.await.out")"
  rm -f "$root/$name".*.out
}

# Compressible text far above one datagram: our zlib wrapper, read by heartbeat 3.0.6.
deliver ours theirs 100000 text
# Random characters that fit one datagram only compressed (or not at all: they go as they are).
deliver ours theirs 40000 noise
# heartbeat 3.0.6's bz2 wrappers, read by us.
deliver theirs ours 40000 noise
deliver theirs ours 100000 text

# Random characters that do not fit one datagram even compressed: fragments are ours only, so our
# client's call fails with the reason, and our daemon counts the refusal.
on_ours send 150000 noise refused >"$root/refused.out" 2>&1
rc=$?
[ $rc = 3 ] || fail "150000 bytes of noise to heartbeat 3.0.6: rc $rc, not refused"
grep -q "^refused: ." "$root/refused.out" || fail "the refusal gives no reason"
echo "ok: 150000 bytes of noise are refused: $(sed 's/^refused: //' "$root/refused.out")"

kill -0 "$theirs" 2>/dev/null || fail "heartbeat 3.0.6 died"
ours=$(cat "$root/ours.pid")
kill -0 "$ours" 2>/dev/null || fail "our daemon died"
# Our daemon's counters (cl_status counters): the messages went and came compressed, one was refused.
"$bin/cl_status" counters --socket "$root/ours/register" >"$root/ours.counters" || fail "cl_status counters failed"
counter() { awk -v k="counters.$1" '$1 == k {print $2}' "$root/ours.counters"; }
for want in sent_compressed:2 received_compressed:2 send_refused_too_big:1; do
  c=${want%:*} n=$(counter "${want%:*}")
  [ -n "$n" ] && [ "$n" -ge "${want#*:}" ] || fail "counter $c is '$n', not at least ${want#*:}"
  echo "ok: our daemon counted $c $n"
done
echo "large messages with Debian's heartbeat 3.0.6: PASS"
