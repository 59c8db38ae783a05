#!/bin/bash
# Build the vendored Fluent Bit once and cache it; print the binary's path on stdout.
#
#   tests/cloudwatch/build-fluent-bit.sh [--print-key]
#
# Source: $FLUENT_BIT_TARBALL, default ../shared/vendor/fluent-bit-5.1.1-d55459d49.tar.xz
# next to the repository (shared/vendor/README.md: not on Debian's registry). Its SHA-256 is
# pinned below. The build is trimmed (FLB_MINIMAL plus the plugins the CloudWatch tests use)
# and lands in
#
#   /var/cache/credwatch/fluent-bit-5.1.1/<key>/bin/fluent-bit
#
# where <key> hashes the tarball's SHA-256, the cmake options and this script's build recipe
# version, so a changed source or option list builds afresh and never reuses a stale binary.
# Concurrent callers serialise on a lock; a failed build leaves nothing in the cache.
# Diagnostics go to stderr, the build log to <cache>/build-<key>.log (kept on failure).
# Exit status: 0 built or cached, 1 build failed, 2 the tarball is not there (caller: SKIP).
set -euo pipefail
cd "$(dirname "$0")/../.." || exit 1

FB_VERSION=5.1.1
FB_SHA256=c342a6fad04931ac308eb3d057c56208fee929ad7d2482a1a00797039cb66db8
TARBALL=${FLUENT_BIT_TARBALL:-$PWD/../shared/vendor/fluent-bit-$FB_VERSION-d55459d49.tar.xz}
CACHE=${CW_CACHE:-/var/cache/credwatch}/fluent-bit-$FB_VERSION
RECIPE=2 # bump when the steps below change in a way the options do not show

# Everything off (FLB_MINIMAL), then what the CloudWatch suite runs: tail with the CRI
# multiline parser and its offset DB (Debian's sqlite: the snapshot lacks the amalgamation),
# filesystem buffering (storage.path needs the storage_backlog input),
# the filters a Container Insights style configuration uses (so a user's combined
# configuration can be checked too), out_cloudwatch_logs (AWS auth, SigV4, TLS), file and
# stdout for debugging, the HTTP server for the retry counters.
OPTS=(
	-DCMAKE_BUILD_TYPE=Release
	-DFLB_RELEASE=On
	-DFLB_MINIMAL=On
	-DFLB_IN_TAIL=On
	-DFLB_IN_EMITTER=On
	-DFLB_IN_STORAGE_BACKLOG=On
	-DFLB_FILTER_PARSER=On
	-DFLB_FILTER_MODIFY=On
	-DFLB_FILTER_GREP=On
	-DFLB_FILTER_NEST=On
	-DFLB_FILTER_RECORD_MODIFIER=On
	-DFLB_FILTER_REWRITE_TAG=On
	-DFLB_FILTER_MULTILINE=On
	-DFLB_FILTER_KUBERNETES=On
	-DFLB_OUT_CLOUDWATCH_LOGS=On
	-DFLB_OUT_FILE=On
	-DFLB_OUT_STDOUT=On
	-DFLB_SQLDB=On
	-DFLB_PREFER_SYSTEM_LIB_SQLITE=On
	-DFLB_HTTP_SERVER=On
	-DFLB_TLS=On
	-DFLB_AWS=On
	-DFLB_SIGNV4=On
	-DFLB_LUAJIT=Off
	-DFLB_WASM=Off
	-DFLB_KAFKA=Off
	-DFLB_ZIG=Off
	-DFLB_EXAMPLES=Off
	-DFLB_SHARED_LIB=Off
	-DFLB_PROXY_GO=Off
	-DFLB_CUSTOM_CALYPTIA=Off
	-DFLB_TESTS_RUNTIME=Off
	-DFLB_TESTS_INTERNAL=Off
)
DEBS=(cmake flex bison libyaml-dev libssl-dev libsqlite3-dev gcc g++ make pkg-config xz-utils)

