#!/bin/bash
# On Debian's stock Linux 6.12 (in a VM): a process whose seccomp filter
# fails userfaultfd() with EPERM is monitored through /dev/userfaultfd,
# which the guest's devtmpfs provides; its written range comes out hot,
# its idle range cold, it keeps no descriptor of udamon's and its data
# check passes. About 25 s.
. "$(dirname "$0")/lib.sh"
need_vm_job wl_seccomp

cat >"$TMP/job.sh" <<'EOF'
echo "@@KERNEL $(uname -r)"
echo "@@DEV $(cat /sys/class/misc/userfaultfd/dev) $(ls /dev/userfaultfd)"
wl_seccomp userfaultfd=errno -- wl_ranges --seconds 9 \
	--addr-file /tmp/sc.addr idle:idle:4M hot:write:2M &
p=$!
vm_wait_file /tmp/sc.addr
regions=$(vm_regions /tmp/sc.addr)
echo "@@SECCOMP $(grep '^Seccomp:' /proc/$p/status | tr -d '\t ')"
echo "@@FDS before $(ls /proc/$p/fd | sort -n | tr '\n' ' ')"
udamon record -q --exp_ops_use_reports y --exp_ops_write_only y \
	-r "$regions" -s 10ms -a 100ms -n 3 -m 60 --timeout 4 -o /tmp/sc.data $p
echo "@@RC record $?"
echo "@@FDS after $(ls /proc/$p/fd | sort -n | tr '\n' ' ')"
wait $p
echo "@@RC wl $?"
vm_out /tmp/sc.addr /tmp/sc.data
EOF

vm_job 6.12 2 120 "$UDAMON" "$WL/wl_ranges" "$WL/wl_seccomp"
grep -q '^@@DEV [0-9]*:[0-9]* /dev/userfaultfd$' "$TMP/out" ||
	fail "the guest has no /dev/userfaultfd"
grep -q '^@@SECCOMP Seccomp:2$' "$TMP/out" || fail "the workload ran without its filter"

[ "$(rc_of record)" = 0 ] || fail "record exited '$(rc_of record)'"
[ "$(rc_of wl)" = 0 ] || fail "the workload's data check failed (exit '$(rc_of wl)')"
before=$(sed -n 's/^@@FDS before //p' "$TMP/out")
after=$(sed -n 's/^@@FDS after //p' "$TMP/out")
[ -n "$before" ] && [ "$before" = "$after" ] ||
	fail "the target's descriptors changed: '$before' -> '$after'"
heat "$OUT/sc.data" "$OUT/sc.addr"
expect_hot_rel hot; expect_cold idle
echo "monitored through /dev/userfaultfd on $(sed -n 's/^@@KERNEL //p' "$TMP/out")"
