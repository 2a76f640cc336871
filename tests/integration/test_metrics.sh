#!/bin/bash
# report metrics and the exporter: the text parses with Prometheus' own
# parser (Debian's python3-prometheus-client), its working set equals what
# report wss says of the same snapshot (a record, and a running monitor),
# each CPU's write share follows which CPU wrote, and the exporter serves
# the same on loopback only.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
$PY -c 'import prometheus_client' 2>/dev/null ||
	skip "python3-prometheus-client is not installed (scripts/deps.sh installs it)"
DATA=$ROOT/tests/data

# parse FILE: every sample as "name{sorted labels} value"; fails on bad text
parse() {
	$PY - "$1" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in fam.samples:
        labels = ','.join('%s=%s' % kv for kv in sorted(s.labels.items()))
        print('%s{%s} %r' % (s.name, labels, s.value))
PY
}
value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
last_wss() { "$UDAMON" report wss "$@" --all_wss --sortby time --raw_number \
	--exclude_samples 0 | tail -n 1 | awk '{ print $2 }'; }

note "a record: parses; working set = report wss of its last snapshot"
for rec in wl_ranges.data synthetic.data; do
	"$UDAMON" report metrics --input "$DATA/$rec" >"$TMP/m.txt" ||
		fail "report metrics --input $rec failed"
	parse "$TMP/m.txt" >"$TMP/m.parsed" || fail "$rec: not Prometheus text: $(cat "$TMP/m.parsed")"
	got=$(value "udamon_working_set_bytes{monitor=file,target=0}" "$TMP/m.parsed")
	want=$(last_wss -i "$DATA/$rec")
	note "$rec: metrics $got, report wss $want"
	[ -n "$want" ] && [ "${got%.0}" = "$want" ] ||
		fail "$rec: working set $got, report wss says $want"
done
# synthetic.data's last snapshot: 16 MiB at 50 hz (rate 25-49), 4 MiB at
# 10 hz (1-24), the rest idle
grep -qxF "udamon_access_rate_bytes{monitor=file,rate=25-49,target=0} 16777216.0" "$TMP/m.parsed" ||
	fail "bytes at 25-49 % are not the 16 MiB range: $(grep rate= "$TMP/m.parsed")"
grep -qxF "udamon_access_rate_bytes{monitor=file,rate=1-24,target=0} 4194304.0" "$TMP/m.parsed" ||
	fail "bytes at 1-24 % are not the 4 MiB range"

note "a record with CPU attribution: each CPU's share"
cat >"$TMP/cpus.json" <<'JSON'
[{"kdamond_idx": 0, "context_idx": 0, "intervals": {"sample_us": 5000,
  "aggr_us": 100000, "ops_update_us": 1000000}, "scheme_idx": null,
  "target_id": 0, "udamon": {"nr_cpus": 4, "lost_events": 7, "filters": "writes, cpus 0-3"},
  "snapshots": [{"start_time": 1000000000, "end_time": 1100000000, "total_bytes": 24576,
   "regions": [
    {"start": 4096, "end": 16384, "nr_accesses": {"samples": 20, "percent": 100},
     "age": {"usec": 0, "aggr_intervals": 0}, "udamon_cpu_samples": [0, 15, 0, 5]},
    {"start": 16384, "end": 28672, "nr_accesses": {"samples": 0, "percent": 0},
     "age": {"usec": 0, "aggr_intervals": 0}}]}]}]
JSON
"$UDAMON" report metrics --input "$TMP/cpus.json" >"$TMP/c.txt" || fail "metrics of cpus.json"
parse "$TMP/c.txt" >"$TMP/c.parsed" || fail "cpus.json: not Prometheus text"
for want in "udamon_cpu_write_share{cpu=1,monitor=file,target=0} 0.75" \
	"udamon_cpu_write_share{cpu=3,monitor=file,target=0} 0.25" \
	"udamon_cpu_write_samples{cpu=1,monitor=file,target=0} 15.0" \
	"udamon_lost_events_total{monitor=file} 7.0" \
	"udamon_working_set_bytes{monitor=file,target=0} 12288.0"; do
	grep -qxF "$want" "$TMP/c.parsed" || fail "no '$want' in: $(cat "$TMP/c.parsed")"
done
grep -q 'cpu=0' "$TMP/c.parsed" && fail "a CPU that wrote nothing has a share"

note "no monitor running: a valid scrape that says so"
export UDAMON_RUN_DIR=$TMP/run
"$UDAMON" report metrics >"$TMP/none.txt" || fail "report metrics with no monitor failed"
parse "$TMP/none.txt" | grep -qxF "udamon_monitors{} 0.0" || fail "no 'udamon_monitors 0'"

