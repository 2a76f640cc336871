#!/bin/bash
# On Linux 6.1 (in a VM): no async write-protect, no PAGEMAP_SCAN, no
# DAMON, no idle page tracking. Every monitoring request must fail with
# exit 1 and a message that names what is missing, before anything
# starts: the command target is not run, a pid target is left as it was,
# no record file is written.
. "$(dirname "$0")/lib.sh"
[ -x "$UDAMON" ] || skip "no udamon binary at $UDAMON (build it first)"

cat >"$TMP/job.sh" <<'EOF'
WO="--exp_ops_use_reports y --exp_ops_write_only y"
run() {	# tag cmd...: its exit status and stderr, tagged
	tag=$1; shift
	"$@" >/tmp/$tag.out 2>/tmp/$tag.err
	echo "@@RC $tag $?"
	sed "s/^/@@ERR $tag /" /tmp/$tag.err
}
echo "@@KERNEL $(uname -r)"
run wo_cmd udamon record $WO -o /tmp/wo_cmd.data "touch /tmp/ran_wo; sleep 1"
sleep 60 &
p=$!
sleep 0.2
run wo_pid udamon record $WO -o /tmp/wo_pid.data $p
echo "@@PID $(grep -E '^(State|TracerPid):' /proc/$p/status | tr '\t\n' '  ')"
kill $p
run plain udamon record -o /tmp/plain.data "touch /tmp/ran_plain; sleep 1"
run cpus udamon record $WO --exp_ops_cpus 0 -o /tmp/cpus.data "touch /tmp/ran_cpus; sleep 1"
for f in /tmp/ran_* /tmp/*.data; do
	[ -e "$f" ] && echo "@@EXISTS $f"
done
true
EOF

vm_job 6.1 2 80 "$UDAMON"

err_of() { sed -n "s/^@@ERR $1 //p" "$TMP/out"; }

expect_refusal() {	# tag pattern...: exit 1 and stderr matching each pattern
	local tag=$1 p; shift
	[ "$(rc_of "$tag")" = 1 ] ||
		fail "$tag: exit status '$(rc_of "$tag")', expected 1"
	for p in "$@"; do
		err_of "$tag" | grep -qE -- "$p" ||
			fail "$tag: message '$(err_of "$tag")' does not match '$p'"
	done
	echo "ok: $tag -> $(err_of "$tag")"
}

# write monitoring: the missing kernel feature and the version that has it
for t in wo_cmd wo_pid cpus; do
	expect_refusal "$t" 'WP_ASYNC|PAGEMAP_SCAN' '6\.7'
done
# plain monitoring: neither a kernel DAMON nor idle page tracking
expect_refusal plain 'idle page tracking' 'DAMON'

# nothing started
if grep '^@@EXISTS' "$TMP/out"; then
	fail "a refused request ran its command or wrote a record"
fi
grep -qE '^@@PID State: *S' "$TMP/out" ||
	fail "the pid target was not left sleeping: $(grep '^@@PID' "$TMP/out")"
grep -qE 'TracerPid: *0' "$TMP/out" ||
	fail "the pid target is still traced: $(grep '^@@PID' "$TMP/out")"
echo "all requests refused with their reason on Linux 6.1"
