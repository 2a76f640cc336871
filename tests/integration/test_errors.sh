#!/bin/bash
# Every failure a user can hit says what was wrong and exits non-zero,
# before anything starts.
. "$(dirname "$0")/lib.sh"
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
# the record is renamed into place: a device or FIFO would be replaced
expect_error "'/dev/null' is a character device, not a regular file" \
	"$U" record "${WO[@]}" -o /dev/null 1
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
mkfifo "$TMP/fifo"
expect_error "is a FIFO, not a regular file" "$U" record "${WO[@]}" \
	-o "$TMP/fifo" 1
[ -p "$TMP/fifo" ] || fail "the FIFO was replaced"
expect_error "--ops" "$U" record "${WO[@]}" --ops kaddr 1
expect_error "more than one target" "$U" record "${WO[@]}" 1 2
expect_error "cannot open" "$U" report access --input "$TMP/none.data"
# an empty cpulist would count nothing
expect_error "--exp_ops_cpus: no CPU in '': expected a cpulist such as 0-3,8 (or all)" \
	"$U" record "${WO[@]}" --exp_ops_cpus "" 1
expect_error "--exp_ops_cpus: no CPU in ' ': expected a cpulist" \
	"$U" record "${WO[@]}" --exp_ops_cpus " " 1
# 0 would mean no end: refused
expect_error "--timeout 0: expected a positive time (without --timeout, recording lasts until the target ends or Ctrl-C)" \
	"$U" record "${WO[@]}" --timeout 0 1
expect_error "--seconds 0: expected a positive time" timeout 10 "$U" demo --seconds 0
# the primitive and --exp_ops_use_reports, in any order
expect_error "--sample_primitives page_table and --exp_ops_use_reports y contradict each other: access reports come from the page_fault primitive; give one of them" \
	"$U" record --sample_primitives page_table --exp_ops_use_reports y \
	--exp_ops_write_only y 1
expect_error "--sample_primitives page_table and --exp_ops_use_reports y contradict" \
	"$U" record --exp_ops_use_reports y --sample_primitives page_table \
	--exp_ops_write_only y 1
expect_error "filter access reports, which the page_table primitive does not make: use --sample_primitives page_fault" \
	"$U" record --sample_primitives page_table --exp_ops_write_only y 1
expect_error "must be sorted and must not overlap once aligned to 4 KiB pages ([0, 0x1000) and [0, 0x1000))" \
	"$U" record "${WO[@]}" -r "1-2 3-4" 1
# help texts are printed as they are, not as printf formats
"$U" record --help | grep -qF '4% 3 5ms 10s' ||
	fail "record --help does not show the autotune goal as '4% 3 5ms 10s'"
! "$U" record --help | grep -qF '%%' || fail "record --help prints '%%'"

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
	# a thread id: the process id is named
	"$WL/wl_ranges" --seconds 20 --addr-file "$TMP/t.addr" \
		w:write:1M:tid-file="$TMP/w.tid" & wl=$!; PIDS+=("$wl")
	wait_lines "$TMP/t.addr" 1
	expect_error "vaddr: $(cat "$TMP/w.tid") is a thread of process $wl, not a process: give the process id ($wl)" \
		"$U" record "${WO[@]}" "$(cat "$TMP/w.tid")"
	kill "$wl"
	# a zombie (its parent, started here, never reaps it)
	python3 -c 'import os, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
print(pid, flush=True)
time.sleep(30)' >"$TMP/zombie" & PIDS+=("$!")
	wait_lines "$TMP/zombie" 1
	zp=$(cat "$TMP/zombie")
	for i in $(seq 1 50); do
		grep -q '^State:.*Z' "/proc/$zp/status" 2>/dev/null && break
		sleep 0.1
	done
	expect_error "vaddr: process $zp has exited (a zombie not yet reaped by its parent): it has no memory left to monitor" \
		"$U" record "${WO[@]}" "$zp"
	# A process whose memory map root cannot read (pid 1 of this
	# container, where that is so): refused before anything is done to
	# it. Where pid 1's map is readable, this is not tried (no test
	# attaches to a process it did not start).
	if ! head -c 1 /proc/1/maps >/dev/null 2>&1 &&
	   ! grep -qE '^(Seccomp|TracerPid):[[:space:]]*[1-9]' /proc/1/status; then
		expect_error "vaddr: process 1 exists, but its memory map (/proc/1/maps) cannot be read: Permission denied" \
			"$U" record "${WO[@]}" 1
	else
		note "pid 1's memory map is readable here: its message is not checked"
	fi
	# a target that is gone before udamon can attach
	"$U" record -q "${WO[@]}" -o "$TMP/t.data" "true" 2>"$TMP/gone.err"
	echo "rc $? for a command that exits at once: $(cat "$TMP/gone.err")"
	grep -qE "exited|no longer exists|has exited|gone" "$TMP/gone.err" ||
		fail "no clear note when the target ends during attach"
fi
echo "all errors as expected"
