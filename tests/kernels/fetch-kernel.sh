#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh [PACKAGE]: print the path of a cached vmlinuz for Debian's 6.1 cloud
# kernel (default: the linux-image-6.1.0-<N>-cloud-<arch> that linux-image-cloud-<arch>
# depends on in the local apt lists), downloading it once if it is not cached yet.
# CW_ARCH=amd64 (default) or arm64 (Debian's architecture names; arm64 needs
# `dpkg --add-architecture arm64`, which `make deps-arm64` does). On arm64 the vmlinuz is
# a gzip'ed Image, which qemu-system-aarch64 -kernel boots as it is.
#
# Cache: $CW_KERNEL_CACHE, default /var/cache/credwatch/kernels. It lives outside the
# repository on purpose: it survives `make clean` and fresh clones on this machine, so only
# the very first run downloads (~70 MB .deb from Debian's mirror, the only network this
# machine reaches). Layout: <cache>/<release>/vmlinuz, e.g.
# /var/cache/credwatch/kernels/6.1.0-56-cloud-amd64/vmlinuz. Only the vmlinuz is kept: the
# cloud kernel's modules are not used (everything the VM needs is built in or in the
# initramfs), so the .deb and its extracted tree are deleted.
#
# Network use: `apt-cache` reads the local lists; `apt-get update` runs only when they name
# no candidate and nothing is cached; `apt-get download` only on a cache miss.
set -euo pipefail

CACHE=${CW_KERNEL_CACHE:-/var/cache/credwatch/kernels}
arch=${CW_ARCH:-amd64}
pkg=${1-}
case $arch in
amd64 | arm64) ;;
*) echo "fetch-kernel: CW_ARCH must be amd64 or arm64, not '$arch'" >&2; exit 2 ;;
esac

log() { echo "fetch-kernel: $*" >&2; }

candidate() {
	# a foreign architecture's names come with ":arm64" appended
	apt-cache depends "linux-image-cloud-$arch:$arch" 2>/dev/null |
		awk -v a="$arch" '$1 == "Depends:" { sub(":" a "$", "", $2) }
			$1 == "Depends:" && $2 ~ "^linux-image-6\\.1\\.0-[0-9]+-cloud-" a "$" { print $2; exit }'
}

newest_cached() {
	local d
	for d in "$CACHE"/6.1.0-*-cloud-"$arch"; do
		[[ -s $d/vmlinuz ]] && echo "${d##*/}"
	done | sort -t- -k3,3n | tail -1
}

if [[ -z $pkg ]]; then
	pkg=$(candidate || true)
	if [[ -z $pkg ]]; then
		rel=$(newest_cached)
		if [[ -n $rel ]]; then
			# no apt lists (or no candidate in them): the cache is enough, no network
			echo "$CACHE/$rel/vmlinuz"
			exit 0
		fi
		log "apt lists name no linux-image-6.1.0-*-cloud-$arch: running apt-get update"
		apt-get update -qq >&2
		pkg=$(candidate)
		[[ -n $pkg ]] || { log "no linux-image-6.1.0-*-cloud-$arch in the apt lists"; exit 1; }
	fi
fi
[[ $pkg =~ ^linux-image-(6\.1\.0-[0-9]+-cloud-$arch)$ ]] || { log "bad package name '$pkg'"; exit 1; }
rel=${BASH_REMATCH[1]}
out=$CACHE/$rel/vmlinuz
if [[ -s $out ]]; then
	echo "$out"
	exit 0
fi

tmp=$(mktemp -d /tmp/cw-kernel.XXXXXX)
trap 'rm -rf -- "$tmp"' EXIT
chmod 0755 "$tmp"
id _apt >/dev/null 2>&1 && chown _apt "$tmp"	# apt-get download runs as _apt when it can
log "downloading $pkg (once; cached in $CACHE)"
(cd "$tmp" && apt-get download -qq "$pkg:$arch" >&2)
deb=$(echo "$tmp"/"$pkg"_*.deb)
[[ -f $deb ]] || { log "apt-get download left no .deb"; exit 1; }
dpkg-deb -x "$deb" "$tmp/x"
[[ -s $tmp/x/boot/vmlinuz-$rel ]] || { log "no boot/vmlinuz-$rel in $deb"; exit 1; }
mkdir -p "$CACHE/$rel"
cp "$tmp/x/boot/vmlinuz-$rel" "$out.tmp"
[[ -f $tmp/x/boot/config-$rel ]] && cp "$tmp/x/boot/config-$rel" "$CACHE/$rel/config"
mv -f "$out.tmp" "$out"
echo "$out"
