#!/bin/bash
# Run a shell script as the only job of a small Linux VM (qemu, TCG).
#
# usage: tests/vm/vm.sh KERNEL NCPUS SCRIPT [FILE...]
#
# KERNEL is 6.1 or 6.12 (Debian's stock cloud kernels) or the name of a
# linux-image-*-unsigned package. The guest is an initramfs with
# busybox, the FILEs (in /bin, by base name; shared libraries of dynamic
# programs come along) and SCRIPT as /job.sh, run by busybox sh with
# proc, sys, devtmpfs, tracefs and a tmpfs /tmp mounted, cwd /tmp.
#
# The job's stdout and stderr are printed here; the exit status is the
# job's. In the guest, `vm_out FILE` sends a file back over the serial
# console: it lands in $VM_OUTDIR (when set) under its base name;
# `vm_wait_file FILE [S]` waits for a file to fill; `vm_regions FILE`
# turns a workload's address file into udamon -r regions.
#
# Exit 77 with the reason as the last line when qemu, busybox or the
# kernel cannot be had; 125 when the VM did not finish the job (no
# boot, timeout, panic): then the console's tail is printed.
#
# Environment: VM_TIMEOUT (s, default 150), VM_MEM (default 512M),
# VM_CACHE (default /var/cache/udamon-vm), VM_OUTDIR, VM_CONSOLE (keep
# the whole console log in this file).
set -u

CACHE=${VM_CACHE:-/var/cache/udamon-vm}
TIMEOUT=${VM_TIMEOUT:-150}
MEM=${VM_MEM:-512M}
MARK=@@UDAMON-VM

skip() { echo "vm: $*"; exit 77; }
die() { echo "vm: $*" >&2; exit 125; }

[ $# -ge 3 ] || { echo "usage: $0 KERNEL NCPUS SCRIPT [FILE...]" >&2; exit 2; }
KVER=$1 NCPUS=$2 SCRIPT=$3
shift 3
[ -r "$SCRIPT" ] || { echo "vm: cannot read script '$SCRIPT'" >&2; exit 2; }
case $NCPUS in
''|*[!0-9]*) echo "vm: NCPUS '$NCPUS' is not a number" >&2; exit 2 ;;
esac

apt_install() {	# package: install it when this is root and apt works
	[ "$(id -u)" = 0 ] || return 1
	command -v apt-get >/dev/null || return 1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$1" >"$CACHE/apt-$1.log" 2>&1 && return 0
	apt-get update -q >/dev/null 2>&1 || return 1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$1" >"$CACHE/apt-$1.log" 2>&1
}

mkdir -p "$CACHE" 2>/dev/null || skip "cannot create cache directory $CACHE"
# one setup at a time: apt and the kernel cache are shared
exec 9>"$CACHE/.lock"
flock -w 600 9 || skip "cannot lock $CACHE/.lock"

QEMU=$(command -v qemu-system-x86_64)
if [ -z "$QEMU" ]; then
	apt_install qemu-system-x86 ||
		skip "no qemu-system-x86_64 and cannot install qemu-system-x86"
	QEMU=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 missing"
fi
BUSYBOX=/bin/busybox
if ! "$BUSYBOX" --list 2>/dev/null | grep -qx cpio ||
   file -L "$BUSYBOX" | grep -q dynamic; then
	apt_install busybox-static || skip "cannot install busybox-static"
fi
file -L "$BUSYBOX" | grep -q dynamic && skip "$BUSYBOX is not static"

kernel_package() {
	case $1 in
	6.1) echo linux-image-6.1.0-47-cloud-amd64-unsigned ;;
	6.12) echo linux-image-6.12.107+deb12-cloud-amd64-unsigned ;;
	linux-image-*) echo "$1" ;;
	*) return 1 ;;
	esac
}

# Newest package of the same series when the pinned one is gone.
kernel_fallback() {
	apt-cache search --names-only \
		"^linux-image-${1//./\\.}\\.[0-9+a-z.-]*-cloud-amd64-unsigned\$" 2>/dev/null |
		awk '{ print $1 }' | sort -V | tail -n 1
}

