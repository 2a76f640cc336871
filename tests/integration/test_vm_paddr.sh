#!/bin/bash
# Machine-wide physical monitoring (--ops paddr, no target), only inside
# a VM (Linux 6.12, 2 vCPUs) where every process is the test's own:
# - the ground truth is each workload's ranges as physical 2 MiB blocks
#   (wl_ranges --phys-file: its own pagemap, each block one transparent
#   huge page), so each block belongs to one range;
# - a process running before the monitor: its written blocks are hot, its
#   read and idle blocks cold; a second process started after the monitor
#   (attached when the proc connector announces it): its written blocks
#   become hot;
# - the regions are the default (the largest System RAM block), 1000 of
#   them, so that a 2 MiB block spans several whole regions (cold: <= 0.1,
#   as a region may straddle two blocks); under TCG a sample takes far
#   longer than asked and intervals count samples, so the ops update (which
#   indexes the new process) is set to every 10 samples (-u 200ms);
# - a machine-wide monitor killed with -9 leaves every process running
#   with its data intact and no registration ("uw") in any smaps.
. "$(dirname "$0")/lib.sh"
need_vm_job wl_ranges

cat >"$TMP/job.sh" <<'EOF'
WO="--exp_ops_use_reports y --exp_ops_write_only y"
echo "@@KERNEL $(uname -r) cpus $(nproc)"
# the guest kernel starts with THP off (this is the VM's own setting)
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
echo madvise >/sys/kernel/mm/transparent_hugepage/defrag

wl_ranges --seconds 0 --addr-file /tmp/a.addr --phys-file /tmp/a.phys \
	idle:idle:4M:thp hot:write:4M:thp reader:read:4M:thp &
a=$!
vm_wait_file /tmp/a.phys 30
udamon record $WO -s 20ms -a 200ms -u 200ms -n 1000 -m 2000 --timeout 15 \
	-o /tmp/paddr.data 2>/tmp/paddr.err &
m=$!
sleep 1
wl_ranges --seconds 0 --addr-file /tmp/b.addr --phys-file /tmp/b.phys \
	bidle:idle:4M:thp bhot:write:4M:thp &
b=$!
wait $m
echo "@@RC paddr $?"
sed 's/^/@@ERR paddr /' /tmp/paddr.err
cat /tmp/a.phys /tmp/b.phys >/tmp/all.phys
vm_out /tmp/paddr.data /tmp/all.phys

# kill -9 of a machine-wide monitor in the middle of its run
udamon record $WO -s 10ms -a 100ms --timeout 30 -o /tmp/kill.data 2>/dev/null &
m=$!
sleep 3
grep -l ' uw' /proc/[0-9]*/smaps 2>/dev/null | sed 's/^/@@UW-BEFORE /'
kill -9 $m
wait $m 2>/dev/null
sleep 0.5
grep -l ' uw' /proc/[0-9]*/smaps 2>/dev/null | sed 's/^/@@UW-AFTER /'
for p in $a $b; do
	kill -0 $p 2>/dev/null || echo "@@GONE $p"
	kill $p
	wait $p
	echo "@@RC wl $?"
done
true
EOF

vm_job 6.12 2 200 "$UDAMON" "$WL/wl_ranges"

[ "$(rc_of paddr)" = 0 ] || fail "machine-wide record exited '$(rc_of paddr)'"
[ -s "$OUT/paddr.data" ] || fail "no record came back"
heat "$OUT/paddr.data" "$OUT/all.phys"
expect_hot hot 0.2; expect_cold idle 0.1; expect_cold reader 0.1
expect_hot bhot 0.2; expect_cold bidle 0.1

grep -q '^@@UW-BEFORE' "$TMP/out" ||
	fail "the killed monitor had registered nothing before the kill"
if grep '^@@UW-AFTER' "$TMP/out"; then
	fail "registrations were left after kill -9 of the monitor"
fi
grep -q '^@@GONE' "$TMP/out" && fail "a workload died with the monitor"
[ "$(awk '$1 == "@@RC" && $2 == "wl" && $3 == 0' "$TMP/out" | wc -l)" = 2 ] ||
	fail "a workload's data check failed after the monitor was killed"
echo "machine-wide paddr as expected; kill -9 left every process intact"
