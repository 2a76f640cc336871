#!/bin/bash
# Commands that execute several programs in quick succession, each started
# under udamon 200 times: a shell script that executes through env three
# times, bash -c 'exec bash -c "exec ..."', and a program that executes
# itself 5 times 1 ms apart (wl_reexec). Wherever in the chain udamon
# attaches, no target may be killed by a signal (attaching used to jump
# to the old program's [vdso] address in the new program: SIGSEGV; with
# address space randomization, as here, the [vdso] moves at each exec),
# and the record must cover the program the chain finally runs: the last
# snapshot's regions cover its written range (at a random address), and
# writes to that range were seen.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
RUNS=${EXEC_CHAIN_RUNS:-200}
WO=(--exp_ops_use_reports y --exp_ops_write_only y -s 2ms -a 20ms -u 20ms)
SPEC="a:write:4M"

printf '#!/bin/sh\nexec env env env "$@"\n' >"$TMP/through-env"
chmod +x "$TMP/through-env"

final() { echo "$WL/wl_ranges --seconds 0.15 --addr-file $TMP/$1.addr $SPEC"; }

signals=0
for i in $(seq 1 "$RUNS"); do
	case $((i % 3)) in
	0) cmd="$TMP/through-env $(final "$i")" ;;
	1) cmd="bash -c 'exec bash -c \"exec $(final "$i")\"'" ;;
	2) cmd="$WL/wl_reexec 5 $(final "$i")" ;;
	esac
	"$UDAMON" record -q "${WO[@]}" -o "$TMP/$i.data" "$cmd" 2>"$TMP/$i.err"
	rc=$?
	if grep -q "killed by signal" "$TMP/$i.err"; then
		signals=$((signals + 1))
		echo "run $i ($cmd): $(cat "$TMP/$i.err")"
		continue
	fi
	[ $rc -eq 0 ] && grep -q "exited with status 0" "$TMP/$i.err" ||
		{ cat "$TMP/$i.err"; fail "run $i ($cmd): record failed (rc $rc)"; }
done
[ "$signals" -eq 0 ] || fail "$signals of $RUNS targets were killed by a signal"
echo "ok: $RUNS exec chains, no target killed by a signal"

# Every record covers the final program.
pairs=()
for i in $(seq 1 "$RUNS"); do pairs+=("$TMP/$i.data" "$TMP/$i.addr"); done
python3 "$ROOT/tests/integration/covers.py" "${pairs[@]}" ||
	fail "records do not cover the final program"
