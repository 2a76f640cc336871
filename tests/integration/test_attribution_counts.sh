#!/bin/bash
# Attribution must not change what is counted: the same ground-truth
# workload recorded with --exp_ops_cpus naming every online CPU (which
# turns the fault events on) and without it gives per-range access rates
# within 10 % of each other.
#
# The workload's "sparse" ranges have a random pct% of their pages
# rewritten about every millisecond (2 % and 6 %: a page is written in
# about 33 % and 71 % of 20 ms samples), so most faults of the target are
# on pages that are not a region's current sampling page (pages armed in
# earlier samples and still armed): counting those, as udamon once did,
# measured a range written in 20 % of samples at about 0.6 with
# attribution and 0.2 without. Two copies of the workload run side by
# side, each recorded by its own monitor at the same time, so both see
# the same machine load. 400-1000 regions (about 550 after merges and
# splits): each region's page is checked and its next one armed in the
# same pass, so every page is watched for one whole sample interval
# whatever the page checks cost (docs/FIDELITY.md); before that, page
# checks shortened the plain monitor's windows and above about 200
# regions the two differed by 10-15 %. No CPU budget: it would set each
# monitor's intervals from its own CPU time, and a rate depends on the
# interval. Once with the default fault event source (BPF where it loads)
# and once with per-CPU perf events. Each pair records 18 s (45
# snapshots): with 12 s the two monitors' s33 rates differed by up to
# 13.7 % from sampling noise alone (a fresh clone's make check, perf
# source); with 18 s by 0.7-4.2 % in 3 runs. About 45 s.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
CPUS=$(cat /sys/devices/system/cpu/online)
NR=(--monitoring_nr_regions_range 400 1000 --monitoring_intervals 20ms 400ms 2s
    --monitoring_cpu_budget 0)
SPEC="s33:sparse:4M:pct=2 gap:idle:4M s71:sparse:4M:pct=6 pad:idle:4M"

start_wl() {	# name
	"$WL/wl_ranges" --seconds 26 --addr-file "$TMP/$1.addr" $SPEC &
	PIDS+=("$!")
	wait_lines "$TMP/$1.addr" 4
}

compare() {	# fault source ("" for the default)
	rm -f "$TMP"/*.addr
	start_wl plain
	wl_plain=${PIDS[-1]}
	start_wl cpus
	wl_cpus=${PIDS[-1]}
	"$UDAMON" record -q "${WO[@]}" "${NR[@]}" --timeout 18 \
		-r "$(regions_of "$TMP/plain.addr")" -o "$TMP/plain.data" \
		"$wl_plain" >"$TMP/plain.out" 2>&1 &
	rec_plain=$!
	UDAMON_FAULT_SOURCE=$1 "$UDAMON" record -q "${WO[@]}" "${NR[@]}" \
		--exp_ops_cpus "$CPUS" --timeout 18 \
		-r "$(regions_of "$TMP/cpus.addr")" -o "$TMP/cpus.data" \
		"$wl_cpus" >"$TMP/cpus.out" 2>&1 &
	rec_cpus=$!
	wait "$rec_plain" || { cat "$TMP/plain.out"; fail "record without --exp_ops_cpus failed"; }
	wait "$rec_cpus" || { cat "$TMP/cpus.out"; fail "record with --exp_ops_cpus $CPUS failed"; }
	note "without --exp_ops_cpus:"
	heat "$TMP/plain.data" "$TMP/plain.addr"
	cp "$TMP/heat" "$TMP/heat.plain"
	note "with --exp_ops_cpus $CPUS (fault source: ${1:-default}):"
	heat "$TMP/cpus.data" "$TMP/cpus.addr"
	cp "$TMP/heat" "$TMP/heat.cpus"
	for r in s33 s71 gap pad; do
		a=$(awk -v n="$r" '$1 == n { print $2 }' "$TMP/heat.plain")
		b=$(awk -v n="$r" '$1 == n { print $2 }' "$TMP/heat.cpus")
		[ -n "$a" ] && [ -n "$b" ] || fail "no rate for range $r"
		awk -v a="$a" -v b="$b" 'BEGIN {
			m = a > b ? a : b; d = a > b ? a - b : b - a
			exit !(d <= 0.1 * m || d <= 0.005) }' ||
			fail "range $r: rate $a without and $b with --exp_ops_cpus $CPUS (fault source ${1:-default}) differ by more than 10 %"
	done
	# something was measured, and the two rates are told apart
	awk -v a="$(rate s33)" -v b="$(rate s71)" \
		'BEGIN { exit !(a >= 0.1 && b > a * 1.5) }' ||
		fail "sparse ranges measured $(rate s33) (about 0.33) and $(rate s71) (about 0.71)"
	for p in "$wl_plain" "$wl_cpus"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" || fail "the workload's data check failed (pid $p)"
	done
	PIDS=()
}

compare ""
compare perf
note "ok"
