#!/bin/bash
# HTTP in the shapes an attacker uses to step around a detector, end to end with the real agent:
# every credential fetch below gets the simulator's node-role credentials and must be reported
# with its status, the access key id the simulator handed out, and a high-severity finding.
#
#   split      the request line cut in the middle of the path, two TCP writes
#   bytes      one byte per TCP write
#   crlf       stray CRLFs before the request line
#   pipeline   a harmless request and the credential request in one write
#   v2split    IMDSv2 with the token header cut across two writes
#   pct        a percent-encoded path (%69am for iam), which the simulator does not decode
#              (404): classified as a credential request all the same, marked nonstandard
#   alias      a path no classifier knows that the server answers with credentials (a proxy in
#              front of IMDS): found from the response, evasive_credential_fetch
#   nat        connect to 10.99.99.99, DNAT'ed inside the pod to IMDS: via_nat, the address
#              the process used
#   early      a connection opened before the agent started, used after: found_at_start
#   pair401    on an IMDSv2-required endpoint: 401, PUT, 200 on one connection: the 200 is the
#              credential delivery, not lowered as blocked
#   tls        a TLS ClientHello to IMDS: endpoint_unparsed
#   bighead    a 9 KiB header, more than the agent captures of a segment: endpoint_unparsed
#              for the requests, and the credentials still found in the response (evasive)
# and no secret the simulator handed out appears in anything the agent wrote.
#
# Network: every client runs through fn_in_pod inside the pod's own network namespace (built
# by fakenode.sh, where the endpoint addresses and 10.99.99.99 are local to lo); the DNAT rule
# lives in that namespace and goes with it. Nothing is sent from the host namespace.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
PY=/usr/bin/python3
SHAPES=$PWD/tests/lib/shapes.py
ROLE=credwatch-sim-node-role
AKID=ASIACWSHAPES0000001
CREDP=/latest/meta-data/iam/security-credentials/$ROLE
ALIAS=/latest/meta-data/cw-proxy/creds
IMDS=169.254.169.254

fn_init || exit 1
fn_pod shapes || exit 1
fn_pod_state shapes || exit 1
fn_sim shapes --access-key-id "$AKID" --creds-alias "$ALIAS" || exit 1
fn_pod req || exit 1
fn_pod_state req || exit 1
fn_sim req --imdsv2 required --access-key-id "$AKID" || exit 1

# 10.99.99.99:80 -> IMDS, inside the shapes pod only
fn_load shapes || exit 1
NS=$POD_shapes_NETNS
# (the kernel-matrix VM has no netfilter modules and no iptables: the NAT cases say SKIP there)
NAT_OK=0
if command -v iptables >/dev/null && ip netns exec "$NS" ip addr add 10.99.99.99/32 dev lo &&
	ip netns exec "$NS" iptables -t nat -A OUTPUT -d 10.99.99.99 -p tcp --dport 80 \
		-j DNAT --to-destination "$IMDS:80" 2>"$FN_RUN/iptables.err"; then
	NAT_OK=1
else
	echo "SKIP: NAT cases: no DNAT in this kernel or no iptables ($(cat "$FN_RUN/iptables.err" 2>/dev/null))"
fi

# fold_window 0: every request reported, so each shape is checked on its own
printf '{"policy": {"fold_window_seconds": 0}}\n' >"$FN_RUN/policy.json"

# a connection made before the agent starts, used after agent_ready
GO=$FN_RUN/early.go
fn_in_pod_bg shapes "$PY" "$SHAPES" early "$IMDS" "$CREDP" --go "$GO" --pidfile "$FN_RUN/early.pid" >/dev/null
EARLY_BG=$FN_LAST_PID
for _ in $(seq 50); do [ -s "$FN_RUN/early.pid" ] && break; sleep 0.1; done
# connected once its socket shows up in the pod's netns
for _ in $(seq 50); do
	ip netns exec "$NS" ss -Htn state established "dst $IMDS:80" | grep -q . && break
	sleep 0.1
done

agent_start --config "$FN_RUN/policy.json" || exit 1
touch "$GO"

