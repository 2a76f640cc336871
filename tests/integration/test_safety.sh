#!/bin/bash
# Whatever happens to udamon, the target keeps running with its data intact
# and with no write-protect registration left: kill -9 mid-run, SIGTERM,
# and a normal end. After SIGTERM the record file is complete and valid.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
SPEC="a:write:16M b:write:4M:cpu=1 c:read:4M d:idle:4M"

# Wait until udamon has registered process $1 (a "uw" VmFlags in its
# smaps): monitoring is on, however long attaching took on a busy machine.
wait_registered() {
	local i
	for i in $(seq 1 400); do
		grep -qE '^VmFlags:.* uw( |$)' "/proc/$1/smaps" 2>/dev/null &&
			return 0
		sleep 0.05
	done
	fail "udamon did not register process $1 within 20 s"
}

# Wait (up to 10 s) until some thread of process $1 is traced, or not
# (TracerPid): $2 is "traced" or "untraced".
wait_traced() {
	local i
	for i in $(seq 1 500); do
		if grep -q "TracerPid:.[1-9]" /proc/"$1"/task/*/status 2>/dev/null; then
			[ "$2" = traced ] && return 0
		else
			[ "$2" = untraced ] && return 0
		fi
		sleep 0.02
	done
	return 1
}

run_case() {	# name signal-or-"timeout"
	local name=$1 how=$2 wl mon
	# (until SIGTERM: how long udamon takes on a busy machine does not matter)
	"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/$name.addr" $SPEC &
	wl=$!; PIDS+=("$wl")
	wait_lines "$TMP/$name.addr" 4
	if [ "$how" = timeout ]; then
		"$UDAMON" record -q "${WO[@]}" --timeout 1.5 -o "$TMP/$name.data" "$wl" ||
			fail "$name: record failed"
	else
		"$UDAMON" record -q "${WO[@]}" -o "$TMP/$name.data" "$wl" &
		mon=$!
		wait_registered "$wl"
		sleep 1.5
		kill -"$how" "$mon"
		wait "$mon"
		local rc=$?
		[ "$how" = KILL ] || [ $rc -eq 0 ] || fail "$name: udamon exited $rc after SIG$how"
	fi
	sleep 0.3
	kill -0 "$wl" 2>/dev/null || fail "$name: the target died"
	expect_no_uffd_wp "$wl"
	kill -TERM "$wl"
	wait "$wl" || fail "$name: the target's data check failed"
	echo "ok: $name: target finished with its data intact"
}

# kill -9 of udamon at random moments of its attach (the syscall injection
# runs then): the target must never notice.
kill_during_attach() {
	local wl mon i
	"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/attach.addr" $SPEC &
	wl=$!; PIDS+=("$wl")
	wait_lines "$TMP/attach.addr" 4
	for i in $(seq 1 25); do
		"$UDAMON" record -q "${WO[@]}" -o "$TMP/attach.data" "$wl" 2>/dev/null &
		mon=$!
		sleep "0.00$((RANDOM % 10))"
		kill -9 "$mon"
		wait "$mon" 2>/dev/null
		kill -0 "$wl" 2>/dev/null || fail "attach kill $i: the target died"
	done
	# an injection in progress finishes in its own process and detaches
	wait_traced "$wl" untraced || fail "target left traced"
	expect_no_uffd_wp "$wl"
	kill -TERM "$wl"
	wait "$wl" || fail "attach kills: the target's data check failed"
	echo "ok: 25 kills during attach, target intact"
}

# Make the window wide (a test-only pause while the target is stopped with
# borrowed registers) and kill -9 udamon inside it: the injection runs in a
# child of its own that finishes and restores the target regardless.
kill_in_injection() {
	local wl mon
	"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/inj.addr" $SPEC &
	wl=$!; PIDS+=("$wl")
	wait_lines "$TMP/inj.addr" 4
	UDAMON_TEST_INJECT_PAUSE_MS=2000 "$UDAMON" record -q "${WO[@]}" \
		-o "$TMP/inj.data" "$wl" 2>/dev/null &
	mon=$!
	wait_traced "$wl" traced ||
		fail "the injection did not pause the target (test hook)"
	kill -9 "$mon"
	wait "$mon" 2>/dev/null
	# the injection's own process ends the pause, restores and detaches
	wait_traced "$wl" untraced ||
		fail "kill in injection: the target is still traced 10 s later"
	kill -0 "$wl" 2>/dev/null || fail "kill in injection: the target died"
	kill -TERM "$wl"
	wait "$wl" || fail "kill in injection: the target's data check failed"
	echo "ok: kill -9 inside the injection, target intact"
}

# Target CPU time in clock ticks (utime + stime of all its threads).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# A stopped udamon (kill -STOP, Ctrl-Z) must not slow the target down: its
# writers keep running while udamon sleeps. The target's CPU time in 1 s
# with udamon stopped is compared with the 1 s before and after, udamon
# running, so that the machine's load cancels out (a target waiting on
# udamon would get next to nothing): at least half of their mean. A
# measurement that the machine's load swung is taken again (3 tries).
ticks_in() {	# pid seconds: the process's CPU ticks in that time
	local t0
	t0=$(cpu_ticks "$1")
	sleep "$2"
	echo $(($(cpu_ticks "$1") - t0))
}

stop_udamon() {
	local wl mon before stopped after try ok=
	"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/stop.addr" $SPEC &
	wl=$!; PIDS+=("$wl")
	wait_lines "$TMP/stop.addr" 4
	"$UDAMON" record -q "${WO[@]}" -o "$TMP/stop.data" "$wl" &
	mon=$!
	wait_registered "$wl"
	for try in 1 2 3; do
		before=$(ticks_in "$wl" 1)
		kill -STOP "$mon"
		stopped=$(ticks_in "$wl" 1)
		kill -CONT "$mon"
		after=$(ticks_in "$wl" 1)
		note "try $try: target ticks in 1 s: $before running, $stopped stopped, $after running"
		[ "$stopped" -gt 0 ] && [ $((4 * stopped)) -ge $((before + after)) ] &&
			{ ok=1; break; }
	done
	[ -n "$ok" ] ||
		fail "the target ran $stopped ticks in 1 s while udamon was stopped, against $before and $after while it ran"
	kill -TERM "$mon"
	wait "$mon" || fail "udamon failed after SIGSTOP/SIGCONT"
	expect_no_uffd_wp "$wl"
	kill -TERM "$wl"
	wait "$wl" || fail "stopped udamon: the target's data check failed"
	echo "ok: target ran $stopped ticks while udamon was stopped ($before and $after while it ran)"
}

stop_udamon
kill_in_injection
kill_during_attach
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
