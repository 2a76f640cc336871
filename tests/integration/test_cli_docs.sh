#!/bin/bash
# What the command line and its documents promise: --regions page-aligned
# as the kernel does ("-r 1-2" is the page [0, 4096)); a command target
# still running at the end gets SIGTERM, and -q still reports how it
# ended; the man page keeps the spaces of -r "S-E S-E ..."; the
# repository's documents cite only what the repository holds. About 5 s.
. "$(dirname "$0")/lib.sh"

# the man page renders -r "S-E S-E ..." with its spaces
if command -v nroff >/dev/null; then
	nroff -man "$ROOT/docs/udamon.1" 2>/dev/null | col -b |
		grep -qF -- '-r, --regions "S-E S-E ..."' ||
		fail "the man page does not show -r, --regions \"S-E S-E ...\""
fi
# no document or comment cites the design notes kept outside the repository
if git -C "$ROOT" rev-parse >/dev/null 2>&1; then
	hits=$(git -C "$ROOT" grep -n 'DESIGN\.md' -- . ':!tests/integration/test_cli_docs.sh' || true)
	[ -z "$hits" ] || fail "files cite DESIGN.md, which the repository does not hold: $hits"
fi

need_write_monitoring
# -r 1-2: one region [0, 4096)
"$UDAMON" record -q "${WO[@]}" -r 1-2 --timeout 1 -o "$TMP/r.data" \
	"sleep 3" 2>"$TMP/r.err" || { cat "$TMP/r.err"; fail "record -r 1-2 failed"; }
python3 - "$TMP/r.data" <<'EOF' || fail "-r 1-2 did not record the region [0, 4096)"
import json, sys, zlib
d = open(sys.argv[1], 'rb').read()
if d[:1] == b'\x78':
    d = zlib.decompress(d)
snaps = json.loads(d)[0]['snapshots']
assert snaps, 'no snapshot'
for s in snaps:
    assert [(r['start'], r['end']) for r in s['regions']] == [(0, 4096)], s
print('-r 1-2 -> %d snapshots of the region [0, 4096)' % len(snaps))
EOF
# the command was still running at the timeout: SIGTERM ends it; -q
# still says how it ended
grep -q "target [0-9]* was killed by signal 15" "$TMP/r.err" ||
	{ cat "$TMP/r.err"; fail "no 'killed by signal 15' line for the command ended at --timeout"; }
# a command that handles SIGTERM gets it and exits on its own
"$UDAMON" record -q "${WO[@]}" --timeout 1 -o "$TMP/t.data" \
	"trap 'echo got TERM >$TMP/term; exit 3' TERM; while :; do sleep 0.05; done" \
	2>"$TMP/t.err" || { cat "$TMP/t.err"; fail "record of the shell loop failed"; }
[ -s "$TMP/term" ] || fail "the command target was not sent SIGTERM at --timeout"
grep -q "target [0-9]* exited with status 3" "$TMP/t.err" ||
	{ cat "$TMP/t.err"; fail "-q did not report the command's exit status 3"; }
note "ok"
