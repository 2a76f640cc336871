#!/bin/bash
# The fault event source: BPF where it loads (root on this kernel), the
# perf fallback when forced with UDAMON_FAULT_SOURCE=perf; both give the
# same attribution against ground truth (threads pinned to CPU 0 and 1
# write their own ranges; --exp_ops_cpus 0 keeps only CPU 0's range), and
# the record names the source under udamon.fault_source.
# (test_cpus_filter.sh and test_tids_filter.sh run with the automatic
# choice, i.e. BPF here.)
. "$(dirname "$0")/lib.sh"
need_write_monitoring
need_cpus_0_1
need_setarch
SPEC=$CPU_SPEC

source_of() {
	python3 - "$1" <<'PY'
import json, sys, zlib
d = open(sys.argv[1], "rb").read()
try:
    d = zlib.decompress(d)
except zlib.error:
    pass
print(json.loads(d)[0]["udamon"].get("fault_source", "none"))
PY
}

for src in auto perf; do
	prefix=""
	[ "$src" = perf ] && prefix="env UDAMON_FAULT_SOURCE=perf"
	probed_record "$src" 4 "$SPEC" "$prefix" "${WO[@]}" --exp_ops_cpus 0
	expect_hot_rel c0; expect_cold c1; expect_cold gap
	got=$(source_of "$TMP/$src.data")
	note "$src: fault_source $got"
	if [ "$src" = perf ]; then
		[ "$got" = perf ] || fail "forced perf, but the record says '$got'"
	else
		[ "$got" = bpf ] || fail "as root on $(uname -r) the BPF source should load, but the record says '$got'"
	fi
done

note "without attribution, no fault source in the record"
probed_record none 1 "$SPEC" "" "${WO[@]}"
[ "$(source_of "$TMP/none.data")" = none ] ||
	fail "a record without --exp_ops_cpus names a fault source"
echo "both sources attribute alike"
