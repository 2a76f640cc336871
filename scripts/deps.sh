#!/bin/sh
# Install the Debian packages udamon needs to build and test, if missing.
set -e
need=""
for pkg in gcc make libc6-dev libjson-c-dev zlib1g-dev libcmocka-dev libyajl-dev \
	   python3 pkg-config libcairo2-dev libxml2-utils dpkg-dev \
	   python3-prometheus-client clang libbpf-dev \
	   bpftool; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
		need="$need $pkg"
done
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "udamon: missing packages:$need; run as root or install them" >&2
	exit 1
fi
echo "udamon: installing$need"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $need >/dev/null ||
	{ apt-get update >/dev/null && apt-get install -y --no-install-recommends $need >/dev/null; }
