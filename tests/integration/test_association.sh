#!/bin/bash
# Association from the pod's volumes (issue 14, item 6). A pod with the
# eks-pod-identity-token (or aws-iam-token) projected volume is associated with Pod Identity
# (IRSA) even when no running container shows the variables: its configured container is not
# running (crash-looping) and the one that runs was skipped by the webhook. Such a container's
# IMDS credential fetch is agent_bypass.
#   pivol     Pod Identity volume, no variables anywhere: IMDSv1 over IPv4, IMDSv2 over IPv6
#             (the step around: another address, another protocol version): agent_bypass;
#             its call to the Pod Identity Agent is not pod_identity_unassociated
#   irsavol   aws-iam-token volume, no variables: agent_bypass (IRSA)
#   plain     neither volume: imds_credential_fetch (the negative)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh

ROLE=credwatch-sim-node-role
CRED=/latest/meta-data/iam/security-credentials/$ROLE
fn_init || exit 1
fn_root
setup() {
	fn_pod pivol && fn_pod_state pivol --container sidecar && fn_volumes pivol --sa --pod-identity &&
		fn_sim pivol &&
		fn_pod irsavol && fn_pod_state irsavol --container sidecar && fn_volumes irsavol --sa --irsa &&
		fn_sim irsavol &&
		fn_pod plain && fn_pod_state plain && fn_volumes plain --sa && fn_sim plain
}
setup >"$FN_RUN/setup.log" 2>&1 || { cat "$FN_RUN/setup.log" >&2; fail "setting up the pods"; exit 1; }
check_eq "no container spec of the volume pods has an AWS variable" \
	"$(jq -r '.process.env[]' "$POD_pivol_CONFIG" "$POD_irsavol_CONFIG" | grep -c '^AWS_')" 0
printf '{"policy": {"fold_window_seconds": 0}}\n' >"$FN_RUN/nofold.json"
agent_start --host-root "$FN_ROOT" --config "$FN_RUN/nofold.json" || exit 1

run() {
	local tag=$1 pod=$2
	shift 2
	fn_in_pod "$pod" sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid" "$@" >"$FN_RUN/$tag.out" 2>&1
}
v2() {
	local tag=$1 pod=$2 base=$3
	run "$tag" "$pod" sh -c 'T=$(curl -s -g -m 3 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$0/latest/api/token");
		exec curl -s -g -m 3 -H "X-aws-ec2-metadata-token: $T" -o /dev/null -w "%{http_code}" "$0$1"' "$base" "$CRED"
}
run pi4 pivol curl -s -m 3 -o /dev/null -w '%{http_code}' "http://169.254.169.254$CRED"
v2 pi6 pivol 'http://[fd00:ec2::254]'
run pia pivol curl -s -m 3 -o /dev/null -w '%{http_code}' -H 'Authorization: x' http://169.254.170.23/v1/credentials
run irsa4 irsavol curl -s -m 3 -o /dev/null -w '%{http_code}' "http://169.254.169.254$CRED"
run plain4 plain curl -s -m 3 -o /dev/null -w '%{http_code}' "http://169.254.169.254$CRED"
sleep 1
agent_stop

pid_of() { cat "$FN_RUN/$1.pid"; }
req() { events "(.event==\"imds_request\" or .event==\"agent_request\") and .process.pid==$(pid_of "$1") and .http.method==\"GET\""; }
val() { check_eq "$1: $2" "$(req "$1" | jq -c "$2")" "$3"; }
for t in pi4 pi6 irsa4 plain4; do check_eq "$t: the node role's credentials (200)" "$(cat "$FN_RUN/$t.out")" 200; done
val pi4 '[.pod.pod_identity_associated,.pod.credential_mode,.container.credential_mode,(.attribution.sources|index("volumes")!=null)]' \
	'[true,["pod_identity","node_role"],["node_role"],true]'
val pi4 '[.findings[]|"\(.rule)/\(.severity)"]' '["agent_bypass/high","imds_v1/medium"]'
val pi4 '.finding.summary' \
	'"pod default/pivol container sidecar is configured for Pod Identity (the pod has the eks-pod-identity-token or aws-iam-token volume) but fetched node-role credentials from IMDS"'
val pi6 '[.endpoint.family,.http.imds_version,[.findings[].rule]]' '["ipv6","v2",["agent_bypass"]]'
val pia '[.http.class,has("finding")]' '["pod_identity_credentials",false]'
val irsa4 '[.pod.credential_mode,.pod.pod_identity_associated,.finding.rule]' '[["irsa","node_role"],false,"agent_bypass"]'
val irsa4 '.finding.summary|test("configured for IRSA \\(the pod has")' true
val plain4 '[.pod.credential_mode,.finding.rule,(.attribution.sources|index("volumes"))]' '[["node_role"],"imds_credential_fetch",null]'
finish
