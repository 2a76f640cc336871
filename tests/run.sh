#!/bin/bash
# Run every test: unit tests (normal and sanitizer builds) and integration
# scripts. A test passes with exit 0, is skipped with 77, fails otherwise.
# The last line is the summary: "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
export UDAMON_ROOT=$PWD
export UDAMON=$PWD/build/udamon
export WL=$PWD/build/bin
pass=0 fail=0 skip=0 failed=()
logdir=$(mktemp -d /tmp/udamon-tests.XXXXXX)

run_one() {	# name, timeout, command...
	local name=$1 to=$2; shift 2
	local log="$logdir/${name//\//_}.log"
	local t0=$SECONDS
	timeout -k 5 "$to" "$@" >"$log" 2>&1
	local rc=$?
	local dt=$((SECONDS - t0))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $name (${dt}s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed+=("$name")
		echo "FAIL $name (rc $rc, ${dt}s); last lines of $log:"
		tail -n 25 "$log" | sed 's/^/    /'
	fi
}

filter=${1:-}
for b in build/tests/test_* build-san/tests/test_*; do
	[ -x "$b" ] || continue
	case "$b" in *.d) continue ;; esac
	[ -n "$filter" ] && [[ "$b" != *"$filter"* ]] && continue
	run_one "$b" 300 "$b"
done
for s in tests/integration/test_*.sh; do
	[ -f "$s" ] || continue
	[ -n "$filter" ] && [[ "$s" != *"$filter"* ]] && continue
	run_one "$s" 300 bash "$s"
done
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$skip skipped; logs in $logdir"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
