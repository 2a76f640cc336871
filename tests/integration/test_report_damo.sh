#!/bin/bash
# udamon report against damo 3.3.0's output on the same records: every case
# of tests/data/damo_expected/cases.txt must print exactly damo's text
# (made by damo_expected/make.sh; see its README).
ROOT=${UDAMON_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
UDAMON=${UDAMON:-$ROOT/build/udamon}
[ -x "$UDAMON" ] || { echo "udamon binary '$UDAMON' not built"; exit 77; }
exp=$ROOT/tests/data/damo_expected
cd "$ROOT/tests/data" || exit 1
fails=0 n=0
while IFS='|' read -r name rec args; do
	case "$name" in '#'*|'') continue ;; esac
	n=$((n + 1))
	# shellcheck disable=SC2086
	if ! out=$("$UDAMON" report $args -i "$rec" 2>&1); then
		echo "FAIL $name: udamon report $args exited non-zero: $out"
		fails=$((fails + 1))
		continue
	fi
	if ! diff -u "$exp/$name.txt" <(printf '%s\n' "$out") >/tmp/udamon-damo-diff.$$; then
		echo "FAIL $name: udamon report $args differs from damo's:"
		head -20 /tmp/udamon-damo-diff.$$
		fails=$((fails + 1))
	fi
done < "$exp/cases.txt"
rm -f /tmp/udamon-damo-diff.$$
[ $n -gt 0 ] || { echo "no case read"; exit 1; }
[ $fails -eq 0 ] || { echo "$fails of $n cases differ"; exit 1; }
echo "all $n cases match damo"
