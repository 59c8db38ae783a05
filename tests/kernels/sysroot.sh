#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sysroot.sh ARCH DIR: a foreign-architecture userland for the kernel-matrix VM (arm64 on
# this x86-64 machine), made of Debian's own packages for ARCH, unpacked into DIR. It is
# the counterpart of "this machine's own /" that mkinitramfs.sh packs for the amd64 VM:
# mkinitramfs.sh base, with CW_SYSROOT=DIR, takes the same commands and files from here.
#
# How: apt itself resolves the package closure, as on a fresh ARCH machine (APT::Architecture
# set to ARCH and an empty dpkg status, so nothing on this machine is touched or assumed
# installed), downloads the .debs (Debian's mirror; the local apt lists must know ARCH:
# `make deps-arm64` adds it), and dpkg-deb -x unpacks them. No maintainer script runs and
# nothing is installed; /bin, /sbin and /lib are then merged into /usr as on a Debian 12
# system. DIR/var/lib/cw-sysroot/<package>.list gets each package's file list (what
# `dpkg -L` gives for the host). Writes DIR.tmp and renames it, so a DIR that exists is
# complete. About 52 MB of .debs for arm64.
set -euo pipefail
arch=${1-} dir=${2-}
[[ -n $arch && -n $dir ]] || { echo "usage: sysroot.sh ARCH DIR" >&2; exit 2; }

# What the VM runs (mkinitramfs.sh base picks from these), plus the agent's and the test
# programs' shared libraries.
PKGS=(bash dash coreutils grep sed mawk findutils gzip mount util-linux procps iproute2 curl
      jq libc-bin python3.11 python3-jsonschema python3-botocore python3-requests
      python3-openssl python3-awscrt busybox-static
      libbpf1 libelf1 libjansson4 liburing2 zlib1g)

log() { echo "sysroot: $*" >&2; }
tmp=$(mktemp -d /tmp/cw-sysroot.XXXXXX)
trap 'rm -rf -- "$tmp" "$dir.tmp"' EXIT
chmod 0755 "$tmp"
mkdir -p "$tmp/archives/partial"
: >"$tmp/status"
id _apt >/dev/null 2>&1 && chown -R _apt "$tmp/archives"	# apt downloads as _apt when it can
apt_opts=(-q -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
	  -o "Dir::State::status=$tmp/status" -o "Dir::Cache=$tmp" -o "Dir::Cache::archives=$tmp/archives"
	  -o Debug::NoLocking=1 -o APT::Install-Recommends=0 -o APT::Get::AllowUnauthenticated=0)
if ! apt-get "${apt_opts[@]}" --print-uris -y install "${PKGS[@]}" >"$tmp/uris" 2>"$tmp/err"; then
	log "apt cannot resolve the $arch packages (is the architecture added? make deps-$arch):"
	sed 's/^/  /' "$tmp/err" >&2
	exit 1
fi
n=$(grep -c "^'" "$tmp/uris" || true)
mb=$(awk "/^'/ { s += \$3 } END { printf \"%.0f\", s / 1e6 }" "$tmp/uris")
log "downloading $n Debian $arch packages, $mb MB (once)"
start=$SECONDS
apt-get "${apt_opts[@]}" -qq --download-only -y install "${PKGS[@]}" >&2
log "downloaded in $((SECONDS - start)) s; unpacking"
rm -rf -- "$dir.tmp"
mkdir -p "$dir.tmp/var/lib/cw-sysroot"
for deb in "$tmp"/archives/*.deb; do
	name=$(dpkg-deb -f "$deb" Package)
	dpkg-deb -x "$deb" "$dir.tmp"
	dpkg-deb -c "$deb" | awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); sub(/ -> .*/, ""); sub(/^\./, ""); print }' |
		sed 's|/$||' | grep -v '^$' >"$dir.tmp/var/lib/cw-sysroot/$name.list"
done
# merged /usr, as on an installed Debian 12 (the packages still ship some files in /bin, /lib)
for d in bin sbin lib lib64; do
	if [[ -d $dir.tmp/$d && ! -L $dir.tmp/$d ]]; then
		mkdir -p "$dir.tmp/usr/$d"
		cp -a "$dir.tmp/$d/." "$dir.tmp/usr/$d/"
		rm -rf -- "${dir:?}.tmp/$d"
	fi
	[[ -d $dir.tmp/usr/$d ]] && ln -sfn "usr/$d" "$dir.tmp/$d"
done
sed -i 's|^/bin/|/usr/bin/|; s|^/sbin/|/usr/sbin/|; s|^/lib/|/usr/lib/|' "$dir.tmp"/var/lib/cw-sysroot/*.list
# what maintainer scripts would have made and the VM needs: the awk alternative (mawk's
# postinst) and the CA bundle certifi points at (update-ca-certificates: the concatenation)
[[ -e $dir.tmp/usr/bin/awk ]] || ln -s mawk "$dir.tmp/usr/bin/awk"
mkdir -p "$dir.tmp/etc/ssl/certs"
cat "$dir.tmp"/usr/share/ca-certificates/mozilla/*.crt >"$dir.tmp/etc/ssl/certs/ca-certificates.crt"
# byte-compile Python as the packages' postinst would (py3compile), with this machine's
# python3.11: the .pyc format depends on the Python version only, and without them every
# python3 start in the emulated VM compiles what it imports
if command -v python3.11 >/dev/null; then
	python3.11 -m compileall -q -j 0 -s "$dir.tmp" -p / "$dir.tmp/usr/lib/python3.11" \
		"$dir.tmp/usr/lib/python3/dist-packages" >/dev/null 2>&1 || log "compileall: some files not compiled"
fi
rm -rf -- "$dir"
mv "$dir.tmp" "$dir"
log "$dir: $(du -sm "$dir" | cut -f1) MB unpacked in $((SECONDS - start)) s"
