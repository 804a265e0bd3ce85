#!/usr/bin/env bash
# `cmake --install` gives a client everything it needs: a C program builds with pkg-config
# (heartbeat.pc) and a C++ program with find_package(heartbeat), each against the installed
# headers and libhbclient only, and both run.
# Usage: install_test.sh BUILD_DIR
set -eu
build=${1:?usage: install_test.sh BUILD_DIR}
work=$(mktemp -d /tmp/hbinst-XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
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
