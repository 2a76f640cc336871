#!/bin/bash
# What a background monitor (udamon start, serving its control socket in
# each sample's sleep) costs against udamon record on the same workload:
# the monitor's CPU time per second, measured alternately, ROUNDS times.
#   bench/live_cost.sh [ROUNDS] [SECONDS]
# Prints one line per run and the medians. Needs root and Linux 6.7+.
set -u
cd "$(dirname "$0")/.." || exit 1
U=$PWD/build/udamon WL=$PWD/build/bin/wl_ranges
ROUNDS=${1:-5} SECS=${2:-10}
WO=(--exp_ops_use_reports y --exp_ops_write_only y)
export UDAMON_RUN_DIR=$(mktemp -d /tmp/udamon-bench.XXXXXX)/run
TMP=$(dirname "$UDAMON_RUN_DIR")
trap 'rm -rf "$TMP"' EXIT
tick=$(getconf CLK_TCK)

cpu_of() {	# utime + stime of a process, in seconds
	awk -v t="$tick" '{ sub(/.*\) /, ""); print ($12 + $13) / t }' "/proc/$1/stat"
}

run_record() {
	"$WL" --seconds $((SECS + 3)) hot:write:8M idle:idle:64M & local wl=$!
	sleep 0.5
	/usr/bin/time -f "%U %S" -o "$TMP/time" "$U" record -q "${WO[@]}" \
		--timeout "$SECS" -o "$TMP/r.data" "$wl" 2>/dev/null
	kill "$wl" 2>/dev/null; wait "$wl" 2>/dev/null
	awk -v s="$SECS" '{ printf "%.4f\n", ($1 + $2) / s }' "$TMP/time"
}

run_start() {
	"$WL" --seconds $((SECS + 3)) hot:write:8M idle:idle:64M & local wl=$!
	sleep 0.5
	"$U" start "${WO[@]}" "$wl" >/dev/null
	local m; m=$(cut -d' ' -f1 "$UDAMON_RUN_DIR/0.pid")
	local c0; c0=$(cpu_of "$m")
	sleep "$SECS"
	"$U" status >/dev/null	# one status request, as a dashboard would
	local c1; c1=$(cpu_of "$m")
	"$U" stop >/dev/null 2>&1
	kill "$wl" 2>/dev/null; wait "$wl" 2>/dev/null
	awk -v a="$c0" -v b="$c1" -v s="$SECS" 'BEGIN { printf "%.4f\n", (b - a) / s }'
}

rec=() st=()
for r in $(seq 1 "$ROUNDS"); do
	rec+=("$(run_record)"); st+=("$(run_start)")
	echo "round $r: record ${rec[-1]} s/s, start ${st[-1]} s/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "median monitor CPU: record $(median "${rec[@]}") s/s, start $(median "${st[@]}") s/s"
