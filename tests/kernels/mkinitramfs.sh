#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh base OUT      the userland part of the test VM's initramfs
# mkinitramfs.sh project OUT   the project part: agent, test programs, tests, /init
#
# Each OUT is a gzip'ed cpio (-H newc); the kernel unpacks concatenated archives in order, so
# the initramfs is `cat base project`. run.sh caches the base (it depends only on this
# script and the installed Debian packages, and takes a while to build because every process
# start is slow on this machine) and rebuilds the project part on every run.
#
# base: this machine's own userland at the same paths (merged /usr: /bin, /sbin, /lib and
# /lib64 are the host's symlinks), with every shared library ldd names and the dynamic
# loader: bash, dash as /bin/sh, all of coreutils, grep, sed, awk, find, util-linux (mount,
# nsenter, unshare, setpriv, ...), procps, iproute2, curl, jq, the C.UTF-8 locale, busybox
# (static: poweroff and any other command, linked at boot by /init), and python3 with its
# stdlib minus tests, build files and docs, plus jsonschema and what it imports (the tests
# and validate_events.py use python). OUT.list gets the archived paths.
#
# project: build/credwatch, build/tests/* and tests/{integration,lib,schema} under
# /credwatch, tests/kernels/init.sh as /init, a minimal /etc, and any library the agent or
# the test programs need that the base (OUT_BASE.list, from $CW_BASE_LIST) lacks. Run from
# the repository root, after building.
#
# No kernel modules are included: nothing the tests use needs one (no disks, no network
# devices; the tests use lo in their own network namespaces).
#
# Another architecture (the arm64 VM): CW_SYSROOT=DIR, a tree of that architecture's Debian
# packages made by sysroot.sh, stands in for this machine's / (same paths, same selection;
# libraries are found from the ELF files' DT_NEEDED and interpreter with readelf instead of
# ldd, which cannot run foreign binaries), CW_ARCH=arm64 names it, and in project mode
# CW_BUILD=build/arm64 is where the agent and test programs are taken from (they go to the
# same /credwatch/build paths in the VM).
set -euo pipefail

mode=${1-}
out=${2-}
[[ ($mode == base || $mode == project) && -n $out ]] || {
	echo "usage: mkinitramfs.sh base|project OUT" >&2
	exit 2
}
SYSPATH=/usr/sbin:/usr/bin:/sbin:/bin
R=${CW_SYSROOT:-}	# "" = this machine's own /
BUILD=${CW_BUILD:-build}
case ${CW_ARCH:-amd64} in
amd64) TRIPLET=x86_64-linux-gnu ;;
arm64) TRIPLET=aarch64-linux-gnu ;;
*) echo "mkinitramfs: unknown CW_ARCH '$CW_ARCH'" >&2; exit 2 ;;
esac
if [[ ${CW_ARCH:-amd64} != amd64 && -z $R ]]; then
	echo "mkinitramfs: CW_ARCH=$CW_ARCH needs CW_SYSROOT (tests/kernels/sysroot.sh)" >&2
	exit 2
fi

declare -A seen=()
paths=()

