#!/bin/bash
# make install (PREFIX, DESTDIR, LIBDIR) puts the binary, man page, bash
# completion, libudamon (static, shared, pkg-config) and its headers where
# they belong, and a program builds against them; make uninstall removes
# them; make deb builds a package that dpkg-deb reads, whose files unpack
# (dpkg -x, nothing installed on this machine) into a udamon that runs.
. "$(dirname "$0")/lib.sh"
command -v dpkg-deb >/dev/null || skip "no dpkg-deb"
# a make of its own, whatever make runs the tests (make check)
MK=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" --no-print-directory -j2)
VERSION=$(sed -n 's/^#define UDAMON_VERSION "\(.*\)"/\1/p' "$ROOT/cli/main.c")
[ -n "$VERSION" ] || fail "no UDAMON_VERSION in cli/main.c"

note "make install DESTDIR=... PREFIX=/opt/udamon"
D=$TMP/inst P=/opt/udamon
"${MK[@]}" install DESTDIR="$D" PREFIX=$P >"$TMP/install.log" 2>&1 ||
	{ tail -20 "$TMP/install.log"; fail "make install failed"; }
want="bin/udamon share/man/man1/udamon.1.gz
share/bash-completion/completions/udamon lib/libudamon.a
lib/libudamon.so.$VERSION lib/libudamon.so.0 lib/libudamon.so
lib/pkgconfig/udamon.pc include/udamon/udamon.h include/udamon/ops.h
include/udamon/record.h include/udamon/report.h include/udamon/textfmt.h"
for f in $want; do
	[ -e "$D$P/$f" ] || fail "make install did not install $P/$f"
done
[ -x "$D$P/bin/udamon" ] || fail "udamon is not executable"
"$D$P/bin/udamon" --version | grep -qxF "udamon $VERSION" ||
	fail "installed udamon --version: $("$D$P/bin/udamon" --version)"
zcat "$D$P/share/man/man1/udamon.1.gz" | grep -q '^\.TH UDAMON 1' ||
	fail "the man page is not udamon(1)"
bash -n "$D$P/share/bash-completion/completions/udamon" ||
	fail "the bash completion does not parse"
[ "$(readlink "$D$P/lib/libudamon.so")" = libudamon.so.0 ] ||
	fail "libudamon.so does not point at the soname"
objdump -p "$D$P/lib/libudamon.so.$VERSION" | grep -q 'SONAME *libudamon.so.0' ||
	fail "libudamon.so.$VERSION has no soname libudamon.so.0"

note "a program builds with pkg-config against the installed library"
cat >"$TMP/use.c" <<'C'
#include <stdio.h>
#include <udamon/record.h>
#include <udamon/textfmt.h>
int main(void)
{
	char buf[64], err[128];
	uint64_t v;

	if (udamon_parse_size("4KB", &v, err, sizeof(err)))
		return 1;
	printf("%s\n", udamon_fmt_size(3 * v, buf, sizeof(buf)));
	return 0;
}
C
export PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_PATH=$D$P/lib/pkgconfig
pkg-config --modversion udamon | grep -qxF "$VERSION" || fail "pkg-config version"
# shellcheck disable=SC2046
gcc "$TMP/use.c" $(pkg-config --cflags --libs udamon) -o "$TMP/use_shared" ||
	fail "cannot build against the shared library"
[ "$(LD_LIBRARY_PATH=$D$P/lib "$TMP/use_shared")" = "12.000 KiB" ] ||
	fail "the program linked to libudamon.so gave a wrong answer"
# shellcheck disable=SC2046
gcc "$TMP/use.c" $(pkg-config --cflags udamon) "$D$P/lib/libudamon.a" \
	$(pkg-config --libs --static udamon | sed 's/-ludamon//') -o "$TMP/use_static" ||
	fail "cannot build against the static library"
[ "$("$TMP/use_static")" = "12.000 KiB" ] || fail "static program: wrong answer"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH

note "make uninstall removes it all"
"${MK[@]}" uninstall DESTDIR="$D" PREFIX=$P >/dev/null || fail "make uninstall failed"
left=$(find "$D" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"

note "make deb"
"${MK[@]}" deb >"$TMP/deb.log" 2>&1 || { tail -20 "$TMP/deb.log"; fail "make deb failed"; }
deb=$ROOT/build/udamon_${VERSION}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || fail "no $deb"
dpkg-deb --info "$deb" >"$TMP/info" || fail "dpkg-deb cannot read $deb"
for field in "Package: udamon" "Version: $VERSION" \
	"Architecture: $(dpkg --print-architecture)"; do
	grep -qF " $field" "$TMP/info" || fail "no '$field' in the control file"
done
for dep in libc6 libcairo2 libjson-c5 libyajl2 zlib1g; do
	dpkg-deb --field "$deb" Depends | grep -q "$dep" ||
		fail "Depends lacks $dep: $(dpkg-deb --field "$deb" Depends)"
done
dpkg-deb --contents "$deb" >"$TMP/contents"
ma=$(gcc -dumpmachine)
for f in ./usr/bin/udamon ./usr/share/man/man1/udamon.1.gz \
	./usr/share/bash-completion/completions/udamon \
	"./usr/lib/$ma/libudamon.a" "./usr/lib/$ma/libudamon.so.$VERSION" \
	"./usr/lib/$ma/pkgconfig/udamon.pc" ./usr/include/udamon/udamon.h; do
	grep -qF " $f" "$TMP/contents" || fail "$f is not in the package"
done
grep -E '^-' "$TMP/contents" | grep -v ' root/root ' && fail "files not owned by root"
dpkg-deb -x "$deb" "$TMP/x" || fail "dpkg -x failed"
(cd "$TMP/x" && md5sum -c --quiet <(dpkg-deb -I "$deb" md5sums)) ||
	fail "the package's md5sums do not match its files"
"$TMP/x/usr/bin/udamon" --version | grep -qxF "udamon $VERSION" ||
	fail "the packaged udamon --version: $("$TMP/x/usr/bin/udamon" --version 2>&1)"
"$TMP/x/usr/bin/udamon" report wss -i "$ROOT/tests/data/synthetic.data" |
	grep -q '^# avr:' || fail "the packaged udamon cannot report"
echo "install, uninstall and the package as expected"
