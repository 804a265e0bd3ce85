#!/usr/bin/env bash
# What `make demo` shows until the daemon exists: a config checked, a message built, signed,
# decoded and verified, and a real heartbeat 3.0.6 packet verified with its key.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$build/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "check the 3-node loopback example config (n1)"
"$top/examples/loopback/prepare.sh" "$work/conf"
"$bin/hbconfig" check -c "$work/conf/n1"
"$bin/hbconfig" show -c "$work/conf/n1" | head -n 20

step "a config with a mistake: deadtime below keepalive"
cp -r "$work/conf/n1" "$work/bad"
sed -i 's/^deadtime.*/deadtime 50ms/' "$work/bad/ha.cf"
if "$bin/hbconfig" check -c "$work/bad"; then echo "unexpected: accepted"; exit 1; else echo "(exit status $?)"; fi

step "build a status message, text and netstring encodings"
"$bin/hbmsg" encode t=status st=active src=n1 seq=1 srcuuid:hex=15164ac2f6e6416788276601 | cat -v
echo
"$bin/hbmsg" encode --netstring t=status st=active src=n1 seq=1 | cat -v
echo

step "sign it as a UDP datagram with hmac-sha256, then check and decode it"
"$bin/hbmsg" sign --key 1:hmac-sha256:demo-secret t=status st=active src=n1 seq=1 >"$work/pkt"
cat -v "$work/pkt"; echo
"$bin/hbmsg" check --key 1:hmac-sha256:demo-secret "$work/pkt"
printf 'with the wrong key: '
"$bin/hbmsg" check --key 1:hmac-sha256:wrong "$work/pkt" || true

step "a real packet from heartbeat 3.0.6 (sha1, key anchor-key), both signatures checked"
"$bin/hbmsg" check --key 1:sha1:anchor-key "$top/tests/data/captures/udp-packet-1.bin"
echo
echo "demo done"
