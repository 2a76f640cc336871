# Shared helpers of the integration tests (sourced).
set -u
ROOT=${UDAMON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
UDAMON=${UDAMON:-$ROOT/build/udamon}
WL=${WL:-$ROOT/build/bin}
TMP=$(mktemp -d /tmp/udamon-it.XXXXXX)
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
note() { echo "# $*"; }

need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
need_setarch() {
	command -v setarch >/dev/null || skip "needs setarch (util-linux)"
}

# The write-only options most tests record with.
WO=(--exp_ops_use_reports y --exp_ops_write_only y)
# Writers pinned to CPU 0 and CPU 1, idle ranges between and after them.
CPU_SPEC="c0:write:2M:cpu=0 gap:idle:8M c1:write:2M:cpu=1 pad:idle:8M"

# Write monitoring needs userfaultfd WP_ASYNC and PAGEMAP_SCAN (Linux 6.7+).
need_write_monitoring() {
	need_root
	local major minor
	IFS=. read -r major minor _ <<<"$(uname -r)"
	if [ "$major" -lt 6 ] || { [ "$major" = 6 ] && [ "${minor%%[!0-9]*}" -lt 7 ]; }; then
		skip "kernel $(uname -r) has no async write-protect (Linux 6.7+)"
	fi
}

# CPUs 0 and 1 online (threads pinned to each).
need_cpus_0_1() {
	grep -qE '^0-([1-9]|[1-9][0-9]+)|^0,1' /sys/devices/system/cpu/online ||
		skip "needs CPUs 0 and 1 online (online: $(cat /sys/devices/system/cpu/online))"
}

# make_cgroup PREFIX: a cgroup v2 of the test's own, PREFIX-PID under the
# v2 mount $V2: $NAME (for --target_cgroup) and $CG (its path). Skips
# without cgroup v2. At exit its processes (PIDS) are killed and it is
# removed.
make_cgroup() {
	V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$V2" ] || skip "no cgroup v2 file system is mounted"
	NAME=$1-$$
	CG=$V2/$NAME
	mkdir "$CG" || skip "cannot create a cgroup under $V2"
	trap end_cgroup EXIT
}

end_cgroup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rmdir "$CG" 2>/dev/null || rmdir "$CG"
	cleanup
}

# Wait until file $1 has $2 lines (the workload's address file).
wait_lines() {
	local i
	for i in $(seq 1 200); do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	fail "timeout waiting for $1"
}

# rate NAME: access rate of range NAME from the last rangeheat output.
rate() { awk -v n="$1" '$1 == n { print $2 }' "$TMP/heat"; }

heat() {	# record addr-file
	python3 "$ROOT/tests/integration/rangeheat.py" "$1" "$2" >"$TMP/heat" ||
		fail "cannot read record $1"
	cat "$TMP/heat"
}

expect_hot() {	# name [min]
	local r; r=$(rate "$1")
	[ -n "$r" ] || fail "no range $1"
	awk -v r="$r" -v m="${2:-0.3}" 'BEGIN { exit !(r >= m) }' ||
		fail "range $1 should be hot (>= ${2:-0.3}) but its rate is $r"
}

expect_cold() {	# name [max]
	local r; r=$(rate "$1")
	[ -n "$r" ] || fail "no range $1"
	awk -v r="$r" -v m="${2:-0.05}" 'BEGIN { exit !(r <= m) }' ||
		fail "range $1 should be cold (<= ${2:-0.05}) but its rate is $r"
}

# The process holds no write-protect registration (no "uw" VmFlags).
expect_no_uffd_wp() {
	if grep -E '^VmFlags:.* uw( |$)' "/proc/$1/smaps" >/dev/null 2>&1; then
		fail "process $1 still has userfaultfd-wp registrations"
	fi
}

# wait_monitor_sparing MON OUTSIDER ERRFILE WHAT: wait for the monitor
# process MON while checking that the process OUTSIDER (which it must not
# monitor) never holds a registration; MON must succeed.
wait_monitor_sparing() {
	while kill -0 "$1" 2>/dev/null; do
		expect_no_uffd_wp "$2"
		sleep 0.2
	done
	wait "$1" || { cat "$3"; fail "$4 failed"; }
	cat "$3"
}

# Run a command that must fail; its stderr must contain the text.
expect_error() {	# text cmd...
	local text=$1; shift
	local out rc
	out=$("$@" 2>&1 >/dev/null); rc=$?
	[ $rc -ne 0 ] || fail "'$*' should fail but exited 0"
	grep -qF -- "$text" <<<"$out" ||
		fail "'$*' said '$out', expected it to contain '$text'"
	echo "ok: $* -> $out"
}

# regions_of ADDR_FILE: its ranges as a --regions argument, sorted.
regions_of() { sort -k2 "$1" | awk '{ printf "%s-%s ", $2, $3 }'; }

# expect_hot_rel NAME: hot relative to the highest rate of the last heat
# (>= 0.3 of it, and the highest itself >= 0.1: something was measured).
expect_hot_rel() {
	local r max
	r=$(rate "$1")
	[ -n "$r" ] || fail "no range $1"
	max=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$TMP/heat")
	awk -v r="$r" -v m="$max" 'BEGIN { exit !(m >= 0.1 && r >= 0.3 * m) }' ||
		fail "range $1 should be hot (>= 0.3 x $max, the highest rate, itself >= 0.1) but its rate is $r"
}

