#!/bin/bash
# One monitor per process: a second udamon on a monitored pid is refused
# before it touches the process, with the first monitor's pid in the
# message; the first keeps working (its record shows the written range
# hot and the others cold), and once it has ended the pid can be
# monitored again. A process that uses userfaultfd itself is not refused.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
SPEC="idle:idle:8M reader:read:8M hot:write:2M"

"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/wl.addr" $SPEC &
wl=$!; PIDS+=("$wl")
wait_lines "$TMP/wl.addr" 3
"$UDAMON" record -q "${WO[@]}" --timeout 6 -o "$TMP/first.data" "$wl" \
	2>"$TMP/first.err" &
first=$!; PIDS+=("$first")
# attached once the target's mappings carry write-protect registrations
for i in $(seq 1 100); do
	grep -qE '^VmFlags:.* uw( |$)' "/proc/$wl/smaps" 2>/dev/null && break
	sleep 0.05
done
grep -qE '^VmFlags:.* uw( |$)' "/proc/$wl/smaps" || fail "the first monitor did not attach"
regs=$(grep -cE '^VmFlags:.* uw( |$)' "/proc/$wl/smaps")

for i in 1 2 3; do
	expect_error "already monitored by udamon process $first" \
		"$UDAMON" record -q "${WO[@]}" --timeout 1 -o "$TMP/second.data" "$wl"
done
[ ! -e "$TMP/second.data" ] || fail "the refused monitor wrote a record"
grep -q "TracerPid:.0" "/proc/$wl/status" || fail "the refused monitor left the target traced"
[ "$(grep -cE '^VmFlags:.* uw( |$)' "/proc/$wl/smaps")" = "$regs" ] ||
	fail "the registrations changed under the first monitor"

wait "$first" || { cat "$TMP/first.err"; fail "the first monitor failed"; }
grep -q "not monitored" "$TMP/first.err" &&
	{ cat "$TMP/first.err"; fail "the first monitor lost mappings"; }
heat "$TMP/first.data" "$TMP/wl.addr"
expect_hot hot; expect_cold reader; expect_cold idle
echo "ok: the first monitor's record is valid"

# Once it has ended, the process is free again.
"$UDAMON" record -q "${WO[@]}" --timeout 1 -o "$TMP/third.data" "$wl" ||
	fail "a monitor after the first one ended was refused"
kill -TERM "$wl"
wait "$wl" || fail "the target's data check failed"
echo "ok: a later monitor attaches once the first has ended"

# A process with a userfaultfd of its own: the mapping it registered is
# skipped with a warning (EBUSY), the rest is monitored.
"$WL/wl_own_uffd" "$TMP/own.addr" 4 &
own=$!; PIDS+=("$own")
wait_lines "$TMP/own.addr" 2
"$UDAMON" record -q "${WO[@]}" --timeout 1.5 -o "$TMP/own.data" "$own" \
	2>"$TMP/own.err" || { cat "$TMP/own.err"; fail "a process with its own userfaultfd was refused"; }
cat "$TMP/own.err"
grep -q "the process uses userfaultfd on it itself" "$TMP/own.err" ||
	fail "no warning about the process's own userfaultfd"
heat "$TMP/own.data" "$TMP/own.addr"
expect_hot hot
wait "$own" || fail "the process with its own userfaultfd failed"
echo "ok: a process's own userfaultfd is a warning, not a refusal"
