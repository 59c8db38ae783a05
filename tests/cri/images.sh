#!/bin/bash
# images.sh ENVFILE: build the CRI suite's images without a registry, or take them from the
# cache, and write "NAME=ARCHIVE" / "NAME_REF=IMAGE" lines to ENVFILE. Every image is an OCI
# archive under /var/cache/credwatch/cri/images, named by a hash of everything it is built
# from, so an unchanged input is never rebuilt and a changed one always is.
#
#   pause      our own pause binary (tests/cri/pause.c, static): the sandbox image
#   workload   busybox-static (sh, cat, wget, nc, ...) + uconnect (tests/cri/uconnect.c,
#              static): the pods' image
#   base       Debian 12 (bookworm) minbase from Debian's mirror (mmdebstrap): the local
#              stand-in for debian:12-slim, passed to the Dockerfile by digest
#   credwatch  deploy/Dockerfile built from this source tree (buildah, chroot isolation; its
#              RUN steps install from Debian's mirror)
#
# Tools: buildah (storage of its own under the cache, overlay driver), mmdebstrap, gcc -static.
set -euo pipefail
cd "$(dirname "$0")/../.." || exit 1
OUT=${1:?usage: images.sh ENVFILE}
CACHE=${CWCRI_CACHE:-/var/cache/credwatch/cri}
IMG=$CACHE/images
# bump one when this script changes how that image is made
PAUSE_RECIPE=4 WORKLOAD_RECIPE=3 BASE_RECIPE=3 CREDWATCH_RECIPE=3
# buildah's own storage (overlay driver: layers are diffs, so the build's layer cache - the
# apt-get steps above the source COPY - stays small); an earlier vfs store is dropped
STORE=$CACHE/buildah-overlay
STORE_MAX_KB=$((3 * 1024 * 1024))
[ -d "$CACHE/buildah" ] && rm -rf --one-file-system "${CACHE:?}/buildah"
mkdir -p "$IMG" "$STORE"
B=(buildah --root "$STORE/root" --runroot /run/credwatch-cri-buildah-overlay
	--storage-driver overlay)
