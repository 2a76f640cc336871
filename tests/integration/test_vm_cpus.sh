#!/bin/bash
# On Linux 6.12 with 4 vCPUs (in a VM): the CPU filter against ground
# truth. Two ranges are written by threads pinned to CPU 2 and CPU 3;
# --exp_ops_cpus 2 makes only CPU 2's range hot, --exp_ops_cpus 2-3 both.
# Also: 6.12 has a kernel DAMON, but plain monitoring (which would need
# udamon to drive it) must still be refused with a clear reason.
. "$(dirname "$0")/lib.sh"
[ -x "$UDAMON" ] || skip "no udamon binary at $UDAMON (build it first)"
[ -x "$WL/wl_ranges" ] || skip "no workload at $WL/wl_ranges (build it first)"
command -v python3 >/dev/null || skip "no python3 to read the records"

cat >"$TMP/job.sh" <<'EOF'
WO="--exp_ops_use_reports y --exp_ops_write_only y"
SPEC="c2:write:2M:cpu=2 c3:write:2M:cpu=3 idle:idle:2M"
echo "@@KERNEL $(uname -r) cpus $(nproc)"
for cpus in 2 2-3; do
	udamon record $WO --exp_ops_cpus $cpus -o /tmp/cpus$cpus.data \
		"wl_ranges --seconds 4 --addr-file /tmp/cpus$cpus.addr $SPEC"
	echo "@@RC cpus$cpus $?"
	vm_out /tmp/cpus$cpus.data /tmp/cpus$cpus.addr
done
udamon record -o /tmp/plain.data "touch /tmp/ran_plain; sleep 1" 2>/tmp/plain.err
echo "@@RC plain $?"
sed 's/^/@@ERR plain /' /tmp/plain.err
for f in /tmp/ran_plain /tmp/plain.data; do
	[ -e "$f" ] && echo "@@EXISTS $f"
done
true
EOF

mkdir -p "$TMP/out.d"
t0=$SECONDS
VM_OUTDIR=$TMP/out.d VM_TIMEOUT=85 "$ROOT/tests/vm/vm.sh" 6.12 4 "$TMP/job.sh" \
	"$UDAMON" "$WL/wl_ranges" >"$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
[ $rc -eq 77 ] && skip "$(tail -n 1 "$TMP/out")"
[ $rc -eq 0 ] || fail "the VM run failed (exit $rc)"
note "VM run took $((SECONDS - t0)) s"
grep -q '^@@KERNEL 6\.12\..* cpus 4$' "$TMP/out" ||
	fail "the guest did not run Linux 6.12 with 4 CPUs"

rc_of() { awk -v t="$1" '$1 == "@@RC" && $2 == t { print $3 }' "$TMP/out"; }

for cpus in 2 2-3; do
	[ "$(rc_of "cpus$cpus")" = 0 ] ||
		fail "record with --exp_ops_cpus $cpus exited '$(rc_of "cpus$cpus")'"
	[ -s "$TMP/out.d/cpus$cpus.data" ] || fail "no record came back for $cpus"
	note "--exp_ops_cpus $cpus"
	heat "$TMP/out.d/cpus$cpus.data" "$TMP/out.d/cpus$cpus.addr"
	expect_hot c2
	if [ "$cpus" = 2 ]; then expect_cold c3; else expect_hot c3; fi
	expect_cold idle
done

[ "$(rc_of plain)" = 1 ] || fail "plain record on 6.12 exited '$(rc_of plain)', expected 1"
msg=$(sed -n 's/^@@ERR plain //p' "$TMP/out")
grep -q 'DAMON' <<<"$msg" || fail "plain record's message does not mention DAMON: $msg"
echo "ok: plain -> $msg"
if grep '^@@EXISTS' "$TMP/out"; then
	fail "the refused plain record ran its command or wrote a record"
fi
echo "the CPU filter keeps CPU 2's writes only, 2-3 both; plain refused"
