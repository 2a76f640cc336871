#!/bin/bash
# --include_child_tasks: the processes a command starts are monitored too,
# each as a target (a record) of its own. A shell script forks two
# children that execute the ground-truth workload (children that exec are
# followed): each child's written range is hot in its own record and its
# idle range cold; the same for a running tree given by its pid (its
# children exist already: found by the /proc scan). Without the option the
# record holds the shell only.
# Then stress-ng --vm 2 (forked workers, no exec), when Debian's package
# installs: its workers' records show their writes.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
SPEC="idle:idle:8M hot:write:2M"

cat >"$TMP/tree.sh" <<SH
#!/bin/sh
"$WL/wl_ranges" --seconds \$1 --addr-file "$TMP/a.addr" $SPEC & a=\$!
"$WL/wl_ranges" --seconds \$1 --addr-file "$TMP/b.addr" $SPEC & b=\$!
echo \$a >"$TMP/a.pid"; echo \$b >"$TMP/b.pid"
wait \$a && wait \$b
SH
chmod +x "$TMP/tree.sh"

nr_records() {	# record
	python3 - "$1" <<'PY'
import json, sys, zlib
d = open(sys.argv[1], 'rb').read()
print(len(json.loads(zlib.decompress(d) if d[:1] == b'\x78' else d)))
PY
}

note "a script forking two writers, --include_child_tasks"
"$UDAMON" record -q "${WO[@]}" --include_child_tasks -o "$TMP/tree.data" \
	"$TMP/tree.sh 8" 2>"$TMP/tree.err" ||
	{ cat "$TMP/tree.err"; fail "record with --include_child_tasks failed"; }
cat "$TMP/tree.err"
grep -q "exited with status 0" "$TMP/tree.err" ||
	fail "the workloads did not end cleanly (their data check)"
n=$(nr_records "$TMP/tree.data")
note "$n records"
[ "$n" -ge 3 ] || fail "expected a record for the script and each child, got $n"
# child_heat DATA C WHAT: the heat of child C's ranges in its own record
child_heat() {
	local pid
	pid=$(cat "$TMP/$2.pid")
	python3 "$ROOT/tests/integration/rangeheat.py" "$1" "$TMP/$2.addr" \
		--pid "$pid" >"$TMP/heat" ||
		fail "no record of $3 $2 (process $pid)"
	note "$3 $2 (process $pid):"; cat "$TMP/heat"
}
for c in a b; do
	child_heat "$TMP/tree.data" "$c" child
	# two writers share 2 CPUs with the rest: a low bar for hot
	expect_hot_over hot idle; expect_cold idle
done

note "a running tree by its pid: the children that exist already are found by the /proc scan"
rm -f "$TMP/a.pid" "$TMP/b.pid"
"$TMP/tree.sh" 10 >/dev/null 2>&1 &
root=$!; PIDS+=("$root")
wait_lines "$TMP/a.addr" 2; wait_lines "$TMP/b.addr" 2
"$UDAMON" record -q "${WO[@]}" --include_child_tasks --timeout 5 \
	-o "$TMP/pid.data" "$root" 2>"$TMP/pid.err" ||
	{ cat "$TMP/pid.err"; fail "record --include_child_tasks of pid $root failed"; }
for c in a b; do
	child_heat "$TMP/pid.data" "$c" "running child"
	expect_hot hot 0.05; expect_cold idle
done
wait "$root" || fail "the tree's workloads failed their data checks"

note "the same without --include_child_tasks: the script only"
"$UDAMON" record -q "${WO[@]}" -o "$TMP/one.data" "$TMP/tree.sh 3" \
	2>"$TMP/one.err" || { cat "$TMP/one.err"; fail "record failed"; }
n=$(nr_records "$TMP/one.data")
[ "$n" = 1 ] || fail "without --include_child_tasks expected 1 record, got $n"

note "stress-ng --vm 2, --include_child_tasks"
if ! command -v stress-ng >/dev/null; then
	apt-get install -y stress-ng >/dev/null 2>&1 ||
		skip "stress-ng is not installed and cannot be installed (apt-get install stress-ng)"
fi
"$UDAMON" record -q "${WO[@]}" --include_child_tasks -o "$TMP/sng.data" \
	"stress-ng --vm 2 --vm-bytes 64M --timeout 8" 2>"$TMP/sng.err" ||
	{ cat "$TMP/sng.err"; fail "record of stress-ng failed"; }
cat "$TMP/sng.err"
# written MiB per record, mean over the second half of its snapshots
python3 - "$TMP/sng.data" >"$TMP/sng.heat" <<'PY'
import json, sys, zlib
d = open(sys.argv[1], 'rb').read()
for r in json.loads(zlib.decompress(d) if d[:1] == b'\x78' else d):
    s = r['snapshots'][len(r['snapshots']) // 2:]
    mib = sum(sum((g['end'] - g['start']) * g['nr_accesses']['percent']
                  / 100 for g in x['regions']) for x in s) / max(len(s), 1)
    print(r['udamon']['pid'], '%.1f' % (mib / 2**20))
PY
cat "$TMP/sng.heat"
# (without the option every record read 0; how much shows depends on
# the load of the machine: a low bar)
hot=$(awk '$2 >= 1 { n++ } END { print n + 0 }' "$TMP/sng.heat")
[ "$hot" -ge 2 ] ||
	fail "expected the two vm workers to show >= 1 MiB written, $hot did"
echo "children monitored as expected"
