#!/usr/bin/env bash
# `cmake --install` installs every program a user runs (the daemon where heartbeat 3.0.6 has it),
# their man pages, the systemd unit and the logrotate file, and gives a client everything it needs:
# a C program builds with pkg-config (heartbeat.pc) and a C++ program with find_package(heartbeat),
# each against the installed headers and libhbclient only, and both run.
# Usage: install_test.sh BUILD_DIR
set -eu
build=${1:?usage: install_test.sh BUILD_DIR}
work=$(mktemp -d /tmp/hbinst-XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
p=$work/prefix
for f in libexec/heartbeat/heartbeat sbin/heartbeat bin/cl_status bin/hbconfig bin/hbmsg bin/hbsim \
         bin/hb_standby bin/hb_takeover share/heartbeat/hb_standby share/heartbeat/hb_takeover; do
  [ -x "$p/$f" ] || { echo "not installed: $f"; exit 1; }
done
for f in share/man/man8/heartbeat.8 share/man/man1/cl_status.1 share/man/man1/hbconfig.1 \
         share/man/man1/hbmsg.1 share/man/man1/hbsim.1 share/man/man1/hb_standby.1 share/man/man1/hb_takeover.1 lib/systemd/system/heartbeat.service \
         etc/logrotate.d/heartbeat share/heartbeat/grafana-dashboard.json lib/pkgconfig/heartbeat.pc lib/cmake/heartbeat/heartbeatConfig.cmake \
         include/heartbeat/hb_api.h include/heartbeat/ha_msg.h include/heartbeat/client.hpp; do
  [ -s "$p/$f" ] || { echo "not installed: $f"; exit 1; }
done
grep -q "^ExecStart=/.*/libexec/heartbeat/heartbeat -f " "$p/lib/systemd/system/heartbeat.service" ||
  { echo "the unit does not start the installed daemon"; exit 1; }
grep -q '^\.SH OPTIONS' "$p/share/man/man8/heartbeat.8" && grep -q 'config\\-dir' "$p/share/man/man8/heartbeat.8" ||
  { echo "heartbeat.8 lacks the options of heartbeat --help"; exit 1; }
[ "$(LD_LIBRARY_PATH=$p/lib "$p/sbin/heartbeat" -V)" = "$("$build/bin/heartbeat" -V)" ] ||
  { echo "the installed daemon does not run"; exit 1; }
echo "ok: programs, man pages, unit, logrotate, pkg-config and CMake files installed"
cat >"$work/c.c" <<'C'
#include <hb_api.h>
#include <string.h>
int main(void) {
    ll_cluster_t* h = ll_cluster_new("heartbeat");
    int refused = h->llc_ops->signon(h, "x") == HA_FAIL && strlen(h->llc_ops->errmsg(h)) > 0;
    h->llc_ops->delete(h);
    return refused ? 0 : 1;
}
C
flags=$(PKG_CONFIG_PATH=$work/prefix/lib/pkgconfig pkg-config --define-variable=prefix="$work/prefix" --cflags --libs heartbeat)
# shellcheck disable=SC2086
cc -Wall -Werror "$work/c.c" $flags -o "$work/c"
HA_API_SOCKET=/nonexistent LD_LIBRARY_PATH=$work/prefix/lib "$work/c"
echo "ok: a C client built with pkg-config runs"
mkdir -p "$work/cpp"
cat >"$work/cpp/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(client CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(heartbeat REQUIRED)
add_executable(client client.cpp)
target_link_libraries(client PRIVATE heartbeat::hbclient)
CM
cat >"$work/cpp/client.cpp" <<'CPP'
#include <heartbeat/client.hpp>
int main() {
    hb::Message m;
    m.add("t", "x");
    auto c = hb::Cluster::signon("x", "/nonexistent");
    return !c && !c.error().empty() && m.get("t") ? 0 : 1;
}
CPP
cmake -S "$work/cpp" -B "$work/cpp/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cpp/build" >/dev/null
LD_LIBRARY_PATH=$work/prefix/lib "$work/cpp/build/client"
echo "ok: a C++ client built with find_package(heartbeat) runs"
