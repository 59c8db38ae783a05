#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate the checked-in seed corpora (tests/fuzz/corpus/<target>/) from the tests'
# own inputs: tests/fuzz/mkseeds.py reads the unit tests, the golden scenario and the facts,
# and, when this runs as root, what a fake node (tests/lib/fakenode.sh) writes: the
# config.json of its containers (containerd and CRI-O, IRSA and Pod Identity), its projected
# tokens (made by credsim mkjwt; their signature is replaced by a fake one) and its cgroup
# paths. Not run by make: run it after changing the tests, and commit the result.
set -u
cd "$(dirname "$0")/../.." || exit 1
art=$(mktemp -d)
trap 'rm -rf "$art"' EXIT

if [ "$(id -u)" = 0 ] && make -s --no-print-directory build/tests/credsim; then
	(
		. tests/lib/fakenode.sh
		fn_init && fn_root || exit 1
		n=0
		pod() {
			local name=$1 a=() b=() c=()
			shift
			while (($#)) && [ "$1" != -- ]; do a+=("$1"); shift; done
			shift
			while (($#)) && [ "$1" != -- ]; do b+=("$1"); shift; done
			shift
			c=("$@")
			fn_pod "$name" "${a[@]}" && fn_pod_state "$name" "${b[@]}" &&
				fn_volumes "$name" "${c[@]}" || return 1
			local f k
			for k in CONFIG SANDBOX_CONFIG; do
				f=$(_fn_pod_get "$name" "$k") && [ -f "$f" ] && cp "$f" "$art/$name-$k.json"
			done
			for k in VOL_SA VOL_IRSA VOL_PI; do
				f=$(_fn_pod_get "$name" "$k" 2>/dev/null) || continue
				for t in "$f"/token "$f"/eks-pod-identity-token; do
					[ -f "$t" ] && cp "$t" "$art/$name-$k-$((n++)).jwt"
				done
			done
			for k in CGREL SANDBOX_CGREL; do
				f=$(_fn_pod_get "$name" "$k") && echo "${f#"$FN_CGREL"}" >>"$art/fakenode.cgroups"
			done
		}
		pod irsa --qos burstable --driver systemd -- --namespace payments --name api-7d9f \
			--service-account api --container app \
			--image 111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1.4 \
			--env AWS_ROLE_ARN=arn:aws:iam::111122223333:role/payments-api \
			--env AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token \
			-- --sa --irsa || exit 1
		pod pi --qos besteffort --driver cgroupfs -- --namespace web --name front-1 \
			--service-account front --container app --image public.ecr.aws/web/front:2.0 \
			--env AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials \
			--env AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token \
			-- --sa --pod-identity || exit 1
		pod crio --runtime crio --qos guaranteed --driver systemd -- --namespace kube-system \
			--name aws-node-x1z2 --service-account aws-node --container aws-node \
			--image 602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.18.0 \
			--host-network -- --sa || exit 1
	) || echo "mkseeds: the fake node failed: no seeds from it" >&2
else
	echo "mkseeds: not root (or no credsim): no seeds from a fake node" >&2
fi
python3 tests/fuzz/mkseeds.py "$art"
