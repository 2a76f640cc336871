#!/bin/bash
# Write-only monitoring of a real process against ground truth: a range
# written continuously comes out hot; a range only read and an idle range
# come out cold. Both target forms: a command and an attached pid.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
# The first range maps highest; thread stacks (written) map below the last.
SPEC="idle:idle:8M reader:read:8M hot:write:2M"

note "command form"
"$UDAMON" record -q "${WO[@]}" -o "$TMP/cmd.data" \
	"$WL/wl_ranges --seconds 8 --addr-file $TMP/cmd.addr $SPEC" \
	2>"$TMP/cmd.err" || { cat "$TMP/cmd.err"; fail "record of a command failed"; }
cat "$TMP/cmd.err"
grep -q "exited with status 0" "$TMP/cmd.err" ||
	fail "the workload did not end cleanly (its data check) or no exit note"
heat "$TMP/cmd.data" "$TMP/cmd.addr"
expect_hot hot; expect_cold reader; expect_cold idle

note "attached pid form"
"$WL/wl_ranges" --seconds 11 --addr-file "$TMP/pid.addr" $SPEC &
wl=$!; PIDS+=("$wl")
wait_lines "$TMP/pid.addr" 3
"$UDAMON" record -q "${WO[@]}" --timeout 8 -o "$TMP/pid.data" "$wl" ||
	fail "record of pid $wl failed"
heat "$TMP/pid.data" "$TMP/pid.addr"
expect_hot hot; expect_cold reader; expect_cold idle
expect_no_uffd_wp "$wl"
wait "$wl" || fail "the workload's data check failed after monitoring"
echo "all ranges as expected"
