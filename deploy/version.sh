#!/bin/sh
# Print credwatch's version, read from the one place the source tree defines it (today the
# CREDWATCH_VERSION constant in user/emit.c; a top-level VERSION file wins once there is one).
# Used by the image build (OCI label, tag) and checked inside the Dockerfile's build stage.
cd "$(dirname "$0")/.." || exit 1
if [ -f VERSION ]; then
	v=$(cat VERSION)
else
	v=$(sed -n 's/^#define CREDWATCH_VERSION "\([^"]*\)".*/\1/p' user/emit.c)
fi
case $v in
'' | *[!0-9A-Za-z.+-]*)
	echo "version.sh: no usable version in the source tree ('$v')" >&2
	exit 1
	;;
esac
echo "$v"