KEY=$(printf '%s\n' "$FB_SHA256" "recipe=$RECIPE" "${OPTS[@]}" | sha256sum | cut -c1-16)
if [[ ${1-} == --print-key ]]; then
	echo "$KEY"
	exit 0
fi
OUT=$CACHE/$KEY
BIN=$OUT/bin/fluent-bit

log() { echo "build-fluent-bit: $*" >&2; }

# a cached binary: done (no network, no compiler needed)
if [[ -x $BIN && -f $OUT/build.ok ]]; then
	echo "$BIN"
	exit 0
fi
if [[ ! -f $TARBALL ]]; then
	log "Fluent Bit source not found at $TARBALL (set FLUENT_BIT_TARBALL)"
	exit 2
fi
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
# another caller may have built it while we waited
if [[ -x $BIN && -f $OUT/build.ok ]]; then
	echo "$BIN"
	exit 0
fi

got=$(sha256sum "$TARBALL" | cut -d' ' -f1)
if [[ $got != "$FB_SHA256" ]]; then
	log "$TARBALL: SHA-256 $got, expected $FB_SHA256 (a different snapshot: update FB_SHA256)"
	exit 1
fi
tests/lib/ensure-debs.sh "${DEBS[@]}" >&2

BLOG=$CACHE/build-$KEY.log
# The source and build tree stay in $CACHE/tree (about 0.5 GB) so that a change of options
# recompiles only what it changes; the cmake cache is dropped first, so an option left out of
# OPTS is back to its default (FLB_MINIMAL's), never a stale earlier value.
TREE=$CACHE/tree
src=$TREE/fluent-bit-$FB_VERSION
WORK=$(mktemp -d "$CACHE/.stage-$KEY.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
start=$SECONDS
log "building Fluent Bit $FB_VERSION (key $KEY) in $TREE; log: $BLOG"
{
	echo "tarball: $TARBALL sha256=$FB_SHA256"
	echo "options: ${OPTS[*]}"
	if [[ $(cat "$TREE/source.sha256" 2>/dev/null) != "$FB_SHA256" ]]; then
		rm -rf "$TREE"
		mkdir -p "$TREE"
		tar -C "$TREE" -xJf "$TARBALL"
		echo "$FB_SHA256" >"$TREE/source.sha256"
	fi
	rm -f "$TREE/build/CMakeCache.txt"
	cmake -S "$src" -B "$TREE/build" "${OPTS[@]}"
	make -C "$TREE/build" -j"$(nproc)" fluent-bit-bin
} >"$BLOG" 2>&1 || {
	log "build FAILED after $((SECONDS - start)) s; last lines of $BLOG:"
	tail -25 "$BLOG" >&2
	exit 1
}
built=$TREE/build/bin/fluent-bit
if ! ver=$("$built" --version 2>&1) || [[ $ver != *"Fluent Bit v$FB_VERSION"* ]]; then
	log "the built binary does not report Fluent Bit v$FB_VERSION: $ver"
	exit 1
fi
stage=$WORK/out
mkdir -p "$stage/bin"
cp "$built" "$stage/bin/fluent-bit"
{
	echo "{\"version\": \"$FB_VERSION\", \"tarball_sha256\": \"$FB_SHA256\", \"recipe\": $RECIPE,"
	echo " \"build_seconds\": $((SECONDS - start)), \"built\": \"$(date -u +%FT%TZ)\","
	printf ' "options": [%s]}\n' "$(printf '"%s",' "${OPTS[@]}" | sed 's/,$//')"
} >"$stage/build.json"
touch "$stage/build.ok"
rm -rf "$OUT"
mv "$stage" "$OUT"
# binaries of other keys (older options or recipes) are stale: remove them
for d in "$CACHE"/????????????????; do
	[[ -d $d && $d != "$OUT" && ${d##*/} =~ ^[0-9a-f]{16}$ ]] && rm -rf "$d" "$CACHE/build-${d##*/}.log"
done
log "built in $((SECONDS - start)) s: $OUT/bin/fluent-bit"
echo "$BIN"