note "exporter: loopback only"
expect_error "0.0.0.0 is not a loopback address" "$UDAMON" exporter --listen 0.0.0.0:9465
expect_error "--listen needs ADDRESS:PORT" "$UDAMON" exporter --listen
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$UDAMON" exporter --listen "127.0.0.1:$port" 2>"$TMP/exporter.err" &
exporter=$!; PIDS+=("$exporter")
get() {	# get PATH OUT: the HTTP status; the body into OUT
	$PY - "$port" "$1" "$2" <<'PY'
import sys, time, urllib.error, urllib.request
for _ in range(50):
    try:
        r = urllib.request.urlopen('http://127.0.0.1:%s%s' % (sys.argv[1], sys.argv[2]), timeout=10)
        open(sys.argv[3], 'wb').write(r.read()); print(r.status, r.headers['Content-Type']); break
    except urllib.error.HTTPError as e:
        print(e.code); break
    except OSError:
        time.sleep(0.1)
PY
}
[ "$(get /nothing "$TMP/x")" = 404 ] || fail "GET /nothing is not a 404"

need_write_monitoring
need_cpus_0_1
command -v taskset >/dev/null || skip "no taskset"
note "a running monitor: CPU 1 writes, CPU 0 does not"
# every thread of the workload on CPU 1 (its main thread too)
"$UDAMON" start --exp_ops_use_reports y --exp_ops_write_only y --exp_ops_cpus 0-1 \
	"taskset -c 1 $WL/wl_ranges --seconds 5 w1:write:4M:cpu=1 idle:idle:4M" >/dev/null ||
	fail "start failed"
mpid=$(cut -d' ' -f1 "$UDAMON_RUN_DIR/0.pid"); PIDS+=("$mpid")
sleep 2.5
status=$(get /metrics "$TMP/live.txt")
[[ $status == "200 text/plain; version=0.0.4"* ]] || fail "GET /metrics: '$status'"
parse "$TMP/live.txt" >"$TMP/live.parsed" || fail "the exporter's text does not parse"
grep . "$TMP/live.parsed" | grep -v '^udamon_access_rate' | sed 's/^/    /'
share=$(grep '^udamon_cpu_write_share{cpu=1,monitor=0,' "$TMP/live.parsed" | awk '{ print $2 }')
[ -n "$share" ] || fail "no write share of CPU 1"
awk -v s="$share" 'BEGIN { exit !(s >= 0.9) }' || fail "CPU 1's write share is $share, expected about 1"
share0=$(grep '^udamon_cpu_write_share{cpu=0,monitor=0,' "$TMP/live.parsed" | awk '{ print $2 }')
awk -v s="${share0:-0}" 'BEGIN { exit !(s <= 0.1) }' || fail "CPU 0's write share is $share0, expected about 0"
for k in udamon_samples_total udamon_cpu_seconds_total udamon_uptime_seconds \
	udamon_aggregation_overruns_total udamon_sample_overruns_total; do
	grep -q "^$k{monitor=0} " "$TMP/live.parsed" || fail "no $k"
done
[ "$(value "udamon_monitors{}" "$TMP/live.parsed")" = 1.0 ] || fail "udamon_monitors is not 1"

note "live report access shows the current snapshot only (as damo)"
n=$("$UDAMON" report access --index 0 | grep -c '^heatmap:')
[ "$n" = 1 ] || fail "live report access showed $n snapshots, expected the latest one"
n=$("$UDAMON" report access --index 0 --snapshot_idx 0 1 | grep -c '^heatmap:')
[ "$n" = 2 ] || fail "live report access --snapshot_idx 0 1 showed $n snapshots"

note "the same monitor once its target ended: metrics = report wss"
for _ in $(seq 1 150); do
	"$UDAMON" status | grep -q "state: target ended" && break
	sleep 0.1
done
"$UDAMON" status | grep -q "state: target ended" || fail "the target did not end"
"$UDAMON" report metrics --index 0 >"$TMP/end.txt" || fail "report metrics --index 0"
parse "$TMP/end.txt" >"$TMP/end.parsed" || fail "report metrics --index 0 does not parse"
got=$(grep '^udamon_working_set_bytes{monitor=0,' "$TMP/end.parsed" | awk '{ print $2 }')
want=$(last_wss --index 0)
note "monitor 0: metrics $got, report wss $want"
[ -n "$want" ] && [ "${got%.0}" = "$want" ] || fail "working set $got, report wss says $want"
"$UDAMON" stop >/dev/null || fail "stop failed"
kill "$exporter"; wait "$exporter" 2>/dev/null
echo "metrics as expected"
