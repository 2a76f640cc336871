#!/bin/bash
# How much attaching new processes stalls sampling: a write-only monitor
# of a cgroup made for the run (--target_cgroup, 5 ms samples, 100 ms
# aggregations; --ops from OPS, vaddr by default) watches a shell there
# that starts NPROCS processes at once (each holds 1 MiB and sleeps); the
# monitor runs SECONDS. Prints, per udamon binary given (each runs the
# same load in turn), the records' targets, sample overruns (samples whose
# work left less than half of the interval to sleep), aggregations that
# took over 150 ms and the longest one; first a control run, where the
# same processes start in another cgroup (what the load alone costs).
#   bench/attach_stall.sh [NPROCS] [SECONDS] [UDAMON...]
# Needs root, Linux 6.7+ and a cgroup v2 mount. Attaches only to the
# processes it starts.
set -u
cd "$(dirname "$0")/.." || exit 1
N=${1:-100} SECS=${2:-8}
shift 2 2>/dev/null
BINS=("$@"); [ ${#BINS[@]} -gt 0 ] || BINS=("$PWD/build/udamon")
WL=$PWD/build/bin/wl_ranges
WO=(--exp_ops_use_reports y --exp_ops_write_only y --ops "${OPS:-vaddr}"
    --monitoring_cpu_budget 0)
V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$V2" ] || { echo "no cgroup v2 mount" >&2; exit 1; }
TMP=$(mktemp -d /tmp/udamon-stall.XXXXXX)
CG=
end() {
	[ -n "$CG" ] && [ -d "$CG" ] && {
		for p in $(cat "$CG/cgroup.procs" "$CG-out/cgroup.procs" 2>/dev/null); do
			kill "$p" 2>/dev/null
		done
		sleep 0.5; rmdir "$CG" "$CG-out"
	}
	rm -rf "$TMP"
}
trap end EXIT

# user + system ticks of a process's first thread (the sampling thread)
main_cpu() {
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/task/$1/stat" 2>/dev/null || echo 0
}

one() {	# binary, inside|outside
	local u=$1 where=$2 burst
	CG=$V2/udamon-stall-$$
	mkdir "$CG" "$CG-out" || exit 1
	burst=$CG; [ "$where" = outside ] && burst=$CG-out
	# one idle process the monitor always has; the shell starts the rest
	sh -c "echo \$\$ >'$CG/cgroup.procs' && exec '$WL' --seconds 0 one:idle:1M" &
	sh -c "echo \$\$ >'$burst/cgroup.procs'; while [ ! -e '$TMP/go' ]; do sleep 0.05; done
		for i in \$(seq 1 $N); do '$WL' --seconds 0 idle:idle:1M & done; wait" &
	local sh=$!
	sleep 0.3
	"$u" record -q "${WO[@]}" --target_cgroup "$(basename "$CG")" \
		--timeout "$SECS" -o "$TMP/r.data" 2>"$TMP/r.err" &
	local mon=$!
	sleep 2
	local c0 c1
	c0=$(main_cpu "$mon")
	touch "$TMP/go"
	sleep $((SECS - 3))
	c1=$(main_cpu "$mon")
	wait "$mon"
	python3 - "$TMP/r.data" "$u ($where)" $((c1 - c0)) $((SECS - 3)) ${TIMELINE:-} <<'EOF2'
import json, sys, zlib
data = open(sys.argv[1], 'rb').read()
if data[:1] == b'\x78':
    data = zlib.decompress(data)
recs = json.loads(data)
u = recs[0]['udamon']
late = sum(1 for s in recs[0]['snapshots']
           if s['end_time'] - s['start_time'] > 150e6)
if len(sys.argv) > 5:
    t0 = recs[0]['snapshots'][0]['start_time']
    print(' '.join('%.1f:%.0f' % ((s['start_time'] - t0) / 1e9,
                   (s['end_time'] - s['start_time']) / 1e6)
                   for s in recs[0]['snapshots']))
tick = 100.0
print('%s: %d targets; sampling thread CPU %.0f ms in the %s s after the '
      'start; %d sample overruns, %d aggregations over 150 ms, longest %.0f '
      'ms (of 100)' % (sys.argv[2], len(recs), int(sys.argv[3]) * 1000 / tick,
      sys.argv[4], u['sample_overruns'], late, u['max_aggr_us'] / 1000))
EOF2
	for p in $(cat "$CG/cgroup.procs" "$CG-out/cgroup.procs"); do
		kill "$p" 2>/dev/null
	done
	wait "$sh" 2>/dev/null
	sleep 0.5
	rmdir "$CG" "$CG-out"
	rm -f "$TMP/go"
	CG=
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# the same start of processes outside the monitored cgroup: what the
# load alone costs the sampling, on this machine now
one "${BINS[0]}" outside
for u in "${BINS[@]}"; do one "$u" inside; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
