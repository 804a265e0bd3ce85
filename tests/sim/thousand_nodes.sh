#!/usr/bin/env bash
# 1000 nodes at keepalive 1 s for 60 simulated seconds: completes, converges, no false death.
set -euo pipefail
out=$("$1" --nodes 1000 --seed 1 --duration 60 --keepalive 1000 --deadtime 3000)
echo "$out"
grep -q '^false deaths: 0,' <<<"$out"
grep -q '^final membership: converged' <<<"$out"
grep -q '^wall time:' <<<"$out"