# probed_record NAME SECONDS "SPEC" "PREFIX" [udamon options...]: record
# wl_ranges running SPEC for SECONDS, monitoring exactly its ranges, with
# "PREFIX setarch -R udamon record ..." (PREFIX: words, may be empty). The
# addresses come from a short probe run: without address space
# randomization the workload maps the same addresses every time. Prints
# and leaves the heat of the record; $TMP/NAME.{addr,data,out,err} stay.
probed_record() {
	local name=$1 secs=$2 spec=$3 prefix=$4; shift 4
	# (only its addresses matter: its exit status is not checked)
	setarch -R "$WL/wl_ranges" --seconds 0.01 --addr-file "$TMP/$name.probe" \
		$spec >/dev/null 2>&1
	[ -s "$TMP/$name.probe" ] || fail "$name: probe run of the workload failed"
	$prefix setarch -R "$UDAMON" record -q "$@" \
		-r "$(regions_of "$TMP/$name.probe")" -o "$TMP/$name.data" \
		"$WL/wl_ranges --seconds $secs --addr-file $TMP/$name.addr $spec" \
		>"$TMP/$name.out" 2>"$TMP/$name.err" ||
		{ cat "$TMP/$name.err"; fail "$name: record failed"; }
	grep -q "exited with status 0" "$TMP/$name.err" ||
		{ cat "$TMP/$name.err"; fail "$name: the workload's data check failed"; }
	diff <(cut -d' ' -f1-3 "$TMP/$name.probe") \
		<(cut -d' ' -f1-3 "$TMP/$name.addr") >/dev/null ||
		skip "addresses differ between runs even with setarch -R"
	note "$name ($*):"
	grep -v "exited with status 0" "$TMP/$name.err"	# warnings, if any
	heat "$TMP/$name.data" "$TMP/$name.addr"
}

# The process has exited (a zombie counts: reaping it is its parent's job,
# and a container's pid 1 may be slow at it).
exited() {
	! kill -0 "$1" 2>/dev/null ||
		grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# expect_hotter HOT COLD: HOT was measured (>= 0.03: a writer pinned to one
# CPU of a heavily loaded 2-CPU machine may get a tenth of it) and is well
# above COLD (>= 4 x COLD + 0.01), in the last heat.
expect_hotter() {
	local h c; h=$(rate "$1"); c=$(rate "$2")
	[ -n "$h" ] && [ -n "$c" ] || fail "no range $1 or $2"
	awk -v h="$h" -v c="$c" 'BEGIN { exit !(h >= 0.03 && h >= 4 * c + 0.01) }' ||
		fail "range $1 ($h) should be hot against range $2 ($c)"
}

# expect_hot_over HOT COLD: range HOT (written all the time) is hot against
# range COLD, however busy the machine: a writer starved of CPU is seen in
# fewer samples, so no fixed rate holds, but it is never 0. Its rate must
# be at least 0.02 and 3 times COLD's (a monitor that sees nothing, or sees
# everything, fails).
expect_hot_over() {
	local h c
	h=$(rate "$1"); c=$(rate "$2")
	[ -n "$h" ] && [ -n "$c" ] || fail "no range $1 or $2"
	awk -v h="$h" -v c="$c" 'BEGIN { exit !(h >= 0.02 && h >= 3 * c) }' ||
		fail "range $1 should be hot against $2 (>= 0.02 and >= 3 x $c) but its rate is $h"
}

# vm_job KVER CPUS TIMEOUT FILE...: run $TMP/job.sh in a VM (tests/vm/vm.sh)
# on Linux KVER with CPUS CPUs and FILE... copied in. Its output goes to
# $TMP/out (and is shown), the files it hands back with vm_out to $OUT
# ($TMP/out.d). Skips when no VM can run; fails when the run fails or the
# guest (whose job prints "@@KERNEL $(uname -r)") runs another kernel.
# need_vm_job WORKLOAD: what a VM test needs built here.
need_vm_job() {
	[ -x "$UDAMON" ] || skip "no udamon binary at $UDAMON (build it first)"
	[ -x "$WL/$1" ] || skip "no workload at $WL/$1 (build it first)"
	command -v python3 >/dev/null || skip "no python3 to read the records"
}

vm_job() {
	local kver=$1 cpus=$2 timeout=$3 t0=$SECONDS rc
	shift 3
	OUT=$TMP/out.d
	mkdir -p "$OUT"
	VM_OUTDIR=$OUT VM_TIMEOUT=$timeout "$ROOT/tests/vm/vm.sh" "$kver" \
		"$cpus" "$TMP/job.sh" "$@" >"$TMP/out" 2>&1
	rc=$?
	cat "$TMP/out"
	[ $rc -eq 77 ] && skip "$(tail -n 1 "$TMP/out")"
	[ $rc -eq 0 ] || fail "the VM run failed (exit $rc)"
	note "VM run took $((SECONDS - t0)) s"
	grep -q "^@@KERNEL ${kver//./\\.}\\." "$TMP/out" ||
		fail "the guest did not run Linux $kver"
}

# rc_of TAG: the exit status the VM job printed as "@@RC TAG status".
rc_of() { awk -v t="$1" '$1 == "@@RC" && $2 == t { print $3 }' "$TMP/out"; }
