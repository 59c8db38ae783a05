#!/bin/bash
# Attribution that cannot be borrowed (issue 14, item 3). A process of pod "mover" (default
# namespace, no AWS configuration) that can write cgroup.procs borrows another identity:
#   tonode    moves itself into kube-system/aws-node's container cgroup (allowlisted for
#             imds_credential_fetch), then fetches node-role credentials from IMDS
#   toroot    moves itself into the root cgroup (the host), then its child reads another
#             pod's token (exec and fork after the move: neither launders the origin)
#   clone     starts curl in aws-node's cgroup with clone3(CLONE_INTO_CGROUP): no
#             cgroup.procs write at all
#   roundtrip moves to aws-node's cgroup and back home, then reads its own token
#   netns     stays in its cgroup but enters pod "victim"'s network namespace; a host
#             process (ip netns exec) in victim's netns; and the full borrow: aws-node's
#             cgroup and aws-node's netns at once
# Expected: every move out of a pod is a cgroup_move event with pod_cgroup_escape (critical);
# every event after it is the mover's (pod, findings: imds_credential_fetch is not waived by
# aws-node's allowlist, foreign_token_read not host_token_read), with attribution.origin the
# mover's container cgroup, current_pod_uid where it is now, conflicts cgroup_moved; a
# process's netns that is not its pod's is a "netns" conflict naming that netns's pod. Moves
# into a pod from the host (the harness's own launcher, like runc) and within one, and the
# way back home, are counted, not reported.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
. tests/lib/findings.sh
T=$PWD/build/tests
ROLE=credwatch-sim-node-role
CREDURL=http://169.254.169.254/latest/meta-data/iam/security-credentials/$ROLE

fn_init || exit 1
fn_root
setup() {
	fn_pod mover && fn_pod_state mover && fn_volumes mover --sa && fn_sim mover &&
		fw_container mover side &&
		fn_pod awsnode && fn_pod_state awsnode --namespace kube-system --name aws-node-abcde \
		--service-account aws-node && fn_volumes awsnode --sa && fn_sim awsnode &&
		fn_pod victim && fn_pod_state victim && fn_volumes victim --sa --irsa && fn_sim victim
}
setup >"$FN_RUN/setup.log" 2>&1 || { cat "$FN_RUN/setup.log" >&2; fail "setting up the pods"; exit 1; }
ROOTCG=$FN_CG2
printf '{"policy": {"fold_window_seconds": 0}}\n' >"$FN_RUN/nofold.json"
agent_start --host-root "$FN_ROOT" --config "$FN_RUN/nofold.json" || exit 1

# run TAG POD CMD...: a process of POD (its cgroup and netns); its pid in TAG.pid
run() {
	local tag=$1 pod=$2
	shift 2
	fn_in_pod "$pod" sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid" "$@" >"$FN_RUN/$tag.out" 2>&1
}
pid_of() { cat "$FN_RUN/$1.pid" 2>/dev/null || echo -1; }
# the victim has an event of its own first: the agent knows its pod (and netns) from then on
run vown victim cat /var/run/secrets/eks.amazonaws.com/serviceaccount/token 2>/dev/null
fn_in_pod victim cat "$POD_victim_VOL_IRSA/token" >/dev/null

# tonode: into aws-node's cgroup, then IMDS (the mover's own netns: its credsim answers)
run tonode mover sh -c 'echo $$ >"$0/cgroup.procs" && exec curl -s -m 3 -o /dev/null -w "%{http_code}" "$1"' \
	"$POD_awsnode_CG" "$CREDURL"
# toroot: into the root cgroup, then a forked and exec'd child reads the victim's token
run toroot mover sh -c 'echo $$ >"$0/cgroup.procs" && sh -c "echo \$\$ >\"$2\"; exec cat \"$1\"" >/dev/null' \
	"$ROOTCG" "$POD_victim_VOL_IRSA/token" "$FN_RUN/toroot-child.pid"
# clone: curl born in aws-node's cgroup
run clone mover "$T/cw_clone_into" "$POD_awsnode_CG" sh -c 'echo $$ >"$0"; exec curl -s -m 3 -o /dev/null "$1"' \
	"$FN_RUN/clone-child.pid" "$CREDURL"
# roundtrip: there and back, then its own service-account token
run roundtrip mover sh -c 'echo $$ >"$0/cgroup.procs" && echo $$ >"$1/cgroup.procs" && exec cat "$2"' \
	"$POD_awsnode_CG" "$POD_mover_CG" "$POD_mover_VOL_SA/token"
# within the pod (another container of it): counted only
fw_in_container mover side sh -c 'echo $$ >"$0"; exec cat "$1"' "$FN_RUN/within.pid" "$POD_mover_VOL_SA/token" >/dev/null
# netns: the mover's cgroup, the victim's netns
run nsvictim mover nsenter --net="/run/netns/$POD_victim_NETNS" curl -s -m 3 -o /dev/null "$CREDURL"
# a host process in the victim's netns
ip netns exec "$POD_victim_NETNS" sh -c 'echo $$ >"$0"; exec curl -s -m 3 -o /dev/null "$1"' \
	"$FN_RUN/hostns.pid" "$CREDURL"
# the full borrow: aws-node's cgroup and aws-node's netns
run borrow mover sh -c 'echo $$ >"$0/cgroup.procs" && exec nsenter --net="$1" curl -s -m 3 -o /dev/null "$2"' \
	"$POD_awsnode_CG" "/run/netns/$POD_awsnode_NETNS" "$CREDURL"
sleep 1
agent_stop

