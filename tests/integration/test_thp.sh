#!/bin/bash
# Transparent huge pages survive write monitoring: a process with 512 MiB
# of MADV_HUGEPAGE memory, writing random words in its first 128 MiB,
# keeps at least 90 % of its huge pages through about 30 s of default
# monitoring (it reads its own AnonHugePages every 200 ms), its written
# range comes out hot and the idle rest cold, and its data stay intact
# (it checks every word at the end). Attached by pid once its memory is
# filled (docs/PERFORMANCE.md says what a command started under udamon
# sees while it fills its memory).
. "$(dirname "$0")/lib.sh"
need_write_monitoring
THP=/sys/kernel/mm/transparent_hugepage/enabled
[ -r $THP ] || skip "no transparent huge pages in this kernel ($THP)"
grep -q '\[never\]' $THP && skip "transparent huge pages are disabled ($THP: $(cat $THP))"

"$WL/wl_thp" --mib 512 --write-mib 128 --seconds 32 \
	--addr-file "$TMP/thp.addr" >"$TMP/wl.out" &
wl=$!; PIDS+=("$wl")
wait_lines "$TMP/thp.addr" 2
sleep 1
"$UDAMON" record -q --exp_ops_use_reports y --exp_ops_write_only y \
	--timeout 30 -o "$TMP/thp.data" "$wl" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "record of pid $wl failed"; }
cat "$TMP/err"
wait "$wl" || { cat "$TMP/wl.out"; fail "the workload's data check failed"; }
cat "$TMP/wl.out"
read -r start min mean end < <(awk '{ for (i = 1; i < NF; i++) v[$i] = $(i + 1)
	print v["thp_start_kb"], v["thp_min_kb"], v["thp_mean_kb"], v["thp_end_kb"] }' "$TMP/wl.out")
[ "${start:-0}" -ge $((256 * 1024)) ] ||
	skip "the kernel gave the workload only ${start:-0} kB of huge pages (memory too fragmented?)"
for v in min mean end; do
	awk -v x="${!v}" -v s="$start" 'BEGIN { exit !(x * 10 >= s * 9) }' ||
		fail "huge pages fell to $v ${!v} kB of $start kB (less than 90 %)"
done
python3 - "$TMP/thp.data" <<'PY' || fail "the record has no huge page counters"
import json, sys, zlib
d = open(sys.argv[1], 'rb').read()
u = json.loads(zlib.decompress(d) if d[:1] == b'\x78' else d)[0]['udamon']
print('# record:', {k: u[k] for k in ('thp_splits', 'thp_collapses', 'aggr_overruns')})
sys.exit(not ('thp_splits' in u and u['thp_collapses'] <= u['thp_splits']))
PY
heat "$TMP/thp.data" "$TMP/thp.addr"
expect_hot written 0.2; expect_cold idle
echo "huge pages kept: min $min, mean $mean, end $end of $start kB"