get_kernel() {	# package -> path of vmlinuz in the cache
	local pkg=$1 dir deb v
	dir=$CACHE/$pkg
	v=$(ls "$dir"/vmlinuz-* 2>/dev/null | head -n 1)
	[ -n "$v" ] && { echo "$v"; return 0; }
	mkdir -p "$dir/deb" || return 1
	(cd "$dir/deb" && apt-get download -q "$pkg") >"$dir/download.log" 2>&1 ||
		return 1
	deb=$(ls "$dir"/deb/*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || return 1
	# only /boot: the modules are not needed
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$dir" --wildcards './boot/*' || return 1
	mv "$dir"/boot/* "$dir"/ && rmdir "$dir/boot" && rm -rf "$dir/deb"
	v=$(ls "$dir"/vmlinuz-* 2>/dev/null | head -n 1)
	[ -n "$v" ] && echo "$v"
}

PKG=$(kernel_package "$KVER") ||
	{ echo "vm: unknown kernel '$KVER', expected 6.1, 6.12 or linux-image-..." >&2; exit 2; }
VMLINUZ=$(get_kernel "$PKG")
if [ -z "$VMLINUZ" ]; then
	alt=$(kernel_fallback "$KVER")
	[ -n "$alt" ] && [ "$alt" != "$PKG" ] && VMLINUZ=$(get_kernel "$alt")
fi
[ -n "$VMLINUZ" ] || skip "cannot get kernel $PKG (apt-get download failed; no mirror?)"
flock -u 9
exec 9>&-

WORK=$(mktemp -d /tmp/udamon-vm.XXXXXX)
QPID=
cleanup() {
	[ -n "$QPID" ] && kill -9 "$QPID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ROOTFS=$WORK/root
mkdir -p "$ROOTFS"/{bin,sbin,dev,proc,sys,tmp,etc,lib,lib64,usr/bin,usr/sbin}
cp "$BUSYBOX" "$ROOTFS/bin/busybox"

add_file() {	# path-on-host path-in-guest
	mkdir -p "$ROOTFS/$(dirname "$2")"
	cp -L "$1" "$ROOTFS/$2"
}

for f in "$@"; do
	[ -f "$f" ] || { echo "vm: no such file '$f'" >&2; exit 2; }
	add_file "$f" "/bin/$(basename "$f")"
	# dynamic programs bring their libraries and loader along
	if file -L "$f" | grep -q 'dynamically linked'; then
		ldd "$f" 2>/dev/null |
			grep -oE '/[^ ]+' | sort -u | while read -r lib; do
				[ -f "$ROOTFS/$lib" ] || add_file "$lib" "$lib"
			done
	fi
done
add_file "$SCRIPT" /job.sh

cat >"$ROOTFS/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
cd /tmp
echo "$MARK-BEGIN"
sh /job.sh </dev/null 2>&1
echo "$MARK-RC \$?"
poweroff -f
EOF
# vm_out FILE...: send files to the host, base64 between markers
cat >"$ROOTFS/bin/vm_out" <<EOF
#!/bin/sh
for f in "\$@"; do
	echo "$MARK-FILE \$(basename "\$f")"
	base64 "\$f"
	echo "$MARK-FILE-END"
done
EOF
# vm_wait_file FILE [SECONDS]: wait until FILE is not empty (default 10 s)
cat >"$ROOTFS/bin/vm_wait_file" <<'EOF'
#!/bin/sh
i=0
while [ ! -s "$1" ] && [ $i -lt $((${2:-10} * 10)) ]; do
	sleep 0.1
	i=$((i + 1))
done
EOF
# vm_regions ADDR_FILE: a workload's ranges as udamon -r regions, ascending
cat >"$ROOTFS/bin/vm_regions" <<'EOF'
#!/bin/sh
sort -k2 "$1" | while read -r n s e t; do printf '%d-%d ' $((s)) $((e)); done
EOF
chmod +x "$ROOTFS/init" "$ROOTFS/job.sh" "$ROOTFS/bin/vm_out" \
	"$ROOTFS/bin/vm_wait_file" "$ROOTFS/bin/vm_regions"

INITRD=$WORK/initrd.gz
(cd "$ROOTFS" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1) \
	>"$INITRD" || die "cannot build the initramfs"

CONSOLE=${VM_CONSOLE:-$WORK/console.log}
: >"$CONSOLE"
# TCG only; several host threads for several vCPUs
timeout -k 5 "$TIMEOUT" "$QEMU" -accel tcg,thread=multi -cpu max \
	-smp "$NCPUS" -m "$MEM" -nographic -no-reboot -monitor none \
	-serial "file:$CONSOLE" -nodefaults \
	-kernel "$VMLINUZ" -initrd "$INITRD" \
	-append "console=ttyS0 quiet loglevel=1 panic=-1 rdinit=/init" \
	</dev/null >"$WORK/qemu.out" 2>&1 &
QPID=$!
wait "$QPID"
qrc=$?
QPID=

tr -d '\r' <"$CONSOLE" >"$WORK/out"
rc=$(sed -n "s/^$MARK-RC \([0-9]*\)\$/\1/p" "$WORK/out" | tail -n 1)
# the job's output: what lies between the markers, less the files
awk -v m="$MARK" -v dir="${VM_OUTDIR:-}" '
	index($0, m "-BEGIN") { on = 1; next }
	index($0, m "-RC ") == 1 { on = 0; next }
	!on { next }
	index($0, m "-FILE ") == 1 {
		name = substr($0, length(m "-FILE ") + 1); infile = 1
		if (dir != "") { tmp = dir "/" name ".b64"; printf "" > tmp }
		next
	}
	$0 == m "-FILE-END" {
		if (dir != "") {
			close(tmp)
			system("base64 -d < \"" tmp "\" > \"" dir "/" name "\" && rm -f \"" tmp "\"")
		}
		infile = 0; next
	}
	infile { if (dir != "") print > tmp; next }
	{ print }
' "$WORK/out"

if [ -z "$rc" ]; then
	echo "vm: the guest did not finish its job (qemu exit $qrc," \
		"timeout ${TIMEOUT}s); console tail:" >&2
	tail -n 40 "$WORK/out" >&2
	cat "$WORK/qemu.out" >&2
	exit 125
fi
exit "$rc"
