#!/bin/bash
# Monitors that die or whose targets end. A kill -9 of a monitor leaves its
# target intact (the kernel drops the registrations with the monitor's
# userfaultfd); report damon and stop notice the stale socket, say so and
# clean up. A monitor whose target exits keeps its last snapshots and says
# so until stopped; with --exit_on_target_end it ends by itself.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
export UDAMON_RUN_DIR=$TMP/run

"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/wl.addr" a:write:2M b:idle:4M &
wl=$!; PIDS+=("$wl")
wait_lines "$TMP/wl.addr" 2

# killed: start a monitor on the workload and kill -9 it
killed() {
	local mpid
	"$UDAMON" start "${WO[@]}" "$wl" >/dev/null || fail "start failed"
	mpid=$(cut -d' ' -f1 "$UDAMON_RUN_DIR/0.pid"); PIDS+=("$mpid")
	sleep 0.5
	kill -9 "$mpid"
	for _ in $(seq 1 100); do exited "$mpid" && break; sleep 0.05; done
	kill -0 "$wl" || fail "the target died with its monitor"
	expect_no_uffd_wp "$wl"
	[ -e "$UDAMON_RUN_DIR/0.sock" ] || fail "no stale socket to test with"
}

for cmd in "report damon" stop; do
	note "kill -9 of the monitor, then $cmd"
	killed
	out=$("$UDAMON" $cmd 2>&1) || fail "$cmd failed on a stale monitor: $out"
	echo "$out"
	grep -q "monitor 0 (pid [0-9]*) is gone" <<<"$out" ||
		fail "$cmd did not report the dead monitor"
	[ ! -e "$UDAMON_RUN_DIR/0.sock" ] && [ ! -e "$UDAMON_RUN_DIR/0.pid" ] ||
		fail "$cmd left the stale files: $(ls "$UDAMON_RUN_DIR")"
done
"$UDAMON" status | grep -q "no monitor is running" || fail "stale state left behind"

note "a target that ends: the monitor keeps its last snapshots until stopped"
"$UDAMON" start "${WO[@]}" "$WL/wl_ranges --seconds 2 --addr-file $TMP/end.addr e:write:2M" \
	>/dev/null || fail "start of a command failed"
mpid=$(cut -d' ' -f1 "$UDAMON_RUN_DIR/0.pid"); PIDS+=("$mpid")
for _ in $(seq 1 100); do
	"$UDAMON" status | grep -q "state: target ended" && break
	sleep 0.1
done
"$UDAMON" status | tee "$TMP/status"
grep -q "state: target ended" "$TMP/status" || fail "status does not say the target ended"
grep -q "exited with status 0" "$TMP/status" ||
	fail "status does not say how the target ended (or its data check failed)"
"$UDAMON" report access --compact >"$TMP/last" || fail "report access after the target ended"
grep -q . "$TMP/last" || fail "no last snapshot after the target ended"
kill -0 "$mpid" || fail "the monitor did not stay"
"$UDAMON" stop >/dev/null || fail "stop after the target ended"
exited "$mpid" || fail "the monitor did not exit on stop"

note "--exit_on_target_end"
"$UDAMON" start --exit_on_target_end "${WO[@]}" \
	"$WL/wl_ranges --seconds 1 e:write:2M" >/dev/null || fail "start failed"
mpid=$(cut -d' ' -f1 "$UDAMON_RUN_DIR/0.pid"); PIDS+=("$mpid")
for _ in $(seq 1 100); do exited "$mpid" && break; sleep 0.1; done
exited "$mpid" || fail "the monitor did not exit when its target ended"
[ ! -e "$UDAMON_RUN_DIR/0.sock" ] || fail "the monitor left its socket"

note "start errors come back to the caller, and leave nothing behind"
# (no target at all is machine-wide paddr: never run on a shared host)
expect_error "physical memory" "$UDAMON" start "${WO[@]}" --ops paddr 1
expect_error "no such process: 4194303" "$UDAMON" start "${WO[@]}" 4194303
# a command that ends at once, while it is being attached or just after:
# that is its end, never an error; the monitor stays with the target's
# exit status until stopped (several times: the end falls at different
# points of the start)
for i in 1 2 3 4 5 6; do
	cmd=true want=0
	[ $((i % 2)) = 0 ] && cmd="sh -c 'exit 3'" want=3
	"$UDAMON" start "${WO[@]}" "$cmd" >/dev/null ||
		fail "start of '$cmd', which exits at once, failed (try $i)"
	# (it may have gone live a moment before the command exited)
	for _ in $(seq 1 50); do
		st=$("$UDAMON" status 2>&1)
		grep -q "exited with status" <<<"$st" && break
		sleep 0.1
	done
	grep -q "state: target ended" <<<"$st" ||
		fail "start of '$cmd': status does not say the target ended (try $i): $st"
	grep -q "exited with status $want" <<<"$st" ||
		fail "start of '$cmd': status does not say it exited with status $want (try $i): $st"
	"$UDAMON" stop >/dev/null || fail "stop after '$cmd' ended (try $i)"
done
echo "ok: a command that exits at once is a target that ended"
"$UDAMON" start --exit_on_target_end "${WO[@]}" true >/dev/null ||
	fail "start --exit_on_target_end of 'true' failed"
for _ in $(seq 1 100); do [ -e "$UDAMON_RUN_DIR/0.pid" ] || break; sleep 0.05; done
[ -e "$UDAMON_RUN_DIR/0.pid" ] && fail "--exit_on_target_end: the monitor of 'true' stayed"
grep -q "has ended" "$UDAMON_RUN_DIR/0.log" ||
	fail "--exit_on_target_end: the monitor's log does not say the target ended"
expect_error "cannot run '/nonexistent/cmd'" "$UDAMON" start "${WO[@]}" /nonexistent/cmd
ls "$UDAMON_RUN_DIR" | grep -qE 'sock|pid' && fail "a failed start left files: $(ls "$UDAMON_RUN_DIR")"

kill -TERM "$wl"; wait "$wl" || fail "the workload's data check failed"
echo "stale monitors and ended targets as expected"
