#!/bin/bash
# A monitor killed with -9 while its workers attach many processes (a
# cgroup the test creates: 30 processes there from the start, 10 more
# started under each later monitor; each writes and checks its data):
# every process runs on, none is left stopped, none keeps a registration
# ("uw" in smaps), and none of udamon's helpers (the server that forks
# the injecting children, those children) outlives the monitor. Killed at
# several points of the attach, three rounds; then every process passes
# its data check.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
WO=(--exp_ops_use_reports y --exp_ops_write_only y)
N=30
make_cgroup udamon-attach-kill

for i in $(seq 1 $N); do
	sh -c "echo \$\$ >'$CG/cgroup.procs' && exec '$WL/wl_ranges' --seconds 0 --addr-file '$TMP/w$i.addr' w:write:1M i:idle:1M" &
	PIDS+=("$!")
done
for i in $(seq 1 $N); do wait_lines "$TMP/w$i.addr" 2; done
wls=("${PIDS[@]}")

# helpers of udamon (same command line) that are still there
leftovers() { grep -l -- "$TMP/k$1.data" /proc/[0-9]*/cmdline 2>/dev/null; }

start_wl() {	# name: one more process in the cgroup
	sh -c "echo \$\$ >'$CG/cgroup.procs' && exec '$WL/wl_ranges' --seconds 0 --addr-file '$TMP/$1.addr' w:write:1M i:idle:1M" &
	PIDS+=("$!")
	wls+=("$!")
}

for round in 1 2 3; do
	# killed while attaching the processes there at its start, or (later
	# rounds) while attaching 10 processes started after it
	delay=$(awk -v r=$round 'BEGIN { print 0.05 + (r - 1) * 0.3 }')
	"$UDAMON" record -q "${WO[@]}" --target_cgroup "$NAME" --timeout 20 \
		-o "$TMP/k$round.data" 2>/dev/null &
	mon=$!
	sleep "$delay"
	if [ "$round" -gt 1 ]; then
		for j in $(seq 1 10); do start_wl "r$round-$j"; done
		sleep "0.0$round"
	fi
	kill -9 "$mon"
	wait "$mon" 2>/dev/null
	note "round $round: killed $delay s after its start"
	if [ "$round" -gt 1 ]; then
		for j in $(seq 1 10); do wait_lines "$TMP/r$round-$j.addr" 2; done
	fi
	left=
	for _ in $(seq 1 50); do
		left=$(leftovers $round)
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || fail "udamon's helpers outlived the monitor: $left"
	for p in "${wls[@]}"; do
		kill -0 "$p" 2>/dev/null || fail "process $p died with the monitor"
		st=$(awk '/^State:/ { print $2 }' "/proc/$p/status")
		case $st in t|T) fail "process $p is left stopped ($st)" ;; esac
		grep -q '^TracerPid:[[:space:]]*0$' "/proc/$p/status" ||
			fail "process $p is left traced"
		expect_no_uffd_wp "$p"
	done
done
for p in "${wls[@]}"; do kill "$p"; done
for p in "${wls[@]}"; do
	wait "$p" || fail "process $p failed its data check"
done
PIDS=()
echo "kill -9 during attaches left all ${#wls[@]} processes running and intact"
