#!/usr/bin/env bash
# Builds the Debian packages (heartbeat-ng, heartbeat-ng-dev) from this tree with dpkg-buildpackage
# and checks them with lintian, which must report no error.
# The build runs on a copy of the tree under OUT, so nothing is written beside the tree (where
# dpkg-buildpackage puts its results) or into it; the packages land in OUT.
# Usage: build-deb.sh [OUT]   (default build-deb)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/build-deb}" && cd "${1:-$top/build-deb}" && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/src/heartbeat-ng-$version
rm -rf "$out/src" "$out"/*.deb "$out"/*.ddeb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$src"
# Tracked files and new ones not ignored: what a commit of this tree would hold.
(cd "$top" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -C "$src" -xf -
(cd "$src" && dpkg-buildpackage -b -us -uc -j"${JOBS:-2}" >"$out/build.log" 2>&1) || {
  tail -n 40 "$out/build.log"
  echo "dpkg-buildpackage failed: $out/build.log" >&2
  exit 1
}
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out"/ 2>/dev/null || true
mv "$out"/src/*.ddeb "$out"/ 2>/dev/null || true
changes=$(ls "$out"/*.changes)
lintian --fail-on error --info "$changes" | tee "$out/lintian.log"
echo "packages in $out:"
ls -1 "$out"/*.deb