TMP=$(mktemp -d /tmp/cwcri-img.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

hash() { sha256sum | cut -c1-16; }
say() { echo "images: $*" >&2; }

# archive NAME KEY: the archive path for this input key
archive() { echo "$IMG/$1-$2.tar"; }

# prune NAME KEEP: drop older archives of NAME
prune() {
	local f
	for f in "$IMG/$1"-*.tar; do
		[ -e "$f" ] && [ "$f" != "$2" ] && rm -f "$f"
	done
	return 0
}

# scratch_image REF ARCHIVE ROOTFS-DIR ENTRYPOINT-JSON CMD-JSON [USER]
scratch_image() {
	local ref=$1 ar=$2 dir=$3 c
	c=$("${B[@]}" from scratch)
	"${B[@]}" copy "$c" "$dir" / >/dev/null
	"${B[@]}" config --entrypoint "$4" --cmd "$5" --env PATH=/usr/local/bin:/bin "$c"
	[ -n "${6-}" ] && "${B[@]}" config --user "$6" "$c"
	"${B[@]}" commit -q --rm "$c" "$ref" >/dev/null
	"${B[@]}" push -q "$ref" "oci-archive:$ar.tmp:$ref"
	mv -f "$ar.tmp" "$ar"
	"${B[@]}" rmi "$ref" >/dev/null 2>&1 || true
}

GCCV=$(gcc --version | head -1)

# --- pause
key=$( (echo "pause $PAUSE_RECIPE $GCCV"; cat tests/cri/pause.c) | hash)
PAUSE=$(archive pause "$key")
PAUSE_REF=localhost/cwtest/pause:1
if [ ! -s "$PAUSE" ]; then
	say "building the pause image"
	mkdir -p "$TMP/pause"
	gcc -static -O2 -Wall -Wextra -Werror -o "$TMP/pause/pause" tests/cri/pause.c
	# as the Kubernetes pause image: USER 65535:65535
	scratch_image "$PAUSE_REF" "$PAUSE" "$TMP/pause" '["/pause"]' '[]' 65535:65535
	prune pause "$PAUSE"
fi

# --- workload
BBV=$(dpkg-query -W -f='${Version}' busybox-static)
key=$( (echo "workload $WORKLOAD_RECIPE $GCCV $BBV"; cat tests/cri/uconnect.c) | hash)
WORKLOAD=$(archive workload "$key")
WORKLOAD_REF=localhost/cwtest/workload:1
if [ ! -s "$WORKLOAD" ]; then
	say "building the workload image"
	r=$TMP/workload
	mkdir -p "$r/bin" "$r/usr/local/bin" "$r/etc" "$r/tmp" "$r/root"
	cp /bin/busybox "$r/bin/busybox"
	for a in sh cat head wget nc sleep ls echo test printf env id sed tr wc true false mkdir \
		rm stat readlink grep cut ps kill timeout; do
		ln -s busybox "$r/bin/$a"
	done
	gcc -static -O2 -Wall -Wextra -Werror -o "$r/usr/local/bin/uconnect" tests/cri/uconnect.c
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	chmod 1777 "$r/tmp"
	scratch_image "$WORKLOAD_REF" "$WORKLOAD" "$r" '[]' '["/bin/sh", "-c", "exec sleep 2147483647"]'
	prune workload "$WORKLOAD"
fi

# --- Debian base (debian:12-slim stand-in) and credwatch
MMV=$(mmdebstrap --version)
BASE_KEY=$(echo "base $BASE_RECIPE $MMV bookworm minbase" | hash)
BASE_REF=localhost/cwtest/debian-base:bookworm-$BASE_KEY
BASE_TAR=$(archive debian-base "$BASE_KEY")
if [ ! -s "$BASE_TAR" ]; then
	say "bootstrapping a Debian 12 base with mmdebstrap (a few minutes, once)"
	mmdebstrap --quiet --variant=minbase --format=tar \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--aptopt='Acquire::Languages "none"' \
		--customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
		bookworm "$BASE_TAR.tmp" http://deb.debian.org/debian
	mv -f "$BASE_TAR.tmp" "$BASE_TAR"
	prune debian-base "$BASE_TAR"
fi
if ! "${B[@]}" inspect --type image "$BASE_REF" >/dev/null 2>&1; then
	c=$("${B[@]}" from scratch)
	"${B[@]}" add "$c" "$BASE_TAR" / >/dev/null
	"${B[@]}" config --cmd '["bash"]' \
		--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
	"${B[@]}" commit -q --rm "$c" "$BASE_REF" >/dev/null
fi
BASE_DIGEST=$("${B[@]}" inspect --type image --format '{{.FromImageDigest}}' "$BASE_REF")
BASE_PINNED=localhost/cwtest/debian-base@$BASE_DIGEST

VERSION=$(deploy/version.sh)
# the build context (.dockerignore) and the Dockerfile, as they are on disk (committed or not)
ctx=(Makefile bpf user vmlinux deploy/version.sh deploy/Dockerfile .dockerignore)
key=$( (echo "credwatch $CREDWATCH_RECIPE $BASE_DIGEST $VERSION"
	for f in $(find "${ctx[@]}" -type f | LC_ALL=C sort); do
		[ -f "$f" ] && { echo "$f"; sha256sum <"$f"; }
	done) | hash)
CREDWATCH=$(archive credwatch "$key")
CREDWATCH_REF=localhost/credwatch:$VERSION
if [ ! -s "$CREDWATCH" ]; then
	say "building the credwatch image from deploy/Dockerfile (minutes without its apt layers)"
	"${B[@]}" build -q --isolation chroot --network host --layers \
		-f deploy/Dockerfile --build-arg "BASE_IMAGE=$BASE_PINNED" \
		--build-arg "VERSION=$VERSION" -t "$CREDWATCH_REF" . >"$TMP/build.log" 2>&1 || {
		tail -40 "$TMP/build.log" >&2
		exit 1
	}
	"${B[@]}" push -q "$CREDWATCH_REF" "oci-archive:$CREDWATCH.tmp:$CREDWATCH_REF"
	mv -f "$CREDWATCH.tmp" "$CREDWATCH"
	"${B[@]}" rmi "$CREDWATCH_REF" >/dev/null 2>&1 || true
	# the layer cache grows with every source change: past the bound, drop it (the next
	# build downloads its Debian packages again)
	if [ "$(du -sk "$STORE" | cut -f1)" -gt "$STORE_MAX_KB" ]; then
		"${B[@]}" rmi --prune >/dev/null 2>&1 || true
	fi
	prune credwatch "$CREDWATCH"
fi

{
	echo "PAUSE=$PAUSE"
	echo "PAUSE_REF=$PAUSE_REF"
	echo "WORKLOAD=$WORKLOAD"
	echo "WORKLOAD_REF=$WORKLOAD_REF"
	echo "CREDWATCH=$CREDWATCH"
	echo "CREDWATCH_REF=$CREDWATCH_REF"
	echo "BASE_PINNED=$BASE_PINNED"
	echo "VERSION=$VERSION"
} >"$OUT"
