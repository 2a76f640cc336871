#!/bin/bash
# Every failure a user can hit says what was wrong and exits non-zero,
# before anything starts.
. "$(dirname "$0")/lib.sh"
WO=(--exp_ops_use_reports y --exp_ops_write_only y)
U=$UDAMON

expect_error "unknown command 'recrod'" "$U" recrod
# (no target at all is machine-wide paddr: never run on a shared host)
expect_error "give no pid or command" "$U" record "${WO[@]}" --ops paddr 1
expect_error "--include_init is for --ops paddr" "$U" record "${WO[@]}" \
	--include_init 1
expect_error "unknown option '--bogus'" "$U" record --bogus 1
expect_error "'maybe'" "$U" record --exp_ops_write_only maybe 1
expect_error "'5xs'" "$U" record "${WO[@]}" -s 5xs 1
expect_error "min_nr_regions" "$U" record "${WO[@]}" -n 2 1
expect_error "--monitoring_intervals" "$U" record "${WO[@]}" --monitoring_intervals 5ms 1
expect_error "add --exp_ops_use_reports y" "$U" record --exp_ops_write_only y 1
expect_error "hardware sampling" "$U" record --exp_ops_use_reports y 1
expect_error "--exp_ops_write_only y" "$U" record --exp_ops_use_reports y 1
# plain monitoring: this machine has neither idle page tracking nor a
# kernel DAMON that udamon may drive
if [ ! -e /sys/kernel/mm/page_idle/bitmap ]; then
	expect_error "idle page tracking" "$U" record 1
fi
expect_error "'3-1'" "$U" record "${WO[@]}" --exp_ops_cpus 3-1 1
expect_error "'0-'" "$U" record "${WO[@]}" --exp_ops_cpus 0- 1
expect_error "--exp_ops_tids" "$U" record "${WO[@]}" --exp_ops_tids 1x 1
expect_error "json_compressed" "$U" record "${WO[@]}" --output_type yaml 1
expect_error "--ops" "$U" record "${WO[@]}" --ops kaddr 1
expect_error "more than one target" "$U" record "${WO[@]}" 1 2
expect_error "cannot open" "$U" report access --input "$TMP/none.data"

if [ "$(id -u)" = 0 ]; then
	# a pid that does not exist (pid_max is at most 4194304)
	expect_error "no such process: 4194303" "$U" record "${WO[@]}" 4194303
	if command -v setpriv >/dev/null; then
		expect_error "run udamon as root" setpriv --reuid=65534 \
			--regid=65534 --clear-groups "$U" record "${WO[@]}" 1
	fi
	sleep 30 & sp=$!; PIDS+=("$sp")
	expect_error "is not a thread of process $sp" "$U" record "${WO[@]}" \
		--exp_ops_tids 1 "$sp"
	# a target that is gone before udamon can attach
	"$U" record -q "${WO[@]}" -o "$TMP/t.data" "true" 2>"$TMP/gone.err"
	echo "rc $? for a command that exits at once: $(cat "$TMP/gone.err")"
	grep -qE "exited|no longer exists|has exited|gone" "$TMP/gone.err" ||
		fail "no clear note when the target ends during attach"
fi
echo "all errors as expected"
