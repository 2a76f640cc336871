#!/bin/bash
# --ops paddr with --exp_ops_cpus, scoped with --target_cgroup to a cgroup
# the test creates: two processes pinned to CPU 0 and CPU 1 each write
# their own range (physical 2 MiB blocks, transparent huge pages, from
# their own pagemaps); with --exp_ops_cpus 0 only CPU 0's blocks are hot,
# with 1 only CPU 1's.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
[ -r /proc/kpageflags ] || skip "no /proc/kpageflags"
make_cgroup udamon-pcpus

: >"$TMP/phys"
for c in 0 1; do
	sh -c "echo \$\$ >'$CG/cgroup.procs' && exec '$WL/wl_ranges' --seconds 0 --addr-file '$TMP/c$c.addr' --phys-file '$TMP/c$c.phys' c$c:write:4M:thp:cpu=$c" 2>"$TMP/c$c.err" &
	eval "c$c=\$!"; PIDS+=("$!")
done
for c in 0 1; do
	wait_lines "$TMP/c$c.addr" 1
	for _ in $(seq 1 50); do [ -e "$TMP/c$c.phys" ] && break; sleep 0.1; done
	[ -s "$TMP/c$c.phys" ] ||
		skip "$(cat "$TMP/c$c.err") (no transparent huge pages?)"
	cat "$TMP/c$c.phys" >>"$TMP/phys"
done
sort -k2 "$TMP/phys" -o "$TMP/phys"
# one page off each end: blocks of different ranges may touch, and
# regions that touch may merge across them
R=$(while read -r n s e; do printf '%d-%d ' $((s + 4096)) $((e - 4096)); done <"$TMP/phys")
for cpu in 0 1; do
	"$UDAMON" record -q "${WO[@]}" --ops paddr --target_cgroup "$NAME" \
		--exp_ops_cpus $cpu -r "$R" --timeout 6 -o "$TMP/cpu$cpu.data" \
		2>"$TMP/cpu$cpu.err" || { cat "$TMP/cpu$cpu.err"; fail "record --exp_ops_cpus $cpu failed"; }
	note "--exp_ops_cpus $cpu"
	heat "$TMP/cpu$cpu.data" "$TMP/phys"
	# the rate of a writer pinned to a CPU depends on the other load
	# there; the filter's effect does not: the other CPU's blocks read 0
	expect_hot c$cpu 0.05
	expect_cold c$((1 - cpu)) 0.01
done
for c in 0 1; do
	p=c$c
	kill -TERM "${!p}"
	wait "${!p}" || fail "workload $c failed its data check"
done
PIDS=()
echo "only the filtered CPU's physical blocks hot"
