#!/bin/bash
# Network hooks, end to end with the real agent: connects from a fake pod to
# the credential endpoints (IPv4, IPv6, IPv4-mapped IPv6; TCP and UDP) give
# exactly one endpoint_connect each, with the right process and cgroup; other
# addresses and ports give nothing. All traffic stays inside the pod's own
# network namespace (built by fakenode.sh, where the endpoint addresses are
# local to lo), per shared/test-machine.md.
# Network: every client runs through fn_in_pod, inside the pod's own netns
# (ip netns add, by fakenode.sh); nothing is sent from the host namespace.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
CONNECT=$PWD/build/tests/cw_connect

fn_init || exit 1
fn_pod app --qos burstable --driver systemd || exit 1
fn_sim app || exit 1
agent_start || exit 1

# run_pid TAG CMD...: run CMD in the pod, record its pid in $FN_RUN/TAG.pid
run_pid() {
	local tag=$1
	shift
	fn_in_pod app sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid" "$@" >/dev/null 2>&1
}
pid_of() { cat "$FN_RUN/$1.pid"; }

run_pid imds4 curl -s -m 5 http://169.254.169.254/latest/meta-data/instance-id
run_pid imds6 curl -s -m 5 -g 'http://[fd00:ec2::254]/latest/meta-data/instance-id'
run_pid mapped "$CONNECT" -6 ::ffff:169.254.169.254 80
run_pid pia4 curl -s -m 5 -H 'Authorization: x' http://169.254.170.23/v1/credentials
run_pid pia6 curl -s -m 5 -g -H 'Authorization: x' 'http://[fd00:ec2::23]/v1/credentials'
run_pid ecs "$CONNECT" 169.254.170.2 80
run_pid udp "$CONNECT" -u 169.254.169.254 80
# not credential endpoints: loopback, and the endpoint address on another port
run_pid lo "$CONNECT" 127.0.0.1 80
run_pid lo6 "$CONNECT" ::1 80
run_pid port "$CONNECT" 169.254.169.254 8080
run_pid port6 "$CONNECT" fd00:ec2::23 2703

# A curl that has exited before the agent reads its event: freeze the agent
# (our own child, by pid), let curl run and exit, then let the agent go on.
kill -STOP "$AGENT_PID"
run_pid quick curl -s -m 5 http://169.254.169.254/latest/meta-data/
quick=$(pid_of quick)
check "quick curl has exited before the agent reads its event" test ! -e "/proc/$quick"
kill -CONT "$AGENT_PID"

agent_stop

# expect TAG KIND ADDR FAMILY PROTO MAPPED EXE ARGS-JSON
expect() {
	local tag=$1 kind=$2 addr=$3 fam=$4 proto=$5 mapped=$6 exe=$7 args=$8 pid n ev
	pid=$(pid_of "$tag")
	n=$(count_events ".event==\"endpoint_connect\" and .process.pid==$pid")
	check_eq "$tag: exactly one endpoint_connect" "$n" 1
	ev=$(events ".event==\"endpoint_connect\" and .process.pid==$pid" | head -1)
	[ -n "$ev" ] || return
	check_eq "$tag: endpoint" "$(jq -c '[.endpoint.kind,.endpoint.addr,.endpoint.port,.endpoint.family,.endpoint.protocol,.endpoint.ipv4_mapped]' <<<"$ev")" \
		"[\"$kind\",\"$addr\",80,\"$fam\",\"$proto\",$mapped]"
	check_eq "$tag: process.exe" "$(jq -r .process.exe <<<"$ev")" "$exe"
	check_eq "$tag: process.args" "$(jq -c .process.args <<<"$ev")" "$args"
	check_eq "$tag: process.tid/uid" "$(jq -c '[.process.tid,.process.uid]' <<<"$ev")" "[$pid,0]"
	check_eq "$tag: cgroup.path is the pod's container" "$(jq -r .cgroup.path <<<"$ev")" "$POD_app_CGREL"
	check "$tag: three ancestors with pid, comm and exe" \
		test "$(jq '[.process.ancestors[] | select(.pid>0 and (.comm|length)>0 and (.exe|type)=="string")] | length' <<<"$ev")" -eq 3
	check_eq "$tag: process image from the exec-time record" "$(jq -r .process.source <<<"$ev")" exec
}

curl=$(command -v curl)
curl=$(readlink -f "$curl")
expect imds4 imds 169.254.169.254 ipv4 tcp false "$curl" \
	'["curl","-s","-m","5","http://169.254.169.254/latest/meta-data/instance-id"]'
expect imds6 imds fd00:ec2::254 ipv6 tcp false "$curl" \
	'["curl","-s","-m","5","-g","http://[fd00:ec2::254]/latest/meta-data/instance-id"]'
expect mapped imds 169.254.169.254 ipv6 tcp true "$CONNECT" \
	"[\"$CONNECT\",\"-6\",\"::ffff:169.254.169.254\",\"80\"]"
expect pia4 pod_identity_agent 169.254.170.23 ipv4 tcp false "$curl" \
	'["curl","-s","-m","5","-H","Authorization: [REDACTED]","http://169.254.170.23/v1/credentials"]'
expect pia6 pod_identity_agent fd00:ec2::23 ipv6 tcp false "$curl" \
	'["curl","-s","-m","5","-g","-H","Authorization: [REDACTED]","http://[fd00:ec2::23]/v1/credentials"]'
expect ecs container_credentials 169.254.170.2 ipv4 tcp false "$CONNECT" \
	"[\"$CONNECT\",\"169.254.170.2\",\"80\"]"
expect udp imds 169.254.169.254 ipv4 udp false "$CONNECT" \
	"[\"$CONNECT\",\"-u\",\"169.254.169.254\",\"80\"]"
expect quick imds 169.254.169.254 ipv4 tcp false "$curl" \
	'["curl","-s","-m","5","http://169.254.169.254/latest/meta-data/"]'

for tag in lo lo6 port port6; do
	check_eq "$tag: no event for a non-endpoint connect" \
		"$(count_events ".process.pid==$(pid_of $tag)")" 0
done

# (scoped to this test's cgroups: another test on the machine may be running)
check_eq "only the expected endpoint_connect events from this test (8)" \
	"$(count_events ".event==\"endpoint_connect\" and (.cgroup.path // \"\" | startswith(\"$FN_CGREL/\"))")" 8
check_eq "agent_stats counts every endpoint_connect it emitted" \
	"$(jq -s '[.[]|select(.event=="agent_stats")][-1].events.endpoint_connect' "$AGENT_OUT")" \
	"$(count_events '.event=="endpoint_connect"')"
check_eq "no drops" "$(jq -s -c '[.[]|select(.event=="agent_stats")][-1].drops' "$AGENT_OUT")" \
	'{"ringbuf_full":0,"bad_record":0,"output_error":0,"low_priority_refused":0,"cgroups_dropping":0,"by_cgroup":[]}'
check_eq "agent wrote nothing to stderr" "$(grep -v '^credwatch: mounted' "$AGENT_ERR")" ""
finish
