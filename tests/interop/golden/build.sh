#!/usr/bin/env bash
# Builds the generator against Debian's libplumb and rewrites tests/data/msg_golden.json.
# Needs: apt-get install cluster-glue-dev libplumb2-dev libglib2.0-dev
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -Wall -std=gnu11 -o "$work/gen" "$here/gen_msg_vectors.c" -I/usr/include/heartbeat \
  $(pkg-config --cflags glib-2.0) -lplumb $(pkg-config --libs glib-2.0)
"$work/gen" "$top/tests/data/captures" >"$work/out.json" 2>"$work/stderr.log"
python3 -m json.tool "$work/out.json" >/dev/null
cp "$work/out.json" "$top/tests/data/msg_golden.json"
echo "wrote tests/data/msg_golden.json"