access='(.event=="imds_request" or .event=="file_open")'
ev() { events "$access and .process.pid==$(pid_of "$1")"; }
mv_of() { events ".event==\"cgroup_move\" and .move.pid==$(pid_of "$1")"; }
val() { check_eq "$1: $2" "$(${4:-ev} "$1" | jq -c "$2" | tr '\n' ' ' | sed 's/ $//')" "$3"; }
MOVER="\"$POD_mover_UID\""
ESC='["pod_cgroup_escape","critical"]'

check_eq "tonode: curl got the node role's credentials (HTTP 200)" "$(cat "$FN_RUN/tonode.out")" 200
val tonode '[.finding.rule,.finding.severity]' "$ESC" mv_of
val tonode '[.move.self,.move.how,.move.from.pod_uid,.move.to.pod_uid,.move.to.pod_name]' \
	"[true,\"cgroup_procs\",$MOVER,\"$POD_awsnode_UID\",\"kube-system/aws-node-abcde\"]" mv_of
val tonode '.finding.summary|test("out of pod default/mover into pod kube-system/aws-node-abcde")' true mv_of
val tonode '[.event,.pod.uid,.pod.name,.cgroup.path]' "[\"imds_request\",$MOVER,\"mover\",\"$POD_awsnode_CGREL\"]"
val tonode '[.attribution.origin.pod_uid,.attribution.origin.cgroup_path,.attribution.current_pod_uid,.attribution.conflicts]' \
	"[$MOVER,\"$POD_mover_CGREL\",\"$POD_awsnode_UID\",[\"cgroup_moved\"]]"
val tonode '[.findings[].rule]' '["imds_credential_fetch","imds_v1"]'

val toroot '[.move.from.pod_uid,.move.to.pod,.move.to.cgroup_path,.finding.rule,.finding.severity]' \
	"[$MOVER,false,\"\",\"pod_cgroup_escape\",\"critical\"]" mv_of
val toroot '.finding.summary|test("into a non-pod cgroup")' true mv_of
val toroot-child '[.host,.pod.uid,.cgroup.path,.attribution.origin.pod_uid,.attribution.current_pod_uid,.attribution.conflicts]' \
	"[false,$MOVER,\"\",$MOVER,null,[\"cgroup_moved\"]]"
val toroot-child '[.file.kind,.file.owner.pod_uid,.finding.rule,.finding.severity]' \
	"[\"irsa_token\",\"$POD_victim_UID\",\"foreign_token_read\",\"critical\"]"

# clone: the writer is cw_clone_into, the moved process its child
cmv=$(events ".event==\"cgroup_move\" and .process.pid==$(pid_of clone)")
check_eq "clone: a cgroup_move of the child, born in aws-node's cgroup, pod_cgroup_escape" \
	"$(jq -c '[.move.pid,.move.self,.move.how,.move.to.pod_uid,.finding.rule]' <<<"$cmv")" \
	"[$(pid_of clone-child),false,\"clone_into_cgroup\",\"$POD_awsnode_UID\",\"pod_cgroup_escape\"]"
val clone-child '[.event,.pod.uid,.attribution.origin.pod_uid,.attribution.current_pod_uid,.finding.rule]' \
	"[\"imds_request\",$MOVER,$MOVER,\"$POD_awsnode_UID\",\"imds_credential_fetch\"]"

val roundtrip '[.finding.rule]' '["pod_cgroup_escape"]' mv_of
check_eq "roundtrip: the way back home is no cgroup_move event" "$(mv_of roundtrip | grep -c .)" 1
val roundtrip '[.pod.uid,.attribution.origin.pod_uid,.attribution.current_pod_uid,.attribution.conflicts,has("finding")]' \
	"[$MOVER,$MOVER,$MOVER,null,false]"
check_eq "within the pod (another container): no cgroup_move event, its own token, no finding" \
	"$(mv_of within | grep -c .) $(ev within | jq -c '[.container.name,has("finding")]')" '0 ["side",false]'

val nsvictim '[.pod.uid,.attribution.complete,.attribution.conflicts,.attribution.netns_pod_uid,.finding.rule]' \
	"[$MOVER,false,[\"netns\"],\"$POD_victim_UID\",\"imds_credential_fetch\"]"
val hostns '[.host,.attribution.conflicts,.attribution.netns_pod_uid]' "[true,[\"netns\"],\"$POD_victim_UID\"]"
val borrow '[.pod.uid,.attribution.conflicts,.attribution.netns_pod_uid,.findings[0].rule]' \
	"[$MOVER,[\"netns\",\"cgroup_moved\"],\"$POD_awsnode_UID\",\"imds_credential_fetch\"]"
val borrow '[.finding.rule]' '["pod_cgroup_escape"]' mv_of
# the victim's own read: no conflict
check_eq "the victim reading its own token: attribution complete, no conflict" \
	"$(events '.event=="file_open" and .pod.uid=="'"$POD_victim_UID"'"' | jq -c '[.attribution.complete,.attribution.conflicts]' | sort -u)" \
	'[true,null]'

STATS=$(jq -c 'select(.event=="agent_stats") | .cgroup_moves' "$AGENT_OUT")
check "moves counted: out of a pod >= 5, into a pod from the host, within one, back home ($STATS)" \
	jqtrue '.out_of_pod >= 5 and .into_pod >= 5 and .within_pod >= 1 and .back_home >= 1 and .pod_cgroups >= 9' <<<"$STATS"
check_eq "cgroup_move events: only the escapes" \
	"$(count_events '.event=="cgroup_move"') $(count_events '.event=="cgroup_move" and .finding.rule=="pod_cgroup_escape"')" \
	"5 5"
finish