# shape TAG POD MODE HOST PATH: run shapes.py in POD, pid to $FN_RUN/TAG.pid, statuses to TAG.out
shape() {
	local tag=$1 pod=$2
	shift 2
	fn_in_pod "$pod" "$PY" "$SHAPES" "$@" --pidfile "$FN_RUN/$tag.pid" >"$FN_RUN/$tag.out" 2>"$FN_RUN/$tag.err"
}
shape split shapes split "$IMDS" "$CREDP"
shape bytes shapes bytes "$IMDS" "$CREDP"
shape crlf shapes crlf "$IMDS" "$CREDP"
shape pipeline shapes pipeline "$IMDS" "$CREDP"
shape v2split shapes v2split "$IMDS" "$CREDP"
shape v6split shapes split '[fd00:ec2::254]' "$CREDP"
shape pct shapes plain "$IMDS" "/latest/meta-data/%69am/security-credentials/$ROLE"
shape alias shapes plain "$IMDS" "$ALIAS"
((NAT_OK)) && shape nat shapes plain 10.99.99.99 "$CREDP"
shape pair401 req pair401 "$IMDS" "$CREDP"
shape tls shapes tls "$IMDS" "$CREDP"
shape bighead shapes bighead "$IMDS" "$CREDP"
wait "$EARLY_BG" 2>/dev/null
cp "$FN_RUN/bg-$EARLY_BG.log" "$FN_RUN/early.out"

# the clients' own view: what the simulator answered
nat=nat
((NAT_OK)) || nat=
for t in split bytes crlf v6split alias $nat early; do
	check_eq "$t: the client got credentials (200)" "$(cat "$FN_RUN/$t.out")" 200
done
check_eq "pipeline: both answered" "$(cat "$FN_RUN/pipeline.out")" "200 200"
check_eq "v2split: PUT and GET answered" "$(cat "$FN_RUN/v2split.out")" "200 200"
check_eq "pct: the simulator does not decode %69 (404)" "$(cat "$FN_RUN/pct.out")" 404
check_eq "pair401: 401, then the token, then credentials" "$(cat "$FN_RUN/pair401.out")" "401 200 200"

# Wait for the agent to have written the last client's events (the tls connection is reported
# when it closes), then stop it.
for _ in $(seq 100); do
	[ "$(count_events '.event=="endpoint_unparsed"')" -ge 1 ] &&
		[ "$(count_events ".event==\"imds_request\" and .process.pid==$(cat "$FN_RUN/early.pid")")" -ge 1 ] && break
	sleep 0.1
done
agent_stop

pid_of() { cat "$FN_RUN/$1.pid"; }
# jq_true FILTER JSON: FILTER yields true for JSON
jq_true() { jq -e "$1" <<<"$2" >/dev/null; }
# cred TAG [EXTRA-JQ]: the one credential delivery of TAG's process, with its finding
cred() {
	local tag=$1 extra=${2:-true} pid sel ev
	pid=$(pid_of "$tag")
	sel=".event==\"imds_request\" and .process.pid==$pid and .http.credentials_delivered==true"
	check_eq "$tag: exactly one credential delivery reported" "$(count_events "$sel")" 1
	ev=$(events "$sel" | head -1)
	[ -n "$ev" ] || return
	check_eq "$tag: status 200, not blocked" "$(jq -c '[.http.status,.http.blocked]' <<<"$ev")" '[200,false]'
	check_eq "$tag: the access key id the simulator handed out" \
		"$(jq -r '.credentials.access_key_id' <<<"$ev")" "$AKID"
	# the role comes from the path; an alias path names none
	if [ "$tag" = alias ]; then
		check_eq "$tag: no role claimed" "$(jq -c '.credentials.role' <<<"$ev")" null
	else
		check_eq "$tag: the role from the path" "$(jq -r '.credentials.role' <<<"$ev")" "$ROLE"
	fi
	check_eq "$tag: a high-severity imds_credential_fetch finding" \
		"$(jq -c '[.findings[] | select(.rule=="imds_credential_fetch") | .severity]' <<<"$ev")" '["high"]'
	check "$tag: $extra" jq_true "$extra" "$ev"
}
cred split '.http.path=="'"$CREDP"'" and .http.class=="imds_credentials"'
cred bytes '.http.path=="'"$CREDP"'" and .http.user_agent=="shapes/1"'
cred crlf '.http.path=="'"$CREDP"'" and .http.method=="GET"'
cred pipeline '.http.path=="'"$CREDP"'"'
cred v2split '.http.imds_version=="v2" and .http.token_header==true'
cred v6split '.endpoint.addr=="fd00:ec2::254" and .endpoint.family=="ipv6"'
cred alias '.http.path=="'"$ALIAS"'" and .http.credential_request==true and ([.findings[].rule] | index("evasive_credential_fetch") != null)'
NAT_SEL='.endpoint.addr=="'"$IMDS"'" and .endpoint.via_nat==true and .endpoint.connected_addr=="10.99.99.99" and .endpoint.connected_port==80'
NAT_ATTR=$(events '.event=="agent_ready"' | jq -r '.hook_selection.packet.nat_attribution')
if ((NAT_OK)) && [ "$NAT_ATTR" = process ]; then
	cred nat "$NAT_SEL"
