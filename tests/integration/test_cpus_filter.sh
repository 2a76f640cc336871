#!/bin/bash
# --exp_ops_cpus against ground truth: threads pinned to CPU 0 and CPU 1
# write their own ranges; each cpulist must keep exactly the ranges written
# on its CPUs (command and attached-pid forms), a thread created after
# monitoring started must count on its CPU, and a thread that migrates
# between CPU 0 and 1 must count on each about as often as it runs there.
#
# The monitoring regions are the workload's ranges (--regions), so what is
# measured is the attribution, not how fast adaptive regions converge. For
# the command form the addresses are known in advance: without address
# space randomization (setarch -R) the workload maps the same addresses in
# every run, which a short probe run tells.
#
# Hot: mean access rate over the second half >= 0.3 of the highest range's
# rate in the same record (which must be >= 0.1: something was measured);
# cold: <= 0.05. (The absolute rate of a continuous writer varies between
# about 0.2 and 0.7 on a 2-CPU machine where the writers and udamon share
# the CPUs; the filters' job is to make the other ranges cold.)
. "$(dirname "$0")/lib.sh"
need_write_monitoring
need_cpus_0_1
need_setarch
SPEC=$CPU_SPEC

# record NAME SECONDS "SPEC" [udamon options...]: the command form, on the
# ranges of SPEC.
record() {
	probed_record "$1" "$2" "$3" "" "${WO[@]}" "${@:4}"
}

record cpu0 4 "$SPEC" --exp_ops_cpus 0
expect_hot_rel c0; expect_cold c1; expect_cold gap
record cpu1 4 "$SPEC" --exp_ops_cpus 1
expect_cold c0; expect_hot_rel c1
record both 4 "$SPEC" --exp_ops_cpus 0-1
expect_hot_rel c0; expect_hot_rel c1; expect_cold gap
record all 4 "$SPEC" --exp_ops_cpus all
expect_hot_rel c0; expect_hot_rel c1

note "attached pid form, --exp_ops_cpus 1"
"$WL/wl_ranges" --seconds 7 --addr-file "$TMP/pid.addr" $SPEC &
wl=$!; PIDS+=("$wl")
wait_lines "$TMP/pid.addr" 4
"$UDAMON" record -q "${WO[@]}" --exp_ops_cpus 1 --timeout 4 \
	-r "$(regions_of "$TMP/pid.addr")" -o "$TMP/pid.data" "$wl" 2>&1 ||
	fail "record of pid $wl failed"
heat "$TMP/pid.data" "$TMP/pid.addr"
expect_cold c0; expect_hot_rel c1
wait "$wl" || fail "the workload's data check failed after monitoring"

# A thread created 1 s into the run, pinned to CPU 1: its range is hot
# (over the second half) with CPU 1 and cold with CPU 0.
LATE="c0:write:2M:cpu=0 gap:idle:8M late:late-write:2M:cpu=1:delay=1000 pad:idle:8M"
record late1 4 "$LATE" --exp_ops_cpus 1
expect_cold c0; expect_hot_rel late
record late0 4 "$LATE" --exp_ops_cpus 0
expect_hot_rel c0; expect_cold late

# The migrating thread re-pins itself between CPU 0 and 1 every 5 ms and
# prints its share of time on each. Monitored with 1 ms samples, once with
# CPU 0 and once with CPU 1, its range must count on both, in proportion
# to its time: rate0 / (rate0 + rate1) within 0.15 of its CPU 0 share.
# (Samples that straddle a switch count for both CPUs; they pull the ratio
# towards 0.5, by less than the tolerance at the ~50% share it gets.)
MIG="m:migrate:2M pad:idle:8M"
INT=(--monitoring_intervals 1ms 100ms 1s)
shares=()
rates=()
for c in 0 1; do
	record "mig$c" 4 "$MIG" "${INT[@]}" --exp_ops_cpus "$c"
	rates+=("$(rate m)")
	shares+=("$(awk '$1 == "m" { sub("cpu0=", "", $2); sub("%", "", $2);
		print $2 / 100 }' "$TMP/mig$c.out")")
	[ -n "${shares[-1]}" ] || fail "the workload did not print its CPU shares"
done
note "migrating thread: CPU 0 share ${shares[*]}, rate with CPU 0 only" \
	"${rates[0]}, with CPU 1 only ${rates[1]}"
awk -v r0="${rates[0]}" -v r1="${rates[1]}" -v s0="${shares[0]}" \
	-v s1="${shares[1]}" 'BEGIN {
	share = (s0 + s1) / 2
	if (r0 < 0.05 || r1 < 0.05)
		exit 1
	ratio = r0 / (r0 + r1)
	printf "# CPU 0 part of the counts %.3f, of the time %.3f\n", ratio, share
	exit !(ratio >= share - 0.15 && ratio <= share + 0.15) }' ||
	fail "migrating thread: rates ${rates[*]} (CPU 0, CPU 1) do not split like its time on CPU 0 (${shares[*]})"
echo "all CPU filters as expected"
