#!/bin/bash
# Real programs from Debian's packages, monitored write-only, keep their
# data and their results, and what they write is seen:
# - python3: a bytearray's middle 4 MiB is written in a loop, a range
#   before it is only read and one after it is left alone; attached by pid
#   with the three ranges as regions, the written range is hot and the
#   others cold; the program's own check of every byte passes;
# - xz -T2 (a shell line: two threads): the archive decompresses to the
#   input byte for byte;
# - sqlite3 (a shell line, about 1 s, a 64 MiB page cache): 1,000,000
#   inserted rows, half of them updated, sum as they must;
# - redis-server under redis-benchmark, attached by pid: 1,000 keys set
#   before are read back unchanged, and a second monitor killed with -9
#   leaves it serving with no registration left.
# Each record must show written memory of its program. About 40 s.
. "$(dirname "$0")/lib.sh"
need_write_monitoring

# need_program EXE PACKAGE: install Debian's package when it is missing
need_program() {
	command -v "$1" >/dev/null && return
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1 ||
		skip "$1 is missing and apt-get install $2 failed"
}
need_program xz xz-utils
need_program sqlite3 sqlite3
need_program redis-server redis-server
need_program redis-cli redis-tools
need_program redis-benchmark redis-tools

# written_mib RECORD: the most memory (MiB) any snapshot of the record
# shows written (regions with a non-zero access rate, every target)
written_mib() {
	python3 - "$1" <<'PY'
import json, sys, zlib
d = open(sys.argv[1], 'rb').read()
if d[:1] == b'\x78':
    d = zlib.decompress(d)
best = 0
for rec in json.loads(d):
    for snap in rec['snapshots']:
        best = max(best, sum(r['end'] - r['start'] for r in snap['regions']
                             if r['nr_accesses']['percent'] > 0))
print('%.2f' % (best / 2**20))
PY
}

# expect_written RECORD WHAT: the record shows some memory written
expect_written() {
	local mib; mib=$(written_mib "$1") || fail "cannot read the record of $2"
	note "$2: up to $mib MiB seen written"
	awk -v m="$mib" 'BEGIN { exit !(m > 0) }' || fail "no write of $2 was seen"
}

note "python3: a bytearray written, read and left alone"
cat >"$TMP/wl.py" <<'PY'
import ctypes, sys, time
MIB = 1 << 20
buf = bytearray(b'\x5a' * (16 * MIB))
base = ctypes.addressof((ctypes.c_char * len(buf)).from_buffer(buf))
with open(sys.argv[1] + '.tmp', 'w') as f:
    # whole pages inside the buffer, away from its ends
    lo = (base + 4095) & ~4095
    f.write('read %d %d\n' % (lo, lo + 4 * MIB))
    f.write('hot %d %d\n' % (lo + 6 * MIB, lo + 10 * MIB))
    f.write('idle %d %d\n' % (lo + 12 * MIB, lo + 15 * MIB))
import os; os.rename(sys.argv[1] + '.tmp', sys.argv[1])
off = (base + 4095) & ~4095
off -= base
mv = memoryview(buf)
end = time.time() + float(sys.argv[2])
n = 0
while time.time() < end:
    for p in range(off + 6 * MIB, off + 10 * MIB, 4096):
        mv[p:p + 8] = (n & 0xff).to_bytes(1, 'little') * 8
    n += 1
    # a reader of the first range
    if mv[off:off + 4 * MIB].tobytes().count(b'\x5a') != 4 * MIB:
        sys.exit('read range changed')
last = ((n - 1) & 0xff).to_bytes(1, 'little') * 8
for p in range(off + 6 * MIB, off + 10 * MIB, 4096):
    if mv[p:p + 8] != last or mv[p + 8:p + 4096].tobytes() != b'\x5a' * 4088:
        sys.exit('hot range corrupted at %d' % p)
if buf[:off + 6 * MIB].count(0x5a) != off + 6 * MIB or \
        buf[off + 10 * MIB:].count(0x5a) != len(buf) - off - 10 * MIB:
    sys.exit('untouched bytes changed')
print('python data ok after %d passes' % n)
PY
python3 "$TMP/wl.py" "$TMP/py.addr" 10 >"$TMP/py.out" 2>&1 &
py=$!; PIDS+=("$py")
wait_lines "$TMP/py.addr" 3
"$UDAMON" record -q "${WO[@]}" -r "$(regions_of "$TMP/py.addr")" \
	--timeout 6 -o "$TMP/py.data" "$py" 2>"$TMP/py.err" ||
	{ cat "$TMP/py.err"; fail "record of python3 (process $py) failed"; }