elif ((NAT_OK)); then
	echo "SKIP: nat by process: this kernel's packet hooks cannot read the task (nat_attribution $NAT_ATTR); the cgroup-only case below covers it"
fi
cred early '.endpoint.found_at_start==true and .process.exe=="'"$(readlink -f $PY)"'"'
cred pair401 '.http.imds_version=="v2"'

pid=$(pid_of pipeline)
check_eq "pipeline: the harmless request is reported too, as no credential request" \
	"$(events ".event==\"imds_request\" and .process.pid==$pid and .http.path==\"/latest/meta-data/instance-id\"" | jq -c '[.http.status,.http.credential_request]')" \
	'[200,false]'
pid=$(pid_of pct)
ev=$(events ".event==\"imds_request\" and .process.pid==$pid" | head -1)
check_eq "pct: a credential request, nonstandard, normalised" \
	"$(jq -c '[.http.class,.http.credential_request,.http.nonstandard_path,.http.normalized_path,.http.status]' <<<"$ev")" \
	"[\"imds_credentials\",true,true,\"$CREDP\",404]"
check_eq "pct: finding imds_credential_fetch, one step lower (not delivered)" \
	"$(jq -c '[.findings[] | select(.rule=="imds_credential_fetch") | .severity]' <<<"$ev")" '["medium"]'
pid=$(pid_of pair401)
check_eq "pair401: the first GET is reported as refused (401, blocked)" \
	"$(events ".event==\"imds_request\" and .process.pid==$pid and .http.status==401" | jq -c '[.http.blocked,.http.credential_request,.http.imds_version]')" \
	'[true,true,"v1"]'
for t in split bytes crlf pipeline v2split $nat early alias; do
	check_eq "$t: no endpoint_unparsed" "$(count_events ".event==\"endpoint_unparsed\" and .process.pid==$(pid_of $t)")" 0
done
pid=$(pid_of tls)
ev=$(events ".event==\"endpoint_unparsed\" and .process.pid==$pid" | head -1)
check_eq "tls: endpoint_unparsed with a high finding" \
	"$(jq -c '[.endpoint.kind, (.findings[] | select(.rule=="endpoint_unparsed") | .severity)]' <<<"$ev")" '["imds","high"]'
check_eq "tls: no imds_request" "$(count_events ".event==\"imds_request\" and .process.pid==$pid")" 0
check_eq "bighead: the client got credentials" "$(cat "$FN_RUN/bighead.out")" 200
pid=$(pid_of bighead)
ev=$(events ".event==\"endpoint_unparsed\" and .process.pid==$pid" | head -1)
check_eq "bighead: endpoint_unparsed for the requests, with a high finding" \
	"$(jq -c '[.unparsed.direction, (.unparsed.reason | IN("capture_gap","head_too_long")), (.findings[] | select(.rule=="endpoint_unparsed") | .severity)]' <<<"$ev")" \
	'["requests",true,"high"]'
