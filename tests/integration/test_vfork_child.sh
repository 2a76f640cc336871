#!/bin/bash
# A vfork child shares its parent's memory until it executes its program
# (dash runs commands so, and posix_spawn does): a userfaultfd made in it
# then would belong to the parent, and every registration of the child's
# new program would fail (seen as records with no write at all). udamon
# waits for the exec: with --include_child_tasks, a child made 1 s into
# the run that waits 1.5 s before its exec is monitored once it runs its program, with no mapping
# refused, its written range hot and its idle range cold. About 10 s.
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
