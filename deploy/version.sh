#!/bin/sh
# Print credwatch's version, read from the one place the source tree defines it: the top-level
# VERSION file (the Makefile compiles it into the agent as CREDWATCH_VERSION).
# Used by the image build (OCI label, tag) and checked inside the Dockerfile's build stage.
cd "$(dirname "$0")/.." || exit 1
v=$(cat VERSION 2>/dev/null)
case $v in
'' | *[!0-9A-Za-z.+-]*)
	echo "version.sh: no usable version in the source tree ('$v')" >&2
	exit 1
	;;
esac
echo "$v"
