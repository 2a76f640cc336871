#!/bin/bash
# The record file follows damo's format key by key,
# in both output types, an old file is kept as .old, and udamon's own
# reports open it.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
cd "$TMP"
# fixed intervals (no CPU budget: where it binds, the intervals grow and
# ages count in the longer aggregations)
"$UDAMON" record -q "${WO[@]}" --monitoring_cpu_budget 0 --output_type json -o rec.json \
	"$WL/wl_ranges --seconds 2 --addr-file addr w:write:4M i:idle:4M" ||
	fail "record failed"
python3 - rec.json <<'PY' || fail "rec.json does not follow the format"
import json, sys
recs = json.load(open(sys.argv[1]))
assert isinstance(recs, list) and len(recs) == 1
r = recs[0]
need = {'kdamond_idx', 'context_idx', 'intervals', 'scheme_idx', 'target_id', 'snapshots'}
assert need <= set(r), 'missing record keys: %s' % (need - set(r))
assert r['scheme_idx'] is None
iv = r['intervals']
assert {'sample_us', 'aggr_us', 'ops_update_us'} <= set(iv), iv
assert iv['sample_us'] == 5000 and iv['aggr_us'] == 100000 and iv['ops_update_us'] == 1000000
assert len(r['snapshots']) >= 10
prev_end = 0
for s in r['snapshots']:
    assert set(s) >= {'start_time', 'end_time', 'total_bytes', 'regions'}, set(s)
    assert s['end_time'] > s['start_time'] >= prev_end - 1, 'snapshot times'
    prev_end = s['end_time']
    total = 0
    last = 0
    for g in s['regions']:
        assert set(g) >= {'start', 'end', 'nr_accesses', 'age'}, set(g)
        assert g['start'] >= last and g['end'] > g['start']
        last = g['end']
        total += g['end'] - g['start']
        assert set(g['nr_accesses']) == {'samples', 'percent'}, g['nr_accesses']
        assert set(g['age']) == {'usec', 'aggr_intervals'}, g['age']
        assert g['nr_accesses']['samples'] <= 20
        assert g['age']['usec'] == g['age']['aggr_intervals'] * 100000
        assert abs(g['nr_accesses']['percent'] - g['nr_accesses']['samples'] * 5) < 1e-6
    assert s['total_bytes'] == total, (s['total_bytes'], total)
print('ok: json record matches the format,', len(r['snapshots']), 'snapshots')
PY
"$UDAMON" record -q "${WO[@]}" --timeout 1 \
	"$WL/wl_ranges --seconds 3 w:write:4M" || fail "record 1 failed"
"$UDAMON" record -q "${WO[@]}" --timeout 1 \
	"$WL/wl_ranges --seconds 3 w:write:4M" || fail "record 2 failed"
[ -f damon.data ] && [ -f damon.data.old ] || fail "damon.data.old not kept"
head -c1 damon.data | od -An -tx1 | grep -q 78 || fail "damon.data is not a zlib stream"
for r in access heatmap wss; do
	"$UDAMON" report $r >"$r.out" || fail "report $r failed"
	[ -s "$r.out" ] || fail "report $r printed nothing"
	"$UDAMON" report $r --input rec.json >/dev/null || fail "report $r --input failed"
done
head -5 access.out
echo "ok: reports open both files"
