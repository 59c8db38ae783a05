#!/bin/bash
# The CRI suite (make test-cri): credwatch on a real containerd + runc driven through the CRI
# the way the kubelet does, and credwatch run from its image the way the DaemonSet says. See
# tests/cri/test_cri.py. Installs what it needs from Debian, builds (or takes from
# /var/cache/credwatch/cri) its images, runs as root. Ends with "cri: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ]; then
	echo "the CRI suite needs root (a container runtime, BPF, cgroups, mounts)" >&2
	exit 1
fi
start=$(date +%s)
tests/lib/ensure-debs.sh containerd runc containernetworking-plugins python3-grpcio \
	python3-grpc-tools protobuf-compiler python3-yaml python3-jsonschema buildah mmdebstrap \
	busybox-static bpftool iproute2 util-linux || exit 1
PY=/usr/bin/python3
mkdir -p build/cri
# the CRI client's protobuf and gRPC modules, from tests/cri/cri.proto
if [ ! -s build/cri/cri_pb2_grpc.py ] || [ tests/cri/cri.proto -nt build/cri/cri_pb2_grpc.py ]; then
	$PY -m grpc_tools.protoc -Itests/cri --python_out=build/cri --grpc_python_out=build/cri \
		tests/cri/cri.proto || exit 1
fi
# one CRI suite at a time on this machine (kubepods/ and the mount points are shared)
exec 9>/run/lock/credwatch-cri.lock
if ! flock -w 900 9; then
	echo "cri: another CRI suite has held /run/lock/credwatch-cri.lock for 15 minutes" >&2
	echo "cri: 0 passed, 1 failed"
	exit 1
fi
t=$(date +%s)
if ! tests/cri/images.sh build/cri/images.env; then
	echo "FAIL: images for the CRI suite could not be built"
	echo "cri: 0 passed, 1 failed"
	exit 1
fi
echo "cri: images ready in $(($(date +%s) - t)) s"
CWCRI_LOCK_HELD=1 $PY tests/cri/test_cri.py build/cri/images.env
rc=$?
echo "cri: suite took $(($(date +%s) - start)) s"
exit $rc
