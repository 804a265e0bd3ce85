#!/usr/bin/env bash
# Runs every fuzzer of a fuzz build for a while from a scratch copy of its seed corpus.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in text:fuzz_text netstring:fuzz_netstring config:fuzz_config ipc:fuzz_ipc; do
  corpus=${target%%:*}
  fuzzer=${target##*:}
  mkdir -p "$work/$corpus"
  cp -r "$top/tests/fuzz/corpus/$corpus/." "$work/$corpus/"
  echo "== $fuzzer for ${seconds}s"
  "$build/bin/$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$work/$fuzzer-" "$work/$corpus" 2>"$work/$fuzzer.log" || {
      tail -n 60 "$work/$fuzzer.log"
      mkdir -p "$top/build-fuzz/artifacts" && cp "$work/$fuzzer-"* "$top/build-fuzz/artifacts/" 2>/dev/null || true
      echo "FAILED: $fuzzer" >&2
      exit 1
    }
  grep -E '^#[0-9]+.*DONE|Done [0-9]+ runs' "$work/$fuzzer.log" | tail -n 1 || true
done
echo "fuzzers: all clean"