ev=$(events ".event==\"imds_request\" and .process.pid==$pid and .http.credentials_delivered==true" | head -1)
check_eq "bighead: the credentials found in the response: access key id, imds_credential_fetch and evasive_credential_fetch" \
	"$(jq -c '[.credentials.access_key_id, ([.findings[].rule] | sort)]' <<<"$ev")" \
	"[\"$AKID\",[\"evasive_credential_fetch\",\"imds_credential_fetch\"]]"

check "agent_stats counts via_nat and found_at_start" jq_true \
	".kernel_submitted | .endpoint_connect_via_nat >= $NAT_OK and .endpoint_connect_found_at_start >= 1" \
	"$(events '.event=="agent_stats"' | tail -1)"
check_eq "no drops" "$(jq -s -c '[.[]|select(.event=="agent_stats")][-1].drops' "$AGENT_OUT")" \
	'{"ringbuf_full":0,"bad_record":0,"output_error":0,"low_priority_refused":0,"cgroups_dropping":0,"by_cgroup":[]}'

# NAT where the packet hooks cannot read the task (6.1; forced here with --hooks packet=cgroup):
# the connection and its credential fetch are still found, attributed to the pod's container
# by the socket's cgroup, without a process
if ((NAT_OK)); then
	AGENT_OUT=$FN_RUN/events-cg.json
	agent_start --config "$FN_RUN/policy.json" --hooks packet=cgroup || exit 1
	check_eq "packet=cgroup: agent_ready says nat_attribution cgroup" \
		"$(events '.event=="agent_ready"' | jq -r '.hook_selection.packet.nat_attribution')" cgroup
	shape natcg shapes plain 10.99.99.99 "$CREDP"
	check_eq "natcg: the client got credentials" "$(cat "$FN_RUN/natcg.out")" 200
	for _ in $(seq 100); do
		[ "$(count_events ".event==\"imds_request\" and .http.credentials_delivered==true")" -ge 1 ] && break
		sleep 0.1
	done
	agent_stop
	sel=".event==\"imds_request\" and .http.credentials_delivered==true and $NAT_SEL"
	check_eq "natcg: exactly one credential delivery through NAT" "$(count_events "$sel")" 1
	ev=$(events "$sel" | head -1)
	check_eq "natcg: the pod's container, by cgroup" "$(jq -r '.cgroup.path' <<<"$ev")" "$POD_shapes_CGREL"
	check_eq "natcg: no process (pid 0, source unknown)" "$(jq -c '[.process.pid,.process.source]' <<<"$ev")" '[0,"unknown"]'
	check_eq "natcg: access key id and a high finding" \
		"$(jq -c '[.credentials.access_key_id, (.findings[] | select(.rule=="imds_credential_fetch") | .severity)]' <<<"$ev")" \
		"[\"$AKID\",\"high\"]"
	check_eq "natcg: the connect, once, by cgroup" \
		"$(count_events ".event==\"endpoint_connect\" and $NAT_SEL and .cgroup.path==\"$POD_shapes_CGREL\"")" 1
fi

# no secret the simulators handed out, anywhere the agent or this test wrote
leaks=0
for sec in "$FN_RUN"/sim-*.secrets; do
	while IFS= read -r s; do
		[ -n "$s" ] || continue
		if grep -rqF -- "$s" "$FN_RUN"/events*.json "$AGENT_ERR" "$FN_RUN"/*.out "$FN_RUN"/*.err 2>/dev/null; then
			leaks=$((leaks + 1))
		fi
	done <"$sec"
done
check "the simulators handed out secrets (the leak check has something to look for)" \
	test "$(cat "$FN_RUN"/sim-*.secrets | wc -l)" -ge 10
check_eq "no secret in the agent's output, stderr or the clients' output" "$leaks" 0
check_eq "agent wrote nothing to stderr" "$(grep -v '^credwatch: mounted' "$AGENT_ERR")" ""
finish
