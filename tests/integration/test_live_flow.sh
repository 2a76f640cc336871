#!/bin/bash
# The seed's flow against ground truth: start a background monitor with
# --exp_ops_cpus 0 on threads pinned to CPU 0 and CPU 1 (each writing its
# own range); record ongoing sees CPU 0's range hot and CPU 1's cold; tune
# to --exp_ops_cpus 1 flips them within a few aggregations, in the same
# monitor process, with the regions and their history carried over; stop
# leaves no socket, no process and no write-protect registration, and the
# target runs on with its data intact.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
need_cpus_0_1
export UDAMON_RUN_DIR=$TMP/run
SPEC=$CPU_SPEC

st() {	# st KEY...: a value of monitor 0's status (python expression path)
	"$UDAMON" status --index 0 --json | python3 -c "import json, sys
s = json.load(sys.stdin)
print(eval('s' + ''.join('[%r]' % (int(k) if k.isdigit() else k) for k in sys.argv[1:])))" "$@"
}

"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/wl.addr" $SPEC &
wl=$!; PIDS+=("$wl")
wait_lines "$TMP/wl.addr" 4
R=$(regions_of "$TMP/wl.addr")

idx=$("$UDAMON" start "${WO[@]}" --exp_ops_cpus 0 -r "$R" "$wl") ||
	fail "start failed"
[ "$idx" = 0 ] || fail "start printed '$idx', expected the index 0"
mpid=$(st pid); PIDS+=("$mpid")
note "monitor 0 is process $mpid; its socket: $(ls -l "$UDAMON_RUN_DIR/0.sock")"
[ "$(stat -c %a "$UDAMON_RUN_DIR")" = 700 ] || fail "run directory mode is not 0700"
[ "$(stat -c %a "$UDAMON_RUN_DIR/0.sock")" = 600 ] || fail "socket mode is not 0600"
[ "$(st state)" = running ] || fail "state is not running"
# double fork: a session of its own, whose leader (the middle process) is gone
msid=$(awk '{ print $6 }' /proc/"$mpid"/stat)
[ "$msid" != "$(awk '{ print $6 }' /proc/$$/stat)" ] && [ "$msid" != "$mpid" ] ||
	fail "the monitor is not in a session of its own, without being its leader"

"$UDAMON" report access >"$TMP/live.txt" || fail "live report access failed"
grep -q . "$TMP/live.txt" || fail "live report access printed nothing"
"$UDAMON" report heatmap --resol 5 20 >"$TMP/live.heat" && grep -q . "$TMP/live.heat" ||
	fail "live report heatmap failed"
"$UDAMON" report wss --exclude_samples 0 >"$TMP/live.wss" && grep -q . "$TMP/live.wss" ||
	fail "live report wss failed"
"$UDAMON" status

note "record ongoing, --exp_ops_cpus 0"
"$UDAMON" record ongoing -q -o "$TMP/cpu0.data" --timeout 3 ||
	fail "record ongoing failed"
heat "$TMP/cpu0.data" "$TMP/wl.addr"
expect_hotter c0 c1; expect_cold c1; expect_cold gap

n_before=$(st targets 0 nr_regions)
"$UDAMON" tune "${WO[@]}" --exp_ops_cpus 1 -r "$R" || fail "tune failed"
n_after=$(st targets 0 nr_regions)
note "regions before the tune $n_before, right after $n_after"
[ "$(st pid)" = "$mpid" ] || fail "the monitor process changed with tune"

note "record ongoing after tune --exp_ops_cpus 1 (from the 6th aggregation on)"
"$UDAMON" record ongoing -q -o "$TMP/cpu1.data" --timeout 3 ||
	fail "record ongoing after tune failed"
python3 "$ROOT/tests/integration/rangeheat.py" "$TMP/cpu1.data" \
	"$TMP/wl.addr" --from-fraction 0.2 >"$TMP/heat"
cat "$TMP/heat"
expect_hotter c1 c0; expect_cold c0; expect_cold gap
[ "$(st filters 1 cpus)" = 1 ] || fail "status does not show the cpumask 1 filter"

# history kept: the idle gap's region has aged through both recordings
python3 - "$TMP/cpu0.data" "$TMP/cpu1.data" "$TMP/wl.addr" <<'PY' || fail "the regions' history was not carried over by tune"
import json, sys, zlib
def load(p):
    d = open(p, 'rb').read()
    return json.loads(zlib.decompress(d) if d[:1] == b'\x78' else d)[0]['snapshots']
a, b = load(sys.argv[1]), load(sys.argv[2])
gap = [l.split() for l in open(sys.argv[3]) if l.startswith('gap ')][0]
lo, hi = int(gap[1], 16), int(gap[2], 16)
def age(s):
    return max(r['age']['aggr_intervals'] for r in s['regions']
               if r['start'] < hi and lo < r['end'])
print('# gap age: end of first recording %d, first snapshot after tune %d, '
      'regions %d -> %d' % (age(a[-1]), age(b[0]), len(a[-1]['regions']),
                            len(b[0]['regions'])))
sys.exit(not (age(b[0]) >= age(a[-1])))
PY

note "stop"
"$UDAMON" stop || fail "stop failed"
[ ! -e "$UDAMON_RUN_DIR/0.sock" ] || fail "stop left the socket"
[ ! -e "$UDAMON_RUN_DIR/0.pid" ] || fail "stop left the pid file"
exited "$mpid" || fail "the monitor process is still there"
kill -0 "$wl" || fail "the target did not survive stop"
expect_no_uffd_wp "$wl"
"$UDAMON" status | grep -q "no monitor is running" ||
	fail "status after stop does not say that no monitor runs"
kill -TERM "$wl"
wait "$wl" || fail "the target's data check failed"
echo "start, record ongoing, tune and stop as expected"
