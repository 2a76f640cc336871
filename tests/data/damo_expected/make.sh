#!/bin/bash
# Regenerate the expected texts from damo (not part of the tests, which
# fetch nothing): DAMO=/path/to/damo ./make.sh
# Each case of cases.txt is run as `damo report ARGS -i RECORD` from
# tests/data; colour escapes are removed and a missing final newline is
# added (damo ends long outputs, which go through its pager code, without
# one).
set -eu
: "${DAMO:?set DAMO to damo\'s executable (damo 3.3.0 was used)}"
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
while IFS='|' read -r name rec args; do
	case "$name" in '#'*|'') continue ;; esac
	# shellcheck disable=SC2086
	out=$(python3 "$DAMO" report $args -i "$rec" 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
	printf '%s\n' "$out" > "$here/$name.txt"
done < "$here/cases.txt"
