#!/bin/bash
# What monitoring many processes costs: NPROCS processes holding TOTAL MiB
# between them (populated, then idle) in a cgroup made for the run, and a
# writer (bench/wbench: 60 million 8-byte writes into 8 MiB); each
# monitored for SECONDS by a write-only monitor scoped to the cgroup,
# once as physical memory (--ops paddr) and once as one vaddr target per
# process. Prints, per udamon binary and ops:
#   - the monitor's CPU (user + system, all its threads, from /proc) per
#     second over its steady state: from 5 s after its start (when every
#     process is attached and indexed) to 1 s before its end; and the CPU
#     seconds of its first 5 s (the start: attaching, the first index);
#   - its peak resident memory (VmHWM);
#   - the writer's wall and CPU time for its fixed work, timed while the
#     monitor is in its steady state, as a ratio to the same work without
#     a monitor (run before and after, averaged).
#   bench/many_cost.sh [NPROCS] [TOTAL_MiB] [SECONDS]
# (UDAMONS="path1 path2" compares binaries, each run the same way in turn.)
# Needs root, Linux 6.7+ and a cgroup v2 mount. Attaches only to the
# processes it starts.
set -u
cd "$(dirname "$0")/.." || exit 1
BINS=(${UDAMONS:-$PWD/build/udamon})
WL=$PWD/build/bin/wl_ranges WB=$PWD/build/bin/wbench
N=${1:-50} TOTAL=${2:-1024} SECS=${3:-20}
[ "$SECS" -ge 12 ] || { echo "SECONDS: at least 12" >&2; exit 1; }
WO=(--exp_ops_use_reports y --exp_ops_write_only y)
WBARGS=(--size 8 --hot 8 --hot-pct 100 --writes 60000000)
V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$V2" ] || { echo "no cgroup v2 mount" >&2; exit 1; }
CG=$V2/udamon-bench-$$
TMP=$(mktemp -d /tmp/udamon-bench.XXXXXX)
mkdir "$CG" || exit 1
PIDS=()
end() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rmdir "$CG"
	rm -rf "$TMP"
}
trap end EXIT

in_cgroup() {	# run a command in the cgroup, in the background
	sh -c "echo \$\$ >'$CG/cgroup.procs' && exec $*" &
}

now() { date +%s.%N; }

# user + system ticks (1/100 s) of process $1, all its threads
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null; }

# the writer's "elapsed_s E cpu_s C" for its work, after $1 exists
writer() {	# wait-file out-file
	in_cgroup "$WB" "${WBARGS[@]}" --wait-file "$1" >"$2"
	WPID=$!
	for _ in $(seq 1 200); do grep -q filled "$2" && return; sleep 0.05; done
}

alone() {	# the writer without a monitor: "E C"
	writer "$TMP/go0" "$TMP/w0"
	touch "$TMP/go0"
	wait "$WPID"
	rm -f "$TMP/go0"
	awk '/elapsed_s/ { print $2, $4 }' "$TMP/w0"
}

per=$((TOTAL / N)); [ "$per" -ge 1 ] || per=1
for i in $(seq 1 "$N"); do
	in_cgroup "$WL" --seconds 0 "idle$i:idle:${per}M"
	PIDS+=("$!")
done
sleep $((3 + TOTAL / 512))	# populated
echo "$N processes, $((per * N)) MiB held, a writer (8 MiB), $SECS s runs;" \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
base1=$(alone)
for u in "${BINS[@]}"; do
	for ops in paddr vaddr; do
		writer "$TMP/go" "$TMP/w"
		"$u" record -q "${WO[@]}" --ops $ops --target_cgroup \
			"$(basename "$CG")" --timeout "$SECS" -o "$TMP/$ops.data" \
			2>"$TMP/$ops.err" &
		mon=$!
		t0=$(now)
		sleep 5
		c0=$(ticks "$mon") s0=$(now)
		touch "$TMP/go"
		wait "$WPID"
		rm -f "$TMP/go"
		sleep "$(awk -v a="$t0" -v b="$(now)" -v s="$SECS" 'BEGIN { d = a + s - 1 - b; print (d > 0 ? d : 0) }')"
		c1=$(ticks "$mon") s1=$(now)
		hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$mon/status")
		wait "$mon"
		echo "$u $ops $c0 $c1 $hwm $(awk '/elapsed_s/ { print $2, $4 }' "$TMP/w") $s0 $s1" >>"$TMP/rows"
	done
done
base2=$(alone)
read -r e1 p1 <<<"$base1"; read -r e2 p2 <<<"$base2"
echo "writer alone: ${e1} s and ${e2} s wall, ${p1} s and ${p2} s CPU"
awk -v e="$e1" -v f="$e2" -v p="$p1" -v q="$p2" '
{
	printf "%s %s: monitor CPU %.2f %% of one core (its first 5 s: " \
	       "%.2f s), peak RSS %.1f MiB; writer %.2fx wall, %.2fx CPU\n",
	       $1, $2, ($4 - $3) / ($9 - $8), $3 / 100, $5 / 1024,
	       $6 * 2 / (e + f), $7 * 2 / (p + q)
}' "$TMP/rows"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
