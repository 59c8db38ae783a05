#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# image-btf.sh IMAGE OUT: copy the kernel's BTF (the .BTF section, what the running kernel
# serves as /sys/kernel/btf/vmlinux) out of a kernel image file into OUT, as raw BTF that
# `bpftool btf dump file OUT format c` reads. Used by `make vmlinux ARCH=arm64` on Debian's
# arm64 cloud kernel (a plain arm64 Image; a gzip'ed one is unpacked first), so the arm64
# vmlinux.h is made without an arm64 machine, a -dbg package or a boot.
#
# How: the Image holds .BTF verbatim. Its header is magic 0xeB9F (bytes 9f eb), version 1,
# flags 0, hdr_len 24, then type_off, type_len, str_off, str_len (u32, little-endian, as the
# kernel is); the section is hdr_len + str_off + str_len bytes (strings come last). The first
# such header in the image is taken; exactly one is expected, and bpftool must parse the
# result (else this fails rather than guess).
set -euo pipefail
img=${1-} out=${2-}
[[ -f $img && -n $out ]] || { echo "usage: image-btf.sh IMAGE OUT" >&2; exit 2; }
tmp=
trap '[[ -n $tmp ]] && rm -f -- "$tmp"' EXIT
if [[ $(od -An -N2 -tx1 "$img" | tr -d ' ') == 1f8b ]]; then
	tmp=$(mktemp /tmp/cw-image.XXXXXX)
	gzip -dc <"$img" >"$tmp"
	img=$tmp
fi
mapfile -t offs < <(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$img" | cut -d: -f1)
if [[ ${#offs[@]} -ne 1 ]]; then
	echo "image-btf: expected one BTF header in $1, found ${#offs[@]}" >&2
	exit 1
fi
off=${offs[0]}
read -r hdr_len type_off type_len str_off str_len < <(od -An -v -w20 -tu4 -j $((off + 4)) -N 20 "$img")
size=$((hdr_len + str_off + str_len))
if ((type_off != 0 || str_off < type_len || size > $(stat -c %s "$img") - off)); then
	echo "image-btf: implausible BTF header at $off in $1" >&2
	exit 1
fi
dd if="$img" of="$out.tmp" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$size" status=none
bpftool btf dump file "$out.tmp" >/dev/null || { rm -f "$out.tmp"; echo "image-btf: bpftool rejects the BTF at $off" >&2; exit 1; }
mv -f "$out.tmp" "$out"
echo "image-btf: $size bytes of BTF at offset $off of $1 ($type_len of types, $str_len of strings)" >&2
