#!/bin/bash
# Command lines run exactly as the shell runs them: lists, cd, leading
# assignments, pipelines, loops, redirections, comments, and quoted or
# expanded words. Each line runs once unmonitored (sh -c) and once under
# udamon record, each in a fresh directory: standard output, the files
# it leaves and its exit status must be the same. A line that ends with
# "exec PROGRAM" makes the shell (the target) become PROGRAM, and the
# record covers PROGRAM.
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
