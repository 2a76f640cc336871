#!/bin/bash
# Targets under seccomp filters (tests/workloads/wl_seccomp.c runs
# wl_ranges under one). userfaultfd() failed with EPERM, as container
# runtimes do: monitored through /dev/userfaultfd, the written range comes
# out hot, the target keeps no descriptor of udamon's and its data check
# passes. A filter that kills or traps on userfaultfd(), or fails it and
# kills on ioctl(): refused with the syscall and action named, the target
# never touched (it runs on and its data check passes). About 15 s.
. "$(dirname "$0")/lib.sh"
need_write_monitoring
SPEC="idle:idle:4M hot:write:2M"

[ -e /dev/userfaultfd ] || skip "no /dev/userfaultfd (mknod /dev/userfaultfd c 10 \$(cut -d: -f2 /sys/class/misc/userfaultfd/dev))"

fds() { ls "/proc/$1/fd" | sort -n | tr '\n' ' '; }

note "userfaultfd() fails with EPERM: monitored through /dev/userfaultfd"
"$WL/wl_seccomp" userfaultfd=errno -- "$WL/wl_ranges" --seconds 7 \
	--addr-file "$TMP/ok.addr" $SPEC &
wl=$!; PIDS+=("$wl")
wait_lines "$TMP/ok.addr" 2
grep -q '^Seccomp:[[:space:]]*2' "/proc/$wl/status" || fail "the workload runs without a seccomp filter"
before=$(fds "$wl")
"$UDAMON" record -q "${WO[@]}" --timeout 4 -o "$TMP/ok.data" "$wl" \
	2>"$TMP/ok.err" || { cat "$TMP/ok.err"; fail "record of a target whose filter fails userfaultfd() failed"; }
cat "$TMP/ok.err"
after=$(fds "$wl")
[ "$before" = "$after" ] || fail "the target's descriptors changed: '$before' -> '$after'"
heat "$TMP/ok.data" "$TMP/ok.addr"
expect_hot hot; expect_cold idle
expect_no_uffd_wp "$wl"
wait "$wl" || fail "the workload's data check failed after monitoring"

# refused RULES TEXT...: udamon fails saying each TEXT; the target lives on.
refused() {
	local rules=$1; shift
	local t
	"$WL/wl_seccomp" $rules -- "$WL/wl_ranges" --seconds 4 \
		--addr-file "$TMP/r.addr" hot:write:1M &
	wl=$!; PIDS+=("$wl")
	wait_lines "$TMP/r.addr" 1
	"$UDAMON" record -q "${WO[@]}" --timeout 2 -o "$TMP/r.data" "$wl" \
		>/dev/null 2>"$TMP/r.err" &&
		fail "[$rules] record of pid $wl should be refused but exited 0"
	for t in "$@"; do
		grep -qF -- "$t" "$TMP/r.err" ||
			fail "[$rules] udamon said '$(cat "$TMP/r.err")', expected '$t'"
	done
	echo "ok: [$rules] -> $(cat "$TMP/r.err")"
	kill -0 "$wl" 2>/dev/null || fail "[$rules] the target died"
	wait "$wl" || fail "[$rules] the target did not end cleanly (status $?)"
	rm -f "$TMP/r.addr"
}

note "filters udamon must not trigger: refused, the target untouched"
refused "userfaultfd=kill" \
	"answer userfaultfd() with SECCOMP_RET_KILL_PROCESS" "udamon made no call"
refused "userfaultfd=trap" "answer userfaultfd() with SECCOMP_RET_TRAP"
refused "userfaultfd=errno ioctl=kill" \
	"answer userfaultfd() with SECCOMP_RET_ERRNO" \
	"answer ioctl() with SECCOMP_RET_KILL_PROCESS" "udamon made no call"
refused "userfaultfd=errno recvmsg=kill-thread" \
	"answer recvmsg() with SECCOMP_RET_KILL_THREAD"
echo "seccomp filters handled as expected"
