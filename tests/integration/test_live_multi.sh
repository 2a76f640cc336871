#!/bin/bash
# Two background monitors on two targets: each reports its own target's
# writes (ground truth: each workload writes one range, the other idles),
# --index picks each for status, report, record ongoing and tune, and
# tune and stop of one leave the other alone. A tune that adds a CPU filter
# to a monitor started without one turns the fault events on online.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
export UDAMON_RUN_DIR=$TMP/run
# exact intervals are checked: no CPU budget changing them
WO+=(--monitoring_cpu_budget 0)

pid_of() {	# pid_of INDEX: the target pid in monitor INDEX's status
	"$UDAMON" status --index "$1" --json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["targets"][0]["pid"])'
}

"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/a.addr" hot:write:2M:cpu=0 cold:idle:4M &
wa=$!; PIDS+=("$wa")
"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/b.addr" cold:idle:4M hot:write:2M &
wb=$!; PIDS+=("$wb")
wait_lines "$TMP/a.addr" 2; wait_lines "$TMP/b.addr" 2
ia=$("$UDAMON" start "${WO[@]}" -r "$(regions_of "$TMP/a.addr")" "$wa") || fail "start a"
ib=$("$UDAMON" start "${WO[@]}" -r "$(regions_of "$TMP/b.addr")" "$wb") || fail "start b"
note "monitors $ia (process $wa) and $ib (process $wb)"
[ "$ia" = 0 ] && [ "$ib" = 1 ] || fail "indexes $ia and $ib, expected 0 and 1"
PIDS+=("$(cut -d' ' -f1 "$UDAMON_RUN_DIR/0.pid")" "$(cut -d' ' -f1 "$UDAMON_RUN_DIR/1.pid")")
[ "$(pid_of 0)" = "$wa" ] && [ "$(pid_of 1)" = "$wb" ] ||
	fail "status --index does not show each monitor's own target"
[ "$("$UDAMON" status | grep -c '^monitor ')" = 2 ] || fail "status does not list two monitors"
expect_error "several monitors" "$UDAMON" tune "${WO[@]}"
expect_error "no monitor with index 7" "$UDAMON" status --index 7

for i in 0 1; do
	"$UDAMON" record ongoing -q --index "$i" -o "$TMP/$i.data" --timeout 2 ||
		fail "record ongoing --index $i"
done
python3 - "$TMP/0.data" "$wa" "$TMP/1.data" "$wb" <<'PY' || fail "a record holds another monitor's target"
import json, sys, zlib
for path, pid in zip(sys.argv[1::2], sys.argv[2::2]):
    d = open(path, 'rb').read()
    recs = json.loads(zlib.decompress(d) if d[:1] == b'\x78' else d)
    pids = [r['udamon']['pid'] for r in recs]
    print('# %s: target pids %s' % (path, pids))
    assert pids == [int(pid)], pids
PY
heat "$TMP/0.data" "$TMP/a.addr"; expect_hotter hot cold; expect_cold cold
heat "$TMP/1.data" "$TMP/b.addr"; expect_hotter hot cold; expect_cold cold

# live report access of each, and of both
"$UDAMON" report access --index 1 --compact >"$TMP/r1" || fail "report access --index 1"
"$UDAMON" report access --compact >"$TMP/rboth" || fail "report access of both"
[ "$(wc -l <"$TMP/rboth")" -gt "$(wc -l <"$TMP/r1")" ] ||
	fail "the report of both monitors is not longer than that of one"

"$UDAMON" tune --index 1 "${WO[@]}" -a 200ms -r "$(regions_of "$TMP/b.addr")" ||
	fail "tune --index 1"
a0=$("$UDAMON" status --index 0 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["attrs"]["aggr_us"])')
a1=$("$UDAMON" status --index 1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["attrs"]["aggr_us"])')
a1p=$("$UDAMON" status --index 1 --json | python3 -c 'import json, sys; s = json.load(sys.stdin); print((s["pending_attrs"] or s["attrs"])["aggr_us"])')
note "aggregation intervals: monitor 0 $a0 us, monitor 1 $a1 us (pending or in force: $a1p us)"
[ "$a0" = 100000 ] && [ "$a1p" = 200000 ] || fail "tune --index 1 did not change only monitor 1"

# monitor 0 started without a CPU filter (no fault events): a tune turns
# them on, and the filter counts by CPU at once (its writer runs on CPU 0)
RA=$(regions_of "$TMP/a.addr")
for c in 1 0; do
	"$UDAMON" tune --index 0 "${WO[@]}" --exp_ops_cpus "$c" -r "$RA" ||
		fail "tune --index 0 --exp_ops_cpus $c"
	"$UDAMON" record ongoing -q --index 0 -o "$TMP/0cpu$c.data" --timeout 2 ||
		fail "record ongoing of monitor 0 with CPU $c"
	heat "$TMP/0cpu$c.data" "$TMP/a.addr"
	if [ "$c" = 1 ]; then expect_cold hot; else expect_hotter hot cold; fi
done

"$UDAMON" stop --index 0 || fail "stop --index 0"
[ ! -e "$UDAMON_RUN_DIR/0.sock" ] && [ -e "$UDAMON_RUN_DIR/1.sock" ] ||
	fail "stop --index 0 did not stop only monitor 0"
expect_no_uffd_wp "$wa"
[ "$(pid_of 1)" = "$wb" ] || fail "monitor 1 is not answering after monitor 0 stopped"
idx=$("$UDAMON" start "${WO[@]}" "$wa") || fail "start again"
[ "$idx" = 0 ] || fail "the freed index 0 was not reused (got $idx)"
PIDS+=("$(cut -d' ' -f1 "$UDAMON_RUN_DIR/0.pid")")
"$UDAMON" stop || fail "stop of all"
ls "$UDAMON_RUN_DIR" | grep -q sock && fail "stop left sockets: $(ls "$UDAMON_RUN_DIR")"
expect_no_uffd_wp "$wa"; expect_no_uffd_wp "$wb"
kill -TERM "$wa" "$wb"
wait "$wa" || fail "target a's data check failed"
wait "$wb" || fail "target b's data check failed"
echo "two monitors as expected"
