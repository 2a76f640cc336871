#!/bin/bash
# --exp_ops_tids against ground truth: two unpinned threads write their own
# ranges; naming one thread keeps only its range (attached pid and command
# forms), naming both keeps both, and a thread created after monitoring
# started counts under its thread id.
#
# The command form needs thread ids before the command runs: it runs in a
# new pid namespace (unshare --pid --fork --mount-proc), where udamon is
# pid 1, the workload pid 2 and its threads 3, 4, ... in spec order; the
# test checks that the workload reports those ids.
#
# The monitoring regions are the workload's ranges (--regions), so what is
# measured is the attribution, not how fast adaptive regions converge; in
# the command form they come from a probe run without address space
# randomization (setarch -R), which maps the same addresses every time.
#
# Hot: mean access rate over the second half >= 0.3 of the highest range's
# rate in the same record (which must be >= 0.1: something was measured);
# cold: <= 0.05. (The absolute rate of a continuous writer varies between
# about 0.2 and 0.7 on a 2-CPU machine where the writers and udamon share
# the CPUs; the filters' job is to make the other ranges cold.)
. "$(dirname "$0")/lib.sh"
need_write_monitoring
SPEC="a:write:2M gap:idle:8M b:write:2M pad:idle:8M"

tid_of() { awk -v n="$1" '$1 == n { print $4 }' "$2"; }

note "attached pid form"
"$WL/wl_ranges" --seconds 10 --addr-file "$TMP/pid.addr" $SPEC &
wl=$!; PIDS+=("$wl")
wait_lines "$TMP/pid.addr" 4
R=$(regions_of "$TMP/pid.addr")
ta=$(tid_of a "$TMP/pid.addr"); tb=$(tid_of b "$TMP/pid.addr")
[ -n "$ta" ] && [ "$ta" != 0 ] || fail "no thread id for range a"
"$UDAMON" record -q "${WO[@]}" --exp_ops_tids "$ta" --timeout 3 -r "$R" \
	-o "$TMP/pid.data" "$wl" || fail "record of pid $wl, thread $ta failed"
heat "$TMP/pid.data" "$TMP/pid.addr"
expect_hot_rel a; expect_cold b
note "attached pid form, both threads"
"$UDAMON" record -q "${WO[@]}" --exp_ops_tids "$ta,$tb" --timeout 3 -r "$R" \
	-o "$TMP/pid2.data" "$wl" || fail "record of pid $wl, threads $ta,$tb failed"
heat "$TMP/pid2.data" "$TMP/pid.addr"
expect_hot_rel a; expect_hot_rel b
wait "$wl" || fail "the workload's data check failed after monitoring"

unshare --pid --fork --mount-proc true 2>/dev/null ||
	skip "cannot make a pid namespace for the command form (unshare)"
need_setarch

# nsrecord NAME SECONDS "SPEC" [udamon options...]: command form, new pid
# namespace, on the ranges of SPEC.
nsrecord() {
	probed_record "$1" "$2" "$3" "unshare --pid --fork --mount-proc" \
		"${WO[@]}" "${@:4}"
}

# In the new pid namespace udamon is 1, the command 2 and udamon's
# short-lived injecting child 3; the workload waits (--start-delay) until
# that is done, so its first thread is 4.
nsrecord cmd 4 "--start-delay 300 $SPEC" --exp_ops_tids 4
[ "$(tid_of a "$TMP/cmd.addr")" = 4 ] ||
	fail "command form: thread a has id $(tid_of a "$TMP/cmd.addr"), not 4"
expect_hot_rel a; expect_cold b

# Thread 5 does not exist when monitoring starts: it is created 1 s later.
nsrecord late 4 \
	"--start-delay 300 a:write:2M gap:idle:8M late:late-write:2M:delay=1000:tid-file=$TMP/late.tid pad:idle:8M" \
	--exp_ops_tids 5
[ "$(cat "$TMP/late.tid" 2>/dev/null)" = 5 ] ||
	fail "late thread has id $(cat "$TMP/late.tid" 2>/dev/null), not 5"
expect_cold a; expect_hot_rel late
echo "all thread filters as expected"
