#!/bin/bash
# Command lines run exactly as the shell runs them: lists, cd, leading
# assignments, pipelines, loops, redirections, comments, and quoted or
# expanded words. Each line runs once unmonitored (sh -c) and once under
# udamon record, each in a fresh directory: standard output, the files
# it leaves and its exit status must be the same. The shell's whole
# process tree is monitored: the ground-truth workload run by a line
# without exec (a list with cd and an assignment, and inside a pipeline)
# is a target of its own, with its written range hot and its idle range
# cold in its record. A line that ends with "exec PROGRAM" makes the shell
# (the first target) become PROGRAM, and the record covers PROGRAM.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
WO=(--exp_ops_use_reports y --exp_ops_write_only y -s 2ms -a 20ms)
mkdir -p "$TMP/sub"
echo "in sub" >"$TMP/sub/file"

LINES=(
	"sleep 0.3; echo x > f; cat f"
	"cd $TMP/sub && pwd && sleep 0.3 && cat file"
	"FOO=bar sh -c 'echo \$FOO'; sleep 0.3"
	"seq 1 1000 | sort -rn | head -3; sleep 0.3"
	"for i in 1 2 3; do echo \$i; sleep 0.1; done > loop; cat loop"
	"sleep 0.3 && echo 'a;b' # a comment"
	"sleep 0.3; false"
	"sh -c 'printf \"%s|%s|%s\\n\" \"\$0\" \"\$1\" \"\$2\"; sleep 0.3' 'a b' \$HOME ~"
	"sh -c 'echo \$((6 * 7)); sleep 0.3'"
)

n=0
for line in "${LINES[@]}"; do
	n=$((n + 1))
	mkdir "$TMP/plain$n" "$TMP/mon$n"
	(cd "$TMP/plain$n" && sh -c "$line" >../plain$n.out 2>/dev/null)
	want=$?
	(cd "$TMP/mon$n" && "$UDAMON" record -q "${WO[@]}" -o "$TMP/mon$n.data" \
		"$line" >../mon$n.out 2>../mon$n.err)
	grep -q "exited with status $want\$" "$TMP/mon$n.err" ||
		{ cat "$TMP/mon$n.err"; fail "'$line': exit status not $want"; }
	grep -q "killed by signal" "$TMP/mon$n.err" && fail "'$line': killed"
	diff "$TMP/plain$n.out" "$TMP/mon$n.out" ||
		fail "'$line': output differs from the unmonitored run"
	diff -r "$TMP/plain$n" "$TMP/mon$n" ||
		fail "'$line': files differ from the unmonitored run"
	[ -f "$TMP/mon$n.data" ] || fail "'$line': no record"
	echo "ok: '$line' -> $(tr '\n' ' ' <"$TMP/mon$n.out")(status $want)"
done

# The shell is the target; a program it executes in its place is followed.
(cd "$TMP/sub" && "$UDAMON" record -q "${WO[@]}" -o "$TMP/exec.data" \
	"cd $TMP && FOO=1 exec $WL/wl_ranges --seconds 0.5 --addr-file $TMP/exec.addr a:write:4M" \
	2>"$TMP/exec.err") || { cat "$TMP/exec.err"; fail "record of 'cd && exec' failed"; }
grep -q "exited with status 0" "$TMP/exec.err" ||
	{ cat "$TMP/exec.err"; fail "'cd && exec': the workload's data check failed"; }
python3 "$ROOT/tests/integration/covers.py" "$TMP/exec.data" "$TMP/exec.addr" ||
	fail "the record does not cover the program the shell executed"
echo "ok: the shell's exec is followed"

# The programs the shell runs as its children are targets: run the
# workload without exec, each line once unmonitored and once monitored,
# with the same output and status; in the record of the workload's process
# (its --pid-file) its written range is hot, its idle one cold. Regions are
# the workload's ranges exactly (-r, addresses from a probe run without
# address space randomization, which the shell's children inherit).
SPEC="idle:idle:8M hot:write:2M"
setarch -R "$WL/wl_ranges" --seconds 0.01 --addr-file "$TMP/probe.addr" \
	$SPEC >/dev/null 2>&1
