#!/bin/bash
# Whatever happens to udamon, the target keeps running with its data intact
# and with no write-protect registration left: kill -9 mid-run, SIGTERM,
# and a normal end. After SIGTERM the record file is complete and valid.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
WO=(--exp_ops_use_reports y --exp_ops_write_only y)
SPEC="a:write:16M b:write:4M:cpu=1 c:read:4M d:idle:4M"

run_case() {	# name signal-or-"timeout"
	local name=$1 how=$2 wl mon
	"$WL/wl_ranges" --seconds 5 --addr-file "$TMP/$name.addr" $SPEC &
	wl=$!; PIDS+=("$wl")
	wait_lines "$TMP/$name.addr" 4
	if [ "$how" = timeout ]; then
		"$UDAMON" record -q "${WO[@]}" --timeout 1.5 -o "$TMP/$name.data" "$wl" ||
			fail "$name: record failed"
	else
		"$UDAMON" record -q "${WO[@]}" -o "$TMP/$name.data" "$wl" &
		mon=$!
		sleep 1.5
		kill -"$how" "$mon"
		wait "$mon"
		local rc=$?
		[ "$how" = KILL ] || [ $rc -eq 0 ] || fail "$name: udamon exited $rc after SIG$how"
	fi
	sleep 0.3
	kill -0 "$wl" 2>/dev/null || fail "$name: the target died"
	expect_no_uffd_wp "$wl"
	wait "$wl" || fail "$name: the target's data check failed"
	echo "ok: $name: target finished with its data intact"
}

run_case kill9 KILL
run_case sigterm TERM
run_case sigint INT
run_case normal timeout
for f in sigterm sigint normal; do
	python3 - "$TMP/$f.data" <<'PY' || fail "$f: record file invalid"
import json, sys, zlib
d = open(sys.argv[1], 'rb').read()
recs = json.loads(zlib.decompress(d))
assert len(recs) == 1 and len(recs[0]['snapshots']) >= 5, 'too few snapshots'
print('ok:', sys.argv[1], len(recs[0]['snapshots']), 'snapshots')
PY
done
