#!/bin/bash
# What monitoring many processes costs: NPROCS processes holding TOTAL MiB
# between them (populated, then idle) and one writer (8 MiB written
# continuously), all in a cgroup made for the run; each monitored for
# SECONDS by a write-only monitor scoped to the cgroup, once as physical
# memory (--ops paddr) and once as one vaddr target per process. Prints
# the monitor's CPU (user + system seconds per second of run) and its
# peak resident memory.
#   bench/many_cost.sh [NPROCS] [TOTAL_MiB] [SECONDS]
# (UDAMON=path runs another udamon binary.)
# Needs root, Linux 6.7+ and a cgroup v2 mount. Attaches only to the
# processes it starts.
set -u
cd "$(dirname "$0")/.." || exit 1
U=${UDAMON:-$PWD/build/udamon} WL=$PWD/build/bin/wl_ranges
N=${1:-50} TOTAL=${2:-1024} SECS=${3:-20}
WO=(--exp_ops_use_reports y --exp_ops_write_only y)
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
	PIDS+=("$!")
}

per=$((TOTAL / N)); [ "$per" -ge 1 ] || per=1
for i in $(seq 1 "$N"); do
	in_cgroup "$WL" --seconds 0 "idle$i:idle:${per}M"
done
in_cgroup "$WL" --seconds 0 w:write:8M
sleep $((3 + TOTAL / 512))	# populated
echo "$N processes, $((per * N)) MiB held, 1 writer (8 MiB), $SECS s"
for ops in paddr vaddr; do
	/usr/bin/time -f "%U %S %M" -o "$TMP/time" "$U" record -q "${WO[@]}" \
		--ops $ops --target_cgroup "$(basename "$CG")" --timeout "$SECS" \
		-o "$TMP/$ops.data" 2>"$TMP/$ops.err"
	awk -v s="$SECS" -v o=$ops '{ printf "%s: monitor CPU %.2f %% of one core, peak RSS %.1f MiB\n", o, ($1 + $2) * 100 / s, $3 / 1024 }' "$TMP/time"
	grep -c "is not monitored" "$TMP/$ops.err" | sed "s/^/$ops: processes refused: /"
done