[ -s "$TMP/probe.addr" ] || fail "probe run of the workload failed"
TREE_LINES=(
	"cd $TMP/sub && FOO=1 $WL/wl_ranges --seconds 3 --pid-file @.pid --addr-file @.addr $SPEC"
	"{ $WL/wl_ranges --seconds 3 --pid-file @.pid --addr-file @.addr $SPEC; echo \"workload: \$?\"; } | tr a-z A-Z; echo after"
)
n=0
for line in "${TREE_LINES[@]}"; do
	n=$((n + 1))
	t=$TMP/tree$n
	line=${line//@/$t}
	(cd "$TMP" && setarch -R sh -c "$line" >"$t.plain" 2>/dev/null)
	want=$?
	(cd "$TMP" && setarch -R "$UDAMON" record -q "${WO[@]}" \
		-r "$(regions_of "$TMP/probe.addr")" -o "$t.data" "$line" \
		>"$t.out" 2>"$t.err")
	grep -q "exited with status $want\$" "$t.err" ||
		{ cat "$t.err"; fail "'$line': exit status not $want"; }
	diff "$t.plain" "$t.out" ||
		fail "'$line': output differs from the unmonitored run"
	diff <(cut -d' ' -f1-3 "$TMP/probe.addr") <(cut -d' ' -f1-3 "$t.addr") \
		>/dev/null || skip "addresses differ between runs even with setarch -R"
	python3 "$ROOT/tests/integration/rangeheat.py" "$t.data" "$t.addr" \
		--pid "$(cat "$t.pid")" >"$TMP/heat" ||
		fail "'$line': no record of the workload (process $(cat "$t.pid"))"
	note "'$line' (workload: process $(cat "$t.pid")):"
	cat "$TMP/heat"
	expect_hot_over hot idle
	expect_cold idle
	echo "ok: '$line' -> $(tr '\n' ' ' <"$t.out")(status $want)"
done

# A background monitor of a shell line monitors the same tree, and a
# tune keeps it (and the command it shows).
note "udamon start with a shell line"
export UDAMON_RUN_DIR=$TMP/run
live="cd $TMP/sub && FOO=1 $WL/wl_ranges --seconds 0 --pid-file $TMP/live.pid --addr-file $TMP/live.addr $SPEC"
setarch -R "$UDAMON" start "${WO[@]}" -r "$(regions_of "$TMP/probe.addr")" \
	"$live" >/dev/null || fail "start of '$live' failed"
wait_lines "$TMP/live.addr" 2
PIDS+=("$(cat "$TMP/live.pid")")
"$UDAMON" tune "${WO[@]}" -a 30ms -r "$(regions_of "$TMP/probe.addr")" ||
	fail "tune failed"
"$UDAMON" status --json >"$TMP/live.json" || fail "status failed"
PIDS+=("$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["targets"][0]["pid"])' "$TMP/live.json")")
python3 - "$TMP/live.json" "$live" "$(cat "$TMP/live.pid")" <<'PY' ||
import json, sys
t = json.load(open(sys.argv[1]))["targets"]
print(t)
assert t[0]["command"] == sys.argv[2], "target 0 does not show the command"
assert any(x["pid"] == int(sys.argv[3]) and x["state"] == "running" and
           x["command"] is None for x in t[1:]), "the workload is no target"
PY
	fail "status does not show the shell line's tree"
"$UDAMON" record ongoing -q -o "$TMP/live.data" --timeout 3 ||
	fail "record ongoing failed"
"$UDAMON" stop >/dev/null || fail "stop failed"
python3 "$ROOT/tests/integration/rangeheat.py" "$TMP/live.data" \
	"$TMP/live.addr" --pid "$(cat "$TMP/live.pid")" >"$TMP/heat" ||
	fail "no record of the workload under the background monitor"
cat "$TMP/heat"
# (dash starts the workload with vfork: attached in the shared memory, it
# was once seen with no write at all, test_vfork_child.sh)
expect_hot_over hot idle
expect_cold idle
echo "ok: start, tune and record ongoing of '$live'"

# When udamon ends the command (--timeout), the programs the shell started
# end with it (not left running orphaned), and the shell runs nothing more.
note "record --timeout of a shell line"
stop="cd $TMP/sub && $WL/wl_ranges --seconds 0 --pid-file $TMP/stop.pid $SPEC; echo more >$TMP/more"
"$UDAMON" record -q "${WO[@]}" --timeout 2 -o "$TMP/stop.data" "$stop" \
	2>"$TMP/stop.err" || { cat "$TMP/stop.err"; fail "record --timeout failed"; }
wpid=$(cat "$TMP/stop.pid")
PIDS+=("$wpid")
for i in $(seq 1 100); do exited "$wpid" && break; sleep 0.05; done
exited "$wpid" || fail "the workload (process $wpid) still runs after udamon ended"
[ -e "$TMP/more" ] && fail "the shell went on with the line after udamon ended it"
echo "ok: '$stop' ended with udamon"