# canon PATH: PATH with its directory part through the merged-/usr symlinks spelled out
canon() {
	local p=$1
	case $p in
	/bin/* | /sbin/* | /lib/* | /lib64/*) p=/usr$p ;;
	esac
	printf '%s' "$p"
}

# add_dirs PATH: the parent directories of PATH (the kernel does not create them)
add_dirs() {
	local d=${1%/*}
	while [[ -n $d && -z ${seen[$d]-} ]]; do
		seen[$d]=1
		paths+=("$d")
		d=${d%/*}
	done
}

# add_file PATH: PATH, and if it is a symlink the chain it points to (the links stay links)
add_file() {
	local p t
	p=$(canon "$1")
	[[ -n ${seen[$p]-} ]] && return 0
	if [[ ! -e $R$p && ! -L $R$p ]]; then
		echo "mkinitramfs: missing $R$p" >&2
		return 1
	fi
	seen[$p]=1
	add_dirs "$p"
	paths+=("$p")
	if [[ -L $R$p ]]; then
		t=$(readlink "$R$p")
		[[ $t == /* ]] || t=${p%/*}/$t
		add_file "$(realpath -s "$t")"
	fi
}

# in_root PATH: where PATH's file is on this machine: PATH itself, or with CW_SYSROOT the
# sysroot's copy with symlinks resolved inside the sysroot (an absolute link there, like
# /usr/sbin/ip -> /bin/ip, must not lead to this machine's own file)
in_root() {
	local p t n=0
	p=$(canon "$1")
	if [[ -z $R ]]; then
		printf '%s' "$p"
		return
	fi
	while [[ -L $R$p ]] && ((n++ < 40)); do
		t=$(readlink "$R$p")
		[[ $t == /* ]] || t=${p%/*}/$t
		p=$(canon "$(realpath -sm "$t")")
	done
	printf '%s' "$R$p"
}

# add_libs FILE...: the shared libraries (and the loader) ldd names, in one ldd run; with
# CW_SYSROOT, the same from readelf (FILEs are paths on this machine)
add_libs() {
	local lib
	if [[ -n $R ]]; then
		add_libs_elf "$@"
		return
	fi
	while read -r lib; do
		add_file "$lib"
	done < <(ldd "$@" 2>/dev/null | grep -oE '(^|[[:space:]])/[^ :]+ \(0x' | grep -oE '/[^ ]+' | sort -u)
}

# add_libs_elf FILE...: every library FILEs need, transitively (DT_NEEDED, looked up in the
# sysroot's multiarch and plain library directories, as the loader's default path does),
# and their interpreter
add_libs_elf() {
	local -a queue=("$@")
	local -A visited=()
	local f name d found
	while ((${#queue[@]})); do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		[[ -n ${visited[$f]-} ]] && continue
		visited[$f]=1
		name=$(readelf -lW "$f" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
		[[ -n $name ]] && add_file "$name"
		while read -r name; do
			found=
			for d in /usr/lib/$TRIPLET /usr/lib; do
				if [[ -e $R$d/$name ]]; then
					found=$d/$name
					break
				fi
			done
			[[ -n $found ]] || { echo "mkinitramfs: $f needs $name, not in $R" >&2; return 1; }
			add_file "$found"
			queue+=("$(in_root "$found")")
		done < <(readelf -dW "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
	done
}

# find_cmd NAME: the first NAME in $SYSPATH (as `type -P`), in the sysroot if there is one
find_cmd() {
	local d
	for d in ${SYSPATH//:/ }; do
		if [[ -x $R$d/$1 && ! -d $R$d/$1 ]]; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

# pkg_files PACKAGE: the files of an installed (or, with CW_SYSROOT, unpacked) package
pkg_files() {
	if [[ -n $R ]]; then cat "$R/var/lib/cw-sysroot/$1.list"; else dpkg -L "$1"; fi
}

# write_cpio DIR: the paths in $paths (relative to DIR) as a gzip'ed newc archive on stdout,
# sorted so that every directory comes before what it holds
write_cpio() {
	printf '%s\n' "${paths[@]#/}" | LC_ALL=C sort -u |
		(cd "$1" && cpio -o -H newc --owner=0:0 --quiet) | gzip -6
}

if [[ $mode == base ]]; then
	for l in /bin /sbin /lib /lib64; do
		[[ -L $R$l ]] || continue
		paths+=("$l")	# the merged-/usr symlinks themselves
		seen[$l]=1
	done
	# coreutils, complete: the tests use many of them, with GNU options
	mapfile -t cmds < <(pkg_files coreutils | grep -E '^/(usr/)?s?bin/.' | sed 's|.*/||' | sort -u)
	cmds+=(sh bash dash grep sed awk mawk find xargs gzip mount umount mountpoint nsenter unshare
	       setpriv findmnt lsns flock ps pgrep pkill kill ip curl jq python3 python3.11)
	elfs=()
	for c in "${cmds[@]}"; do
		p=$(find_cmd "$c") || { echo "mkinitramfs: command not found: $c" >&2; exit 1; }
		add_file "$p"
		elfs+=("$(in_root "$p")")
	done
	add_file /usr/bin/busybox
	while read -r f; do add_file "/$f"; done < <(cd "${R:-/}" && find usr/lib/locale/C.utf8 -type f)

	py=usr/lib/python3.11
	while read -r f; do
		add_file "/$f"
		[[ $f == *.so ]] && elfs+=("$R/$f")
	done < <(cd "${R:-/}" && find "$py" \
		\( -path "$py/test" -o -path "$py/config-3.11-*" -o -path "$py/lib2to3" \
		   -o -path "$py/distutils" -o -path "$py/pydoc_data" -o -path "$py/ensurepip" \
		   -o -path "$py/idlelib" -o -path "$py/tkinter" -o -path "$py/turtledemo" \
		   -o -path "$py/unittest/test" -o -path "$py/sqlite3" -o -path "$py/dbm" \
		   -o -path "$py/curses" -o -name '_test*.so' -o -name 'xxlimited*.so' \
		   -o -name '_sqlite3.*' -o -name '_dbm.*' -o -name '_gdbm.*' -o -name '_curses*' \
		   -o -name 'readline.*' -o -name 'sitecustomize.py' \) -prune \
		-o \( -type f -o -type l \) -print)
	dp=usr/lib/python3/dist-packages
	while read -r f; do
		add_file "/$f"
		[[ $f == *.so ]] && elfs+=("$R/$f")
	done < <(cd "${R:-/}" && find "$dp"/jsonschema "$dp"/jsonschema-* "$dp"/attr "$dp"/attrs "$dp"/attrs-* \
		"$dp"/pyrsistent "$dp"/pyrsistent-* "$dp"/_pyrsistent_version.py "$dp"/pvectorc.* \
		"$dp"/jsonpointer.py "$dp"/jsonpointer-* "$dp"/rfc3987.py "$dp"/rfc3987-* \
		"$dp"/webcolors.py "$dp"/webcolors-* "$dp"/idna "$dp"/idna-* "$dp"/certifi "$dp"/certifi-* \
		"$dp"/dateutil "$dp"/jmespath "$dp"/urllib3 "$dp"/six.py "$dp"/python_dateutil-* \
		"$dp"/jmespath-* "$dp"/urllib3-* "$dp"/six-* "$dp"/botocore-* \
		"$dp"/requests "$dp"/requests-* "$dp"/chardet "$dp"/chardet-* "$dp"/charset_normalizer \
		"$dp"/charset_normalizer-* "$dp"/OpenSSL "$dp"/pyOpenSSL-* "$dp"/cryptography \
		"$dp"/cryptography-* "$dp"/_cffi_backend.* "$dp"/cffi "$dp"/awscrt "$dp"/awscrt-* \
		"$dp"/_awscrt.* \( -type f -o -type l \) -print 2>/dev/null)
	# botocore (test_findings runs Debian's, with requests, pyOpenSSL and awscrt) without the 80 MB of service
	# models under data/<service>/: the provider needs only the top-level data files
	while read -r f; do
		add_file "/$f"
	done < <(cd "${R:-/}" && find "$dp"/botocore -path "$dp/botocore/data/*/*" -prune -o \( -type f -o -type l \) -print)
	# OpenSSL's configuration and providers (awscrt's s2n initialises them)
	while read -r f; do add_file "/$f"; done < <(cd "${R:-/}" && find etc/ssl/openssl.cnf usr/lib/ssl \
		"usr/lib/$TRIPLET/ossl-modules" \( -type f -o -type l \) -print 2>/dev/null)
	add_libs "${elfs[@]}"
	write_cpio "${R:-/}" >"$out.tmp"
	printf '%s\n' "${paths[@]}" >"$out.list.tmp"
	mv -f "$out.list.tmp" "$out.list"
	mv -f "$out.tmp" "$out"
	exit 0
fi

# --- project ------------------------------------------------------------------------------
# CW_NO_AGENT=1: the agent did not build (the arm64 VM then boots for its smoke checks)
[[ (-x $BUILD/credwatch || ${CW_NO_AGENT-} == 1) && -d tests/integration ]] || {
	echo "mkinitramfs: run from the repository root after building" >&2
	exit 1
}
base_list=${CW_BASE_LIST:?set CW_BASE_LIST to the path list of the base archive}
while read -r p; do seen[$p]=1; done <"$base_list"

root=$(mktemp -d /tmp/cw-initramfs.XXXXXX)
trap 'rm -rf -- "$root"' EXIT
mkdir -p "$root"/{credwatch/build/tests,credwatch/tests,etc,root,home,mnt,var/tmp,tmp,dev,proc,sys,run}
ln -s ../run "$root/var/run"
chmod 1777 "$root/tmp" "$root/var/tmp"
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nshadow:x:42:\n' >"$root/etc/group"
printf 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
chmod 0640 "$root/etc/shadow"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' >"$root/etc/hosts"
: >"$root/etc/fstab"
agent=()
if [[ -x $BUILD/credwatch && ${CW_NO_AGENT-} != 1 ]]; then
	cp -p "$BUILD/credwatch" "$root/credwatch/build/"
	agent=("$BUILD/credwatch")
fi
progs=()
for f in "$BUILD"/tests/*; do
	[[ -f $f && -x $f ]] && progs+=("$f")
done
cp -p "${progs[@]}" "$root/credwatch/build/tests/"
cp -a tests/integration tests/lib tests/schema "$root/credwatch/tests/"
cp -p tests/kernels/init.sh "$root/init"
chmod 0755 "$root/init"

# libraries of the agent and the test programs that the base lacks, from the host's / (or
# the sysroot)
paths=()
add_libs "${agent[@]}" "${progs[@]}"
extra=("${paths[@]}")
paths=()
while read -r f; do paths+=("$f"); done < <(cd "$root" && find . -mindepth 1 | LC_ALL=C sort)
write_cpio "$root" >"$out.tmp"
if ((${#extra[@]})); then
	paths=("${extra[@]}")
	write_cpio "${R:-/}" >>"$out.tmp"
fi
mv -f "$out.tmp" "$out"
