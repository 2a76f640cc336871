#!/bin/bash
# A vfork child shares its parent's memory until it executes its program
# (dash runs commands so, and posix_spawn does): a userfaultfd made in it
# then would belong to the parent, and every registration of the child's
# new program would fail (seen as records with no write at all). udamon
# waits for the exec: with --include_child_tasks, a child made 1 s into
# the run that waits 1.5 s before its exec is monitored once it runs its program, with no mapping
# refused, its written range hot and its idle range cold; and the same
# under a background monitor of a shell line (the shape the defect was
# first seen in: udamon start "cd DIR && PROGRAM", which dash vforks).
# About 18 s.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
[ -x "$WL/wl_vfork" ] || fail "no workload at $WL/wl_vfork (build it first)"

"$UDAMON" record "${WO[@]}" --include_child_tasks -o "$TMP/vf.data" \
	"$WL/wl_vfork 1000 1500 $WL/wl_ranges --seconds 6 --addr-file $TMP/vf.addr --pid-file $TMP/vf.pid idle:idle:8M hot:write:2M" \
	2>"$TMP/vf.err" || { cat "$TMP/vf.err"; fail "record failed"; }
cat "$TMP/vf.err"
grep -q "exited with status 0" "$TMP/vf.err" ||
	fail "the workload did not end cleanly (its data check)"
! grep -q "is not monitored" "$TMP/vf.err" ||
	fail "mappings of the vfork child were refused"
pid=$(cat "$TMP/vf.pid")
python3 "$ROOT/tests/integration/rangeheat.py" "$TMP/vf.data" "$TMP/vf.addr" \
	--pid "$pid" >"$TMP/heat" || fail "no record of the vfork child (process $pid)"
cat "$TMP/heat"
expect_hotter hot idle; expect_cold idle
echo "ok: record --include_child_tasks waits for the vfork child's exec"

note "udamon start with a shell line whose program a vfork child starts"
export UDAMON_RUN_DIR=$TMP/run
line="cd $TMP && $WL/wl_vfork 500 500 $WL/wl_ranges --seconds 0 --pid-file $TMP/live.pid --addr-file $TMP/live.addr idle:idle:8M hot:write:2M; echo \"status \$?\" >$TMP/live.status"
"$UDAMON" start "${WO[@]}" "$line" >/dev/null || fail "start of '$line' failed"
wait_lines "$TMP/live.addr" 2
pid=$(cat "$TMP/live.pid")
PIDS+=("$pid")
# The program maps its ranges after its exec, so after udamon attached it:
# they join the monitored regions at the next update (1 s), and the
# regions then need a few aggregations to find the hot range's edges (in
# 3 s from the address file on, the idle range read 0.07-0.10 in 2 of 6
# runs on a quiet machine).
sleep 1.5
"$UDAMON" record ongoing -q -o "$TMP/live.data" --timeout 4 ||
	fail "record ongoing failed"
"$UDAMON" status >"$TMP/live.st" || fail "status failed"
"$UDAMON" stop >/dev/null || fail "stop failed"
grep "not monitored" "$TMP/live.st" | grep -qv ": none$" &&
	{ cat "$TMP/live.st"; fail "the background monitor refused part of the vfork child"; }
kill -0 "$pid" || fail "the workload did not survive the monitor"
kill "$pid"
wait_lines "$TMP/live.status" 1
grep -qx "status 0" "$TMP/live.status" ||
	fail "the workload's data check failed ($(cat "$TMP/live.status"))"
python3 "$ROOT/tests/integration/rangeheat.py" "$TMP/live.data" \
	"$TMP/live.addr" --pid "$pid" >"$TMP/heat" ||
	fail "no record of the vfork child (process $pid) under the background monitor"
cat "$TMP/heat"
expect_hotter hot idle; expect_cold idle
echo "ok: a background monitor of a shell line waits for the vfork child's exec"
