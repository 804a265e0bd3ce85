#!/usr/bin/env bash
# Our libhbclient against Debian's real heartbeat 3.0.6 daemon. A 2-node cluster in two network
# namespaces joined by a veth pair (as mixed_cluster.sh): heartbeat 3.0.6 as node "theirs" in its
# own mount and UTS namespace (private /etc/ha.d, /run, /var/lib/heartbeat), our daemon as node
# "ours". Inside heartbeat 3.0.6's namespaces, where /run/heartbeat/register is its socket, a C
# program of ours (tests/interop/llc_against_debian.c, hb_api.h + ha_msg.h only) linked against
# our build's libhbclient.so makes a client's calls and checks heartbeat 3.0.6's answers. If our
# cl_status is built, its output is compared with Debian's cl_status against the same daemon.
# Usage: ours_against_debian.sh BIN_DIR. Exit 77 (skipped) without heartbeat 3.0.6, namespaces,
# a C compiler or our libhbclient.
set -u
bin=${1:?usage: ours_against_debian.sh BIN_DIR}
bin=$(cd "$bin" 2>/dev/null && pwd) || { echo "FAIL: no directory $1"; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
hb=/usr/libexec/heartbeat/heartbeat
lib=$(cd "$bin/../lib" 2>/dev/null && pwd)
[ -x "$hb" ] || { echo "SKIP: Debian's heartbeat 3.0.6 is not installed (apt-get install heartbeat)"; exit 77; }
getent group haclient >/dev/null || { echo "SKIP: no haclient group (apt-get install heartbeat)"; exit 77; }
[ -n "$lib" ] && [ -e "$lib/libhbclient.so" ] || { echo "SKIP: no libhbclient.so in $bin/../lib (build target hbclient)"; exit 77; }
[ -x "$bin/heartbeat" ] || { echo "SKIP: no $bin/heartbeat"; exit 77; }
cc=$(command -v cc || command -v gcc || command -v clang) || { echo "SKIP: no C compiler"; exit 77; }
. "$top/tests/interop/two_nodes.sh"
tag=$$
nsa=hbod-a-$tag nsb=hbod-b-$tag
root=$(mktemp -d /tmp/hbod-XXXXXX)
port=$((18500 + tag % 100))
keepalive=200 deadtime=1000
t=$root/theirs
cleanup() {
  both_stop "$root" "$nsa" "$nsb"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- ours"; tail -n 20 "$root/ours.log" 2>/dev/null
  echo "--- heartbeat 3.0.6"; tail -n 30 "$t/ha-log" 2>/dev/null
  exit 1
}

# Our test client, built against our header and library only (HB_CLIENT_CFLAGS: the sanitizer
# flags of a sanitizer build, whose instrumented library a plain program cannot load).
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror ${HB_CLIENT_CFLAGS:-} -I "$top/include/heartbeat" -o "$root/llc_against_debian" \
  "$top/tests/interop/llc_against_debian.c" -L "$lib" -lhbclient || fail "llc_against_debian.c does not build against our libhbclient"

if ! two_nodes_netns "$nsa" "$nsb" 10.81.1; then
  echo "SKIP: cannot create network namespaces or veth pairs here"; exit 77
fi
key="1 sha1 ours-against-debian"
ours_config "$root/ours" "$port" "$keepalive" "$deadtime" 10.81.1.1 "ucast veth0 10.81.1.2" "$key"
theirs_config "$t" "$port" "$keepalive" "$deadtime" "ucast veth0 10.81.1.1" "$key"

both_start "$bin" "$root" "$nsa" "$nsb" "$hb"
echo "ok: heartbeat 3.0.6 (pid $theirs) and our daemon see each other active (udpport $port)"

# in_theirs CMD...: in heartbeat 3.0.6's mount, UTS and network namespaces.
in_theirs() { nsenter -t "$theirs" -m -u -n "$@"; }

# Our library's calls, as the named client "ping" (apiauth: ping gid=haclient).
in_theirs setpriv --regid haclient --clear-groups env LD_LIBRARY_PATH="$lib" \
  timeout 60 "$root/llc_against_debian" theirs ours veth0 "${keepalive}ms" "${deadtime}ms" "$keepalive" "$deadtime" \
  >"$root/llc.out" 2>&1
rc=$?
sed 's/^/  /' "$root/llc.out"
[ $rc = 0 ] || fail "our libhbclient against heartbeat 3.0.6 (rc $rc)"
echo "ok: our libhbclient against heartbeat 3.0.6: $(grep -c '^ok:' "$root/llc.out") checks"

# Our cl_status beside Debian's, against the same heartbeat 3.0.6 (ours is not setgid: given
# egid haclient, as Debian's has from its setgid bit).
if [ -x "$bin/cl_status" ]; then
  differ=0
  for args in "hbstatus" "listnodes" "nodestatus ours" "nodestatus theirs" "nodestatus nosuch" \
              "listhblinks ours" "hblinkstatus ours veth0" "nodetype ours" "hbparameter -p keepalive" \
              "hbparameter -p deadtime" "clientstatus theirs nobody"; do
    # shellcheck disable=SC2086
    want=$(in_theirs timeout 20 /usr/bin/cl_status $args 2>&1); want_rc=$?
    # shellcheck disable=SC2086
    got=$(in_theirs setpriv --regid haclient --clear-groups env LD_LIBRARY_PATH="$lib" timeout 20 "$bin/cl_status" $args 2>&1)
    got_rc=$?
    if [ "$got" = "$want" ] && [ "$got_rc" = "$want_rc" ]; then
      echo "ok: cl_status $args -> $(echo "$got" | tr '\n\t' ' ')(rc $got_rc), as Debian's"
    else
      echo "FAIL: cl_status $args: ours '$got' rc $got_rc, Debian's '$want' rc $want_rc"
      differ=1
    fi
  done
  [ $differ = 0 ] || fail "our cl_status differs from Debian's against heartbeat 3.0.6"
else
  echo "note: no $bin/cl_status: the cl_status comparison was not made"
fi
kill -0 "$theirs" 2>/dev/null || fail "heartbeat 3.0.6 died"
echo "our libhbclient against Debian's heartbeat 3.0.6: PASS"
