#!/bin/bash
# --target_cgroup: every process of a cgroup (v2) is monitored, each as a
# target of its own, as processes join; one outside is never attached;
# processes of the cgroup that cannot be monitored (traced by another
# tracer, a seccomp filter that kills on every route) are named with the
# reason and left undisturbed (their data checks pass).
# The test creates its own cgroup under the v2 mount and removes it.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
SPEC="idle:idle:8M hot:write:2M"
make_cgroup udamon-test

# a: started in the cgroup; b: moved in later; out: never in it
sh -c "echo \$\$ >'$CG/cgroup.procs' && exec '$WL/wl_ranges' --seconds 14 --addr-file '$TMP/a.addr' $SPEC" &
a=$!; PIDS+=("$a")
"$WL/wl_ranges" --seconds 14 --addr-file "$TMP/b.addr" $SPEC &
b=$!; PIDS+=("$b")
"$WL/wl_ranges" --seconds 14 --addr-file "$TMP/out.addr" $SPEC &
out=$!; PIDS+=("$out")
for f in a b out; do wait_lines "$TMP/$f.addr" 2; done
grep -qx "$a" "$CG/cgroup.procs" || fail "process $a did not join $CG"
# refused: t is traced by strace; k kills itself on any userfaultfd route
sh -c "echo \$\$ >'$CG/cgroup.procs' && exec strace -o /dev/null sh -c 'echo \$\$ >$TMP/t.pid; exec $WL/wl_ranges --seconds 14 --addr-file $TMP/t.addr $SPEC'" &
PIDS+=("$!"); tracer=$!
sh -c "echo \$\$ >'$CG/cgroup.procs' && echo \$\$ >'$TMP/k.pid' && exec '$WL/wl_seccomp' userfaultfd=kill ioctl=kill socketpair=kill -- '$WL/wl_ranges' --seconds 14 --addr-file '$TMP/k.addr' $SPEC" &
PIDS+=("$!"); killer=$!
for f in t k; do wait_lines "$TMP/$f.addr" 2; done
t=$(cat "$TMP/t.pid") k=$(cat "$TMP/k.pid")

# the cgroup relative to the v2 mount
"$UDAMON" record -q "${WO[@]}" --target_cgroup "$NAME" --timeout 10 \
	-o "$TMP/cg.data" 2>"$TMP/cg.err" &
mon=$!; PIDS+=("$mon")
sleep 3
echo "$b" >"$CG/cgroup.procs" || fail "cannot move process $b into $CG"
# the process outside is never registered while udamon runs
wait_monitor_sparing "$mon" "$out" "$TMP/cg.err" "record --target_cgroup"
for p in a b; do
	pid=${!p}
	python3 "$ROOT/tests/integration/rangeheat.py" "$TMP/cg.data" \
		"$TMP/$p.addr" --pid "$pid" >"$TMP/heat" ||
		fail "no record of process $p ($pid)"
	note "process $p ($pid):"; cat "$TMP/heat"
	# five writers share 2 CPUs with the rest: a low bar for hot
	expect_hot hot 0.1; expect_cold idle
done
python3 "$ROOT/tests/integration/rangeheat.py" "$TMP/cg.data" \
	"$TMP/out.addr" --pid "$out" >/dev/null 2>&1 &&
	fail "process $out, outside the cgroup, has a record"
for p in t k; do
	grep -q "process ${!p} is not monitored: .*" "$TMP/cg.err" ||
		fail "refused process $p (${!p}) is not named with its reason"
	expect_no_uffd_wp "${!p}"
done
grep "is not monitored" "$TMP/cg.err"
grep -q "process $t is not monitored: .*trace" "$TMP/cg.err" ||
	fail "the traced process's reason does not say it is traced"
for p in "$a" "$b" "$out" "$tracer" "$killer"; do
	wait "$p" || fail "workload $p failed its data check"
done
PIDS=()

expect_error "no such directory" "$UDAMON" record "${WO[@]}" \
	--target_cgroup "$NAME/none"
expect_error "not in the cgroup v2 file system" "$UDAMON" record "${WO[@]}" \
	--target_cgroup /tmp
expect_error "give no pid or command" "$UDAMON" record "${WO[@]}" \
	--target_cgroup "$NAME" 1234
echo "cgroup members monitored, the outsider never attached"
