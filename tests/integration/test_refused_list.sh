#!/bin/bash
# Every process of a scope that cannot be monitored is listed by status
# (report damon) with its reason, however many there are (the list of
# warnings stops at 32): 34 processes under a seccomp filter that kills on
# every userfaultfd route and one traced by strace, in a cgroup the test
# creates, beside a process that is monitored. None of them is disturbed
# (no registration, data intact). Refused processes that end leave the
# list at the next ops update and are counted as ended.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
command -v strace >/dev/null || skip "no strace (apt-get install strace)"
export UDAMON_RUN_DIR=$TMP/run
WO=(--exp_ops_use_reports y --exp_ops_write_only y -u 200ms)
NK=34
make_cgroup udamon-refused

in_cgroup() {	# pid-file command...: run it in the cgroup, in the background
	local f=$1; shift
	sh -c "echo \$\$ >'$CG/cgroup.procs' && echo \$\$ >'$f' && exec $*" &
	PIDS+=("$!")
}

in_cgroup "$TMP/a.pid" "'$WL/wl_ranges' --seconds 0 --addr-file '$TMP/a.addr' hot:write:1M"
for i in $(seq 1 $NK); do
	in_cgroup "$TMP/k$i.pid" "'$WL/wl_seccomp' userfaultfd=kill ioctl=kill socketpair=kill -- '$WL/wl_ranges' --seconds 0 --addr-file '$TMP/k$i.addr' k:write:64K"
done
sh -c "echo \$\$ >'$CG/cgroup.procs' && exec strace -o /dev/null sh -c 'echo \$\$ >$TMP/t.pid; exec $WL/wl_ranges --seconds 0 --addr-file $TMP/t.addr t:write:64K'" &
PIDS+=("$!")
wait_lines "$TMP/a.addr" 1
wait_lines "$TMP/t.addr" 1
for i in $(seq 1 $NK); do wait_lines "$TMP/k$i.addr" 1; done
a=$(cat "$TMP/a.pid") t=$(cat "$TMP/t.pid")
PIDS+=("$t")	# strace's tracee outlives a kill -9 of strace
ks=(); for i in $(seq 1 $NK); do ks+=("$(cat "$TMP/k$i.pid")"); done

"$UDAMON" start "${WO[@]}" --target_cgroup "$NAME" >/dev/null ||
	fail "start --target_cgroup failed"
mpid=$(cut -d' ' -f1 "$UDAMON_RUN_DIR/0.pid"); PIDS+=("$mpid")
for _ in $(seq 1 100); do
	"$UDAMON" report damon >"$TMP/status" 2>&1
	grep -q "processes refused: $((NK + 1))" "$TMP/status" && break
	sleep 0.2
done
sed -n '/processes refused/,/options:/p' "$TMP/status" | head -8
grep -q "processes refused: $((NK + 1))$" "$TMP/status" ||
	{ cat "$TMP/status"; fail "status does not list all $((NK + 1)) refused processes"; }
for k in "${ks[@]}"; do
	grep -qE "^ +$k  .*seccomp.*KILL" "$TMP/status" ||
		fail "refused process $k is not listed with its seccomp reason"
done
grep -qE "^ +$t  .*traced by process" "$TMP/status" ||
	fail "the traced process $t is not listed with its reason"
grep -qE "^ +$a  " "$TMP/status" && fail "the monitored process $a is listed as refused"
"$UDAMON" status --json | python3 -c '
import json, sys
st = json.loads(sys.stdin.readline())
r = st["refused_processes"]
assert len(r) == int(sys.argv[1]), len(r)
assert all(x["reason"] for x in r)
' $((NK + 1)) || fail "status --json does not hold every refused process"
for p in "$t" "${ks[@]}"; do expect_no_uffd_wp "$p"; done

note "five refused processes end: they leave the list"
for k in "${ks[@]:0:5}"; do kill "$k"; done
for _ in $(seq 1 100); do
	"$UDAMON" report damon >"$TMP/status" 2>&1
	grep -q "processes refused: $((NK - 4)) (and 5 refused that have ended)" \
		"$TMP/status" && break
	sleep 0.2
done
grep "processes refused" "$TMP/status"
grep -q "processes refused: $((NK - 4)) (and 5 refused that have ended)" \
	"$TMP/status" || fail "the ended refused processes were not dropped and counted"
"$UDAMON" stop >/dev/null || fail "stop failed"
for p in "$a" "$t" "${ks[@]:5}"; do kill "$p"; done
st=0
for p in "${PIDS[@]}"; do
	[ "$p" = "$mpid" ] || [ "$p" = "$t" ] && continue
	wait "$p" || st=$?
done
[ "$st" = 0 ] || fail "a workload failed its data check (status $st)"
PIDS=()
echo "every refused process listed with its reason, none disturbed"
