#!/usr/bin/env bash
# Copies the loopback example into DIR (n1, n2, n3 config directories) with authkeys mode 600,
# which git cannot store.
set -euo pipefail
dest=${1:?usage: prepare.sh DIR}
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest"
for n in n1 n2 n3; do
  mkdir -p "$dest/$n"
  cp "$src/$n/ha.cf" "$src/$n/authkeys" "$src/$n/haresources" "$dest/$n/"
  chmod 600 "$dest/$n/authkeys"
done