wait "$py" || { cat "$TMP/py.out"; fail "python3's own data check failed"; }
cat "$TMP/py.out"
heat "$TMP/py.data" "$TMP/py.addr"
expect_hotter hot idle; expect_cold idle; expect_cold read

note "xz -T2: the archive decompresses to its input"
head -c 8M /dev/urandom | base64 >"$TMP/xz.in"
"$UDAMON" record -q "${WO[@]}" -o "$TMP/xz.data" \
	"xz -T2 -6 -c $TMP/xz.in >$TMP/xz.out" 2>"$TMP/xz.err" ||
	{ cat "$TMP/xz.err"; fail "record of xz failed"; }
grep -q "exited with status 0" "$TMP/xz.err" || { cat "$TMP/xz.err"; fail "xz failed"; }
xz -dc "$TMP/xz.out" | cmp - "$TMP/xz.in" || fail "xz's archive does not decompress to its input"
expect_written "$TMP/xz.data" xz

note "sqlite3: 1,000,000 rows inserted, indexed, half updated, and summed"
cat >"$TMP/sq.sql" <<'SQL'
PRAGMA journal_mode=OFF;
PRAGMA cache_size=-65536;
CREATE TABLE t(a INTEGER, b TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000)
INSERT INTO t SELECT x, printf('row %08d', x) FROM c;
CREATE INDEX ta ON t(b);
UPDATE t SET b = b || '.' WHERE a % 2 = 0;
SQL
"$UDAMON" record -q "${WO[@]}" -o "$TMP/sq.data" \
	"sqlite3 $TMP/sq.db <$TMP/sq.sql" 2>"$TMP/sq.err" ||
	{ cat "$TMP/sq.err"; fail "record of sqlite3 failed"; }
grep -q "exited with status 0" "$TMP/sq.err" || { cat "$TMP/sq.err"; fail "sqlite3 failed"; }
got=$(sqlite3 "$TMP/sq.db" "SELECT count(*), sum(a), count(DISTINCT b), sum(b LIKE '%.') FROM t")
[ "$got" = "1000000|500000500000|1000000|500000" ] || fail "sqlite3's table is wrong: $got"
expect_written "$TMP/sq.data" sqlite3

note "redis-server under redis-benchmark, attached by pid"
port=$((20000 + $$ % 20000))
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
	--daemonize no >"$TMP/redis.log" 2>&1 &
rs=$!; PIDS+=("$rs")
for i in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$port" ping >/dev/null || fail "redis-server did not start (port $port)"
for i in $(seq 1000); do echo "SET key:$i value-$i-$((i * 7919))"; done |
	redis-cli -p "$port" >/dev/null
"$UDAMON" record -q "${WO[@]}" --timeout 6 -o "$TMP/rs.data" "$rs" \
	2>"$TMP/rs.err" &
mon=$!; PIDS+=("$mon")
sleep 1
redis-benchmark -p "$port" -q -n 60000 -r 100000 -d 64 -t set,get,lpush \
	>"$TMP/bench.out" 2>&1 || { cat "$TMP/bench.out"; fail "redis-benchmark failed"; }
wait "$mon" || { cat "$TMP/rs.err"; fail "record of redis-server failed"; }
expect_written "$TMP/rs.data" redis-server
# a second monitor killed with -9 while the benchmark runs
"$UDAMON" record -q "${WO[@]}" -o "$TMP/rs2.data" "$rs" 2>/dev/null &
mon=$!; PIDS+=("$mon")
redis-benchmark -p "$port" -q -n 20000 -r 100000 -d 64 -t set >/dev/null 2>&1 &
rb=$!; PIDS+=("$rb")
sleep 2
kill -9 "$mon"; wait "$mon" 2>/dev/null
wait "$rb" || fail "redis-benchmark failed after udamon was killed"
sleep 0.5
expect_no_uffd_wp "$rs"
for i in $(seq 1000); do echo "GET key:$i"; done | redis-cli -p "$port" >"$TMP/got"
for i in $(seq 1000); do echo "value-$i-$((i * 7919))"; done | cmp - "$TMP/got" ||
	fail "redis-server's keys changed"
[ "$(redis-cli -p "$port" ping)" = PONG ] || fail "redis-server stopped serving"
redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
wait "$rs" || fail "redis-server did not end cleanly"
note "every program kept its data"
