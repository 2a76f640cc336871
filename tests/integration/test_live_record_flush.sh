#!/bin/bash
# record keeps what it has: the output path is checked before the target
# starts, and the record is written out every --output_flush_sec, so that
# a kill -9 of udamon loses at most the last period (and the target runs
# on with its data intact).
. "$(dirname "$0")/lib.sh"
need_write_monitoring

note "an unwritable output fails before the command starts"
expect_error "cannot write the record to '/nonexistent/dir/x'" \
	"$UDAMON" record "${WO[@]}" -o /nonexistent/dir/x "touch $TMP/started"
[ ! -e "$TMP/started" ] || fail "the command ran although the output path is bad"
mkdir "$TMP/adir"
expect_error "is a directory" "$UDAMON" record "${WO[@]}" -o "$TMP/adir" \
	"touch $TMP/started"
[ ! -e "$TMP/started" ] || fail "the command ran although the output is a directory"

# killed NAME FLUSH: record a running workload, kill -9 udamon after 5 s;
# leaves the monotonic time of the kill in $TMP/NAME.killed
killed() {
	local name=$1 flush=$2 wl mon
	"$WL/wl_ranges" --seconds 9 --addr-file "$TMP/$name.addr" \
		hot:write:2M idle:idle:8M &
	wl=$!; PIDS+=("$wl")
	wait_lines "$TMP/$name.addr" 2
	"$UDAMON" record -q "${WO[@]}" --output_flush_sec "$flush" \
		-o "$TMP/$name.data" "$wl" & mon=$!; PIDS+=("$mon")
	# watch the file: each write renames a new file (a new inode) over it
	for _ in $(seq 1 25); do
		stat -c %i "$TMP/$name.data" 2>/dev/null
		sleep 0.2
	done | sort -u >"$TMP/$name.inodes"
	kill -9 "$mon"
	python3 -c 'import time; print(time.monotonic_ns())' >"$TMP/$name.killed"
	wait "$mon" 2>/dev/null
	wait "$wl" || fail "$name: the workload's data check failed after udamon was killed"
}

note "kill -9 with --output_flush_sec 0: nothing written (the contrast)"
killed noflush 0
[ ! -e "$TMP/noflush.data" ] || fail "a record appeared without periodic writes"

note "kill -9 with --output_flush_sec 1: the snapshots up to the last write"
killed flush 1
[ -e "$TMP/flush.data" ] || fail "no record after kill -9 with --output_flush_sec 1"
"$UDAMON" report access --input "$TMP/flush.data" >/dev/null ||
	fail "the record written before kill -9 does not read"
python3 - "$TMP/flush.data" "$(cat "$TMP/flush.killed")" <<'PY' || fail "the record lacks the snapshots before the last write"
import json, sys, zlib
data = open(sys.argv[1], 'rb').read()
if data[:1] == b'\x78':
    data = zlib.decompress(data)
snaps = json.loads(data)[0]['snapshots']
killed = int(sys.argv[2])
lag = (killed - snaps[-1]['end_time']) / 1e9 if snaps else None
print('# %d snapshots; the last ended %s s before the kill' % (len(snaps), lag))
# 5 s of 100 ms aggregations, written about every second: at least 10
# snapshots (a write can take long on a loaded machine: no time bound)
sys.exit(not len(snaps) >= 10)
PY
n=$(wc -l <"$TMP/flush.inodes")
note "the record was replaced $n times in 5 s"
[ "$n" -ge 2 ] || fail "the record was not written out periodically ($n versions seen)"
ls "$TMP" | grep -q 'flush.data.tmp' && note "(a temporary file of the interrupted write was left)"
echo "record output checks and periodic writes as expected"
