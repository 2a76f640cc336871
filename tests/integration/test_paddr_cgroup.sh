#!/bin/bash
# --ops paddr scoped with --target_cgroup to a cgroup the test creates:
# physical memory, seen through the processes of the cgroup. The ground
# truth is the workloads' ranges translated to physical 2 MiB blocks
# through their own pagemaps, each block one transparent huge page
# (checked in /proc/kpageflags) so that it belongs to one range: the
# written range's blocks are hot, the read and idle ones cold; a process
# moved into the cgroup after the start is picked up (its written blocks
# hot); the written blocks of a process outside the cgroup stay cold (it
# is never attached). (Machine-wide paddr runs only in the VM.)
. "$(dirname "$0")/lib.sh"
need_write_monitoring
SPEC="idle:idle:8M:thp hot:write:4M:thp reader:read:4M:thp"
[ -r /proc/kpageflags ] || skip "no /proc/kpageflags"
make_cgroup udamon-paddr

sh -c "echo \$\$ >'$CG/cgroup.procs' && exec '$WL/wl_ranges' --seconds 0 --addr-file '$TMP/wl.addr' $SPEC" &
wl=$!; PIDS+=("$wl")
"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/late.addr" $SPEC &
late=$!; PIDS+=("$late")
"$WL/wl_ranges" --seconds 0 --addr-file "$TMP/out.addr" $SPEC &
out=$!; PIDS+=("$out")
: >"$TMP/phys"
for w in wl late out; do
	wait_lines "$TMP/$w.addr" 3
	python3 "$ROOT/tests/integration/physranges.py" "${!w}" \
		"$TMP/$w.addr" >"$TMP/$w.phys" ||
		skip "$(cat "$TMP/$w.phys") (no transparent huge pages?)"
	sed "s/^/$w./" "$TMP/$w.phys" >>"$TMP/phys"
done
sort -k2 "$TMP/phys" -o "$TMP/phys"
cat "$TMP/phys"

"$UDAMON" record -q "${WO[@]}" --ops paddr --target_cgroup "$NAME" \
	-r "$(while read -r n s e; do printf '%d-%d ' $((s + 4096)) $((e - 4096)); done <"$TMP/phys")" \
	--timeout 8 -o "$TMP/paddr.data" 2>"$TMP/paddr.err" &
mon=$!; PIDS+=("$mon")
# (one page off each end of each block: blocks of different ranges may
# touch, and regions that touch may merge across them)
sleep 2
echo "$late" >"$CG/cgroup.procs" || fail "cannot move process $late into $CG"
wait_monitor_sparing "$mon" "$out" "$TMP/paddr.err" "record --ops paddr"
for w in wl late out; do
	python3 "$ROOT/tests/integration/physranges.py" "${!w}" \
		"$TMP/$w.addr" >"$TMP/$w.after" || true
	cmp -s "$TMP/$w.phys" "$TMP/$w.after" ||
		skip "the pages of $w moved during the run (compaction); ground truth lost"
done
heat "$TMP/paddr.data" "$TMP/phys"
expect_hot wl.hot 0.1; expect_cold wl.reader; expect_cold wl.idle
expect_hot late.hot 0.1; expect_cold late.idle
expect_cold out.hot
for p in "$wl" "$late" "$out"; do
	kill -TERM "$p"
	wait "$p" || fail "workload $p failed its data check"
done
PIDS=()

expect_error "give no pid or command" "$UDAMON" record "${WO[@]}" \
	--ops paddr 1234
expect_error "already sees every process" "$UDAMON" record "${WO[@]}" \
	--ops paddr --target_cgroup "$NAME" --include_child_tasks
echo "physical blocks of the written range hot, the others cold"
