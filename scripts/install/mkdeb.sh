#!/bin/sh
# Build a .deb of udamon from a staged install: mkdeb.sh ROOT VERSION OUT.deb
# ROOT holds the files under /usr (make install DESTDIR=ROOT PREFIX=/usr).
# Depends comes from dpkg-shlibdeps on the installed ELF files.
set -eu
root=$(realpath "$1") version=$2 out=$3
arch=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debian" "$root/DEBIAN"
printf 'Source: udamon\n\nPackage: udamon\nArchitecture: any\n' >"$work/debian/control"
elves=$(find "$root/usr" -type f \( -name udamon -o -name '*.so*' \) | sort)
deps=$(cd "$work" && dpkg-shlibdeps -O -e $elves 2>"$work/err" |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$deps" ] || { cat "$work/err" >&2; echo "mkdeb: no Depends found" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: udamon
Version: $version
Architecture: $arch
Maintainer: udamon developers <udamon@localhost>
Installed-Size: $size
Depends: $deps
Section: admin
Priority: optional
Description: user-space data access monitor speaking damo's command line
 udamon monitors which memory of a live process is written, how often and
 by which CPU or thread, with the semantics of Linux's DAMON, on unmodified
 kernels (userfaultfd asynchronous write-protection, Linux 6.7+). It reads
 and writes damo's record format and prints damo's reports; pictures of
 heatmaps and working set sizes are drawn with cairo. Includes libudamon
 (static and shared), its headers and pkg-config file.
CONTROL
(cd "$root" && find usr -type f -exec md5sum {} + | sort -k 2) >"$root/DEBIAN/md5sums"
dpkg-deb --root-owner-group --build "$root" "$out" >/dev/null
echo "built $out"
