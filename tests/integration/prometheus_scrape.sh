#!/usr/bin/env bash
# The metrics endpoint under a real Prometheus (Debian's prometheus package). A 3-node loopback
# cluster, each node with `metrics_listen 127.0.0.1:1969<i>`:
#  - promtool accepts n1's /metrics as it is served;
#  - Prometheus scrapes all three: `up` is 1 for each, every node sees 3 alive;
#  - every query of packaging/grafana-dashboard.json returns data;
#  - n3 is SIGKILLed: its `up` goes to 0 and n1's gauges and counters show the death;
#  - the endpoint answers only GET /metrics, and a request that never ends is closed.
# Waits are on Prometheus's query API, bounded. Usage: prometheus_scrape.sh BIN_DIR.
# Exit 77 (skipped) without prometheus, promtool or python3.
set -u
bin=${1:?usage: prometheus_scrape.sh BIN_DIR}
for tool in prometheus promtool python3; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed (Debian: prometheus, python3)"; exit 77; }
done
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hbprom-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do { kill -9 "$p"; wait "$p"; } 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$top/examples/loopback/prepare.sh" "$work/conf"
for i in 1 2 3; do
  sed -i "s/^udpport .*/udpport 17550/" "$work/conf/n$i/ha.cf"
  echo "metrics_listen 127.0.0.1:1969$i" >>"$work/conf/n$i/ha.cf"
  : >"$work/conf/n$i/haresources"
done
"$bin/hbconfig" check -c "$work/conf/n1" -n n1 >"$work/check.out" 2>&1 || fail "hbconfig check refuses metrics_listen: $(cat "$work/check.out")"
for i in 1 2 3; do
  "$bin/heartbeat" -f -c "$work/conf/n$i" -n n$i --state-dir "$work/state$i" --pidfile "$work/n$i.pid" \
    --socket "$work/n$i.sock" 2>"$work/n$i.log" &
  pids+=($!)
done

cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: heartbeat
    static_configs:
      - targets: ['127.0.0.1:19691', '127.0.0.1:19692', '127.0.0.1:19693']
YML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address=127.0.0.1:19699 >"$work/prometheus.log" 2>&1 &
pids+=($!)

# GET a URL: the body on stdout, the status code on fd 3 ("000" when nothing answered).
http() {
  python3 - "$1" "${2:-}" <<'PY'
import sys, urllib.request, urllib.error
url, method = sys.argv[1], sys.argv[2] or "GET"
try:
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as r:
        sys.stdout.write(r.read().decode()); print(r.status, file=sys.stderr)
except urllib.error.HTTPError as e:
    print(e.code, file=sys.stderr)
except Exception:
    print("000", file=sys.stderr)
PY
}
# A PromQL query's first value, or nothing.
query() {
  http "http://127.0.0.1:19699/api/v1/query?query=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")" 2>/dev/null |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null
}
wait_query() {  # wait_query EXPR VALUE: until the query returns VALUE (bounded, 30 s)
  for _ in $(seq 1 150); do [ "$(query "$1")" = "$2" ] && return 0; sleep 0.2; done
  return 1
}

for _ in $(seq 1 100); do http http://127.0.0.1:19691/metrics >"$work/n1.metrics" 2>/dev/null && grep -q "^heartbeat_nodes_alive 3" "$work/n1.metrics" && break; sleep 0.1; done
grep -q "^heartbeat_nodes_alive 3" "$work/n1.metrics" || fail "n1 never showed 3 nodes alive: $(grep alive "$work/n1.metrics")"
promtool check metrics <"$work/n1.metrics" >"$work/promtool.out" 2>&1 || fail "promtool check metrics: $(head -5 "$work/promtool.out")"
echo "n1 serves $(grep -vc '^#' "$work/n1.metrics") samples; promtool: $(cat "$work/promtool.out")"

wait_query 'sum(up{job="heartbeat"})' 3 || fail "Prometheus does not see 3 targets up: $(query 'sum(up)')"
wait_query 'min(heartbeat_nodes_alive)' 3 || fail "not every node sees 3 alive: $(query 'min(heartbeat_nodes_alive)')"
wait_query 'count(heartbeat_peer_heartbeat_interval_seconds_count > 0)' 6 || fail "intervals are not counted"
echo "Prometheus: 3 targets up, each node sees 3 alive"

# Every query of the dashboard returns data from these metrics.
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["panels"]:
    for t in p.get("targets", []):
        print(t["expr"].replace("$__rate_interval", "10s"))' "$top/packaging/grafana-dashboard.json" >"$work/exprs" ||
  fail "packaging/grafana-dashboard.json is not a dashboard"
[ -s "$work/exprs" ] || fail "the dashboard has no queries"
while IFS= read -r expr; do
  wait_query "count(($expr)) > bool 0" 1 || fail "the dashboard's query returns nothing: $expr"
done <"$work/exprs"
echo "dashboard: $(wc -l <"$work/exprs") queries, each with data"

kill -9 "${pids[2]}"
wait_query 'up{instance="127.0.0.1:19693"}' 0 || fail "n3's up did not go to 0"
wait_query 'heartbeat_node_up{instance="127.0.0.1:19691",peer="n3"}' 0 || fail "n1's gauge for n3 did not go to 0"
wait_query 'heartbeat_nodes_alive{instance="127.0.0.1:19691"}' 2 || fail "n1 does not see 2 alive"
wait_query 'heartbeat_peer_deaths_total{instance="127.0.0.1:19691",peer="n3"}' 1 || fail "n1 did not count n3's death"
echo "n3 killed: up 0, n1 sees 2 alive and counted one death of n3"

http http://127.0.0.1:19691/ >/dev/null 2>"$work/code"; [ "$(cat "$work/code")" = 404 ] || fail "GET / answered $(cat "$work/code"), not 404"
http http://127.0.0.1:19691/metrics POST >/dev/null 2>"$work/code"; [ "$(cat "$work/code")" = 405 ] || fail "POST answered $(cat "$work/code"), not 405"
# A client that sends half a request and waits: closed, and the endpoint still answers.
python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", 19691)); s.sendall(b"GET /metrics HTTP/1.1\r\n")
s.settimeout(10); start = time.time()
sys.exit(0 if s.recv(1) == b"" and time.time() - start < 9 else 1)' || fail "a request that never ends is not closed"
http http://127.0.0.1:19691/metrics >/dev/null 2>"$work/code"; [ "$(cat "$work/code")" = 200 ] || fail "the endpoint stopped answering"

[ $fails = 0 ] || { tail -n 20 "$work/n1.log"; tail -n 5 "$work/prometheus.log"; exit 1; }
echo "PASS: Prometheus scraped the cluster, saw n3's death, and the dashboard's queries have data"
