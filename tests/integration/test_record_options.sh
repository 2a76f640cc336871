#!/bin/bash
# record's damo options: --output_permission (the file's mode, every write)
# and --snapshot DELAY COUNT (COUNT snapshots at least DELAY apart, then
# the record ends by itself, well before the target does).
. "$(dirname "$0")/lib.sh"
need_write_monitoring
WO=(--exp_ops_use_reports y --exp_ops_write_only y -a 100ms)

note "--snapshot 500ms 3 and --output_permission 640"
t0=$SECONDS
"$UDAMON" record -q "${WO[@]}" --snapshot 500ms 3 --output_permission 640 \
	-o "$TMP/s.data" "$WL/wl_ranges --seconds 30 hot:write:2M" ||
	fail "record --snapshot failed"
took=$((SECONDS - t0))
[ "$took" -lt 20 ] || fail "record --snapshot 500ms 3 ran ${took}s: it should stop after its 3 snapshots"
[ "$(stat -c %a "$TMP/s.data")" = 640 ] ||
	fail "record mode is $(stat -c %a "$TMP/s.data"), expected 640"
python3 - "$TMP/s.data" <<'PY' || fail "the snapshots are not as --snapshot asks"
import json, sys, zlib
rec = json.loads(zlib.decompress(open(sys.argv[1], 'rb').read()))[0]
ends = [s['end_time'] for s in rec['snapshots']]
print('snapshot ends (ms from the first):', [(e - ends[0]) // 10**6 for e in ends])
assert len(ends) == 3, 'expected 3 snapshots, got %d' % len(ends)
for a, b in zip(ends, ends[1:]):
    assert b - a >= 500 * 10**6, 'snapshots %d ns apart, expected >= 500 ms' % (b - a)
    # the first one after the delay: within a few aggregations of it
    assert b - a < 2000 * 10**6, 'snapshots %d ns apart: one was skipped' % (b - a)
PY

note "default permission 600 (damo's)"
"$UDAMON" record -q "${WO[@]}" --timeout 1 -o "$TMP/d.data" \
	"$WL/wl_ranges --seconds 3 hot:write:1M" || fail "record failed"
[ "$(stat -c %a "$TMP/d.data")" = 600 ] ||
	fail "default mode is $(stat -c %a "$TMP/d.data"), expected 600"

note "bad input"
expect_error "--output_permission 'rw-': expected octal permission bits from 0 to 777" \
	"$UDAMON" record "${WO[@]}" --output_permission rw- -o "$TMP/x.data" "$WL/wl_ranges --seconds 1 a:write:1M"
expect_error "--output_permission '1000'" \
	"$UDAMON" record "${WO[@]}" --output_permission 1000 -o "$TMP/x.data" "$WL/wl_ranges --seconds 1 a:write:1M"
expect_error "--snapshot count '0': expected a number of snapshots, 1 or more" \
	"$UDAMON" record "${WO[@]}" --snapshot 1s 0 -o "$TMP/x.data" "$WL/wl_ranges --seconds 1 a:write:1M"
expect_error "--snapshot needs 2 values" \
	"$UDAMON" record "${WO[@]}" --snapshot 1s
expect_error "--snapshot delay: invalid time" \
	"$UDAMON" record "${WO[@]}" --snapshot soon 3 -o "$TMP/x.data" "$WL/wl_ranges --seconds 1 a:write:1M"
[ -e "$TMP/x.data" ] && fail "a refused record wrote a file"
echo "record options as expected"
