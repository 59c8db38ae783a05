#!/bin/bash
# Findings, end to end with the real agent: every rule of user/rules.h fires on a positive case
# with the exact rule and severity, and stays silent on an allowlisted or benign negative
# case (no "finding" at all), over IPv4 and IPv6 endpoints where the rule is about HTTP.
# IMDSv1 vs IMDSv2 for curl and Debian's botocore (v2 flow; v1 fallback when the token PUT is
# refused); token PUTs and metadata lookups are not credential fetches; blocked requests (401,
# no answer) are one severity step lower; 10,000 identical requests fold into one event and
# one finding_summary with the exact count; no secret the simulator handed out or token
# signature appears anywhere; a malformed policy file is refused with exit 2 and file:LINE:COL.
#
# Pods (all in their own network namespaces, where credsim answers on the endpoint addresses,
# per shared/test-machine.md):
#   plain    no AWS configuration (sa token)          imds_credential_fetch, imds_v1,
#                                                     pod_identity_unassociated, foreign_token_read,
#                                                     static_credentials_read,
#                                                     credential_socket_access; botocore v2
#   irsa     IRSA app container + "sidecar" container agent_bypass (own / other container)
#   pi       Pod Identity                             agent_bypass, legacy_sdk, PIA negatives
#   awsnode  kube-system/aws-node-abcde               default allowlist of imds_credential_fetch,
#                                                     config allowlist of static_credentials_read
#   req      credsim --imdsv2 required                401: blocked
#   nov2     credsim --imdsv2 disabled                unblocked v1 reference, botocore v1 fallback
#   hang     credsim --hang                           timeout: blocked
#   flood    10,000 identical IMDSv1 requests         folding
# Host processes: cat / a kubelet-named copy of cat (allowlisted by the config) reading a pod's
# token; curl in a pod's netns through `ip netns exec` from this shell (not in a pod cgroup);
# a connect to the runtime socket.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
. tests/lib/findings.sh
PY=/usr/bin/python3
T_START=$SECONDS
tmark() { echo "test_findings: $1 at $((SECONDS - T_START)) s" >&2; }

ROLE=credwatch-sim-node-role
I4=http://169.254.169.254
I6='http://[fd00:ec2::254]'
P4=http://169.254.170.23
CREDP=/latest/meta-data/iam/security-credentials/$ROLE
CREDD=/2021-07-15/meta-data/iam/security-credentials/$ROLE
SA_DIR=/var/run/secrets/kubernetes.io/serviceaccount
IRSA_ENV=(--env "AWS_ROLE_ARN=arn:aws:iam::000000000000:role/cwtest-irsa"
	--env "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
	--env AWS_STS_REGIONAL_ENDPOINTS=regional --env AWS_REGION=us-east-1)
PI_ENV=(--env "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials"
	--env "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token")
# (the kernel-matrix VM sets CW_FLOOD_N lower: 10,000 emulated requests take minutes there,
# and the count is checked exactly whatever it is)
FLOOD_N=${CW_FLOOD_N:-10000}

fn_init || exit 1
fn_root

# --- malformed policy files: refused before anything starts -------------------------------------
# bad_config NAME WANT-LINE WANT-COL WANT-TEXT CONTENT
bad_config() {
	local name=$1 line=$2 col=$3 text=$4 f=$FN_RUN/$1.json rc=0 err
	printf '%s' "$5" >"$f"
	"$CREDWATCH" run --config "$f" --duration 1 --output "$FN_RUN/$name.out" 2>"$FN_RUN/$name.err" || rc=$?
	err=$(cat "$FN_RUN/$name.err")
	check_eq "config $name: exit status 2" "$rc" 2
	check "config $name: message names file:$line:$col: ($err)" \
		grep -qF "$f:$line:$col: " "$FN_RUN/$name.err"
	check "config $name: message says what is wrong" grep -qF "$text" "$FN_RUN/$name.err"
	check_eq "config $name: no event written" "$(cat "$FN_RUN/$name.out" 2>/dev/null)" ""
}
bad_config badjson 3 35 "expected" $'{\n  "policy": {\n    "imds_v1": {"severity": "low",}\n  }\n}\n'
bad_config unknownkey 4 7 'unknown key "severty"' \
	$'{\n  "policy": {\n    "imds_v1": {\n      "severty": "low"\n    }\n  }\n}\n'
bad_config unknownrule 3 5 'unknown key "imds_v3"' $'{\n  "policy": {\n    "imds_v3": {}\n  }\n}\n'
bad_config wrongtype 4 18 'policy.imds_v1.enabled: must be true or false' \
	$'{\n  "policy": {\n    "imds_v1": {\n      "enabled": "yes"\n    }\n  }\n}\n'
bad_config wrongtype2 2 83 'policy.host_token_read.extra_allow[1].host_exe: must be a non-empty string' \
	$'{\n  "policy": {"host_token_read": {"extra_allow": [{"host_exe": "/x"}, {"host_exe": 5}]}}\n}\n'

tmark "config checks done"

# --- the fake node ------------------------------------------------------------------------------
setup_plain() {
	fn_pod plain && fn_pod_state plain && fn_volumes plain --sa && fn_sim plain
}
setup_irsa() {
	fn_pod irsa && fn_pod_state irsa "${IRSA_ENV[@]}" && fn_volumes irsa --sa --irsa &&
		fw_container irsa sidecar && fn_sim irsa
}
setup_pi() {
	fn_pod pi && fn_pod_state pi "${PI_ENV[@]}" && fn_volumes pi --sa --pod-identity && fn_sim pi
}
setup_awsnode() {
	fn_pod awsnode && fn_pod_state awsnode --namespace kube-system --name aws-node-abcde \
		--service-account aws-node --image 602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.18.1 &&
		fn_sim awsnode
}
setup_req() { fn_pod req && fn_pod_state req && fn_sim req --imdsv2 required; }
setup_nov2() { fn_pod nov2 && fn_pod_state nov2 && fn_sim nov2 --imdsv2 disabled; }
setup_hang() { fn_pod hang && fn_pod_state hang && fn_sim hang --hang; }
setup_flood() { fn_pod flood && fn_pod_state flood && fn_sim flood; }
PODS=(plain irsa pi awsnode req nov2 hang flood)
# in parallel (the state lives in files under $FN_RUN), then loaded into this shell
for p in "${PODS[@]}"; do
	("setup_$p" >"$FN_RUN/setup-$p.log" 2>&1 && touch "$FN_RUN/setup-$p.ok") &
done
wait
for p in "${PODS[@]}"; do
	if [ ! -e "$FN_RUN/setup-$p.ok" ]; then
		cat "$FN_RUN/setup-$p.log" >&2
		fail "setting up pod $p"
		exit 1
	fi
	fn_load "$p" || exit 1
done

tmark "pods ready"

# the runtime socket, served before the agent starts so it is watched through --host-root
mkdir -p "$FN_ROOT/run/containerd"
$PY tests/lib/unixserver.py "$FN_ROOT/run/containerd/containerd.sock" &
fn_track_pid $!
for _ in $(seq 50); do [ -e "$FN_ROOT/run/containerd/containerd.sock.ready" ] && break; sleep 0.1; done

# a host binary the policy allowlists for host_token_read: a copy of cat named kubelet
# (host_exe entries name the file as the node sees it, below --host-root, and match its inode)
KUBELET_NODE=/opt/bin/kubelet
KUBELET=$FN_ROOT$KUBELET_NODE
mkdir -p "${KUBELET%/*}"
cp "$(readlink -f "$(command -v cat)")" "$KUBELET"

# header files and values read now, before the agent watches (reading a token from the host
# is itself a finding)
printf 'Authorization: %s\n' "$(cat "$POD_pi_VOL_PI/eks-pod-identity-token")" >"$FN_RUN/pi-auth.hdr"
printf 'Authorization: %s\n' "$(cat "$POD_plain_VOL_SA/token")" >"$FN_RUN/plain-auth.hdr"
PLAIN_JWT=$(cat "$POD_plain_VOL_SA/token")
mkdir -p "$FN_RUN/home"

# the default 60 s fold window, stretched where the VM's emulation makes the flood slower
cat >"$FN_RUN/policy.json" <<EOF
{
  "policy": {
    "fold_window_seconds": $((60 * ${CW_TIME_SCALE:-1})),
    "host_token_read": {"extra_allow": [{"host_exe": "$KUBELET_NODE"}]},
    "static_credentials_read": {"extra_allow": [{"namespace": "kube-system", "pod_prefix": "aws-node-"}]}
  }
}
EOF

# IMDSv2 the way curl users do it: PUT for a token, then GET with it (pid of the PUT in $1)
cat >"$FN_RUN/v2.sh" <<'EOS'
put=$1 base=$2 path=$3
shift 3
T=$(sh -c 'echo $$ >"$0"; exec curl -s -g -m 3 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$1/latest/api/token"' "$put" "$base")
exec curl -s -H "X-aws-ec2-metadata-token: $T" -g -m 3 -o /dev/null -w '%{http_code}' "$@" "$base$path"
EOS
# one HTTP request with python's http.client: get.py HOST PATH [Header: value|@file]...
cat >"$FN_RUN/get.py" <<'EOS'
import http.client, sys
host, path = sys.argv[1:3]
hdrs = {}
for h in sys.argv[3:]:
    if h.startswith("@"):
        h = open(h[1:]).read().strip()
    k, v = h.split(":", 1)
    hdrs[k.strip()] = v.strip()
c = http.client.HTTPConnection(host, 80, timeout=3)
c.request("GET", path, headers=hdrs)
r = c.getresponse()
r.read()
print(r.status, end="")
EOS
# FLOOD_N identical IMDSv1 requests over one keep-alive connection
cat >"$FN_RUN/flood.py" <<'EOS'
import http.client, sys, time
path, n = sys.argv[1], int(sys.argv[2])
c = http.client.HTTPConnection("169.254.169.254", 80, timeout=5)
ok = 0
t0 = time.monotonic()
for i in range(n):
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    ok += r.status == 200
print(ok, round(time.monotonic() - t0, 3), end="")
EOS
BOTO='import botocore.session
c = botocore.session.get_session().get_credentials()
print("creds" if c else "none", end="")'
# botocore with nothing but IMDS to go to (no env keys, no files, default endpoint)
BOTO_ENV=(env -u AWS_EC2_METADATA_SERVICE_ENDPOINT -u AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE
	-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE
	-u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
	-u AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE -u AWS_ROLE_ARN -u AWS_WEB_IDENTITY_TOKEN_FILE
	-u AWS_EC2_METADATA_DISABLED "HOME=$FN_RUN/home"
	"AWS_CONFIG_FILE=$FN_RUN/home/no-config" "AWS_SHARED_CREDENTIALS_FILE=$FN_RUN/home/no-creds")

agent_start -v --host-root "$FN_ROOT" --config "$FN_RUN/policy.json" || exit 1
check_eq "agent_ready shows the policy's host_token_read allow entry" \
	"$(jq -c 'select(.event=="agent_ready") | [.config.policy.rules.host_token_read.allow[] | select(.host_exe=="'"$KUBELET_NODE"'" and .host_exe_inode.ino=='"$(stat -c %i "$KUBELET")"')] | length' "$AGENT_OUT")" 1

# run TAG WHERE CMD...: WHERE is host, netns:POD (this shell's cgroup, the pod's network
# namespace), ctr:POD (fn_in_container), side:POD:CNAME (fw_in_container) or a pod name
# (fn_in_pod). The pid goes to $FN_RUN/TAG.pid, the output to $FN_RUN/TAG.out (or $RUN_OUT:
# /dev/null for readers of secrets, so that no file of the test holds one).
run() {
	local tag=$1 where=$2 p ns
	shift 2
	local rec=(sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid")
	case $where in
	host) "${rec[@]}" "$@" ;;
	netns:*)
		ns=POD_${where#netns:}_NETNS
		ip netns exec "${!ns}" "${rec[@]}" "$@" ;;
	ctr:*) fn_in_container "${where#ctr:}" "${rec[@]}" "$@" ;;
	side:*)
		p=${where#side:}
		fw_in_container "${p%%:*}" "${p#*:}" "${rec[@]}" "$@" ;;
	*) fn_in_pod "$where" "${rec[@]}" "$@" ;;
	esac >"${RUN_OUT:-$FN_RUN/$tag.out}" 2>&1
}
# v2 TAG WHERE BASE PATH [curl args]: IMDSv2 flow; the PUT's pid is TAG-put
v2() {
	local tag=$1 where=$2
	shift 2
	run "$tag" "$where" sh "$FN_RUN/v2.sh" "$FN_RUN/$tag-put.pid" "$@"
}
# v1 TAG WHERE URL [curl args]
v1() {
	local tag=$1 where=$2 url=$3
	shift 3
	run "$tag" "$where" curl -s -g -m 3 -o /dev/null -w '%{http_code}' "$@" "$url"
}
# (builtins, no cat: every process costs a lot in the kernel matrix's emulated VM)
pid_of() { local p; { read -r p <"$FN_RUN/$1.pid"; } 2>/dev/null && echo "$p" || echo -1; }
out_of() { [[ -r $FN_RUN/$1.out ]] && printf '%s\n' "$(<"$FN_RUN/$1.out")"; }

tmark "agent ready"

# --- the cases ----------------------------------------------------------------------------------
# a lone request reaches the output promptly: the agent polls at least every 100 ms, and the
# response timeout (1.5 s) of the hanging case below depends on the request being read
v1 lone plain "$I4/latest/meta-data/ami-id"
lone_at=
for i in $(seq 30); do
	if grep -F '"event":"imds_request"' "$AGENT_OUT" | grep -qF "\"process\":{\"pid\":$(pid_of lone),"; then
		lone_at=$i
		break
	fi
	sleep 0.1
done
check "a lone request's imds_request is written within 3 s (after ${lone_at:-more than 30} x 0.1 s)" test -n "$lone_at"

# the hanging IMDS, in the background: curl gives up after 3 s, the agent after 1.5 s
v1 t4 hang "$I4$CREDP" &
hang4=$!
v1 t6 hang "$I6$CREDD" &
hang6=$!

# plain pod: credential fetches (v2), the token PUT, metadata, IMDSv1, the Pod Identity Agent
v2 pc4 plain "$I4" "$CREDP"
v2 pc6 plain "$I6" "$CREDD"
v2 px4 plain "$I4" /2021-07-15/meta-data/iam/security-credentials/x
v2 pm4 plain "$I4" /latest/meta-data/instance-id
v2 pm6 plain "$I6" /latest/meta-data/instance-id
v1 pv4 plain "$I4/latest/meta-data/instance-id"
v1 pv6 plain "$I6/2021-07-15/meta-data/instance-id"
# (the header early in argv: the agent shows the first 8 arguments, redacted)
run pu4 plain curl -s -H "Authorization: $PLAIN_JWT" -g -m 3 -o /dev/null -w '%{http_code}' "$P4/v1/credentials"
run pu6 plain $PY "$FN_RUN/get.py" fd00:ec2::23 /v1/credentials "@$FN_RUN/plain-auth.hdr"
run boto2 plain "${BOTO_ENV[@]}" $PY -c "$BOTO"
# host processes in a pod's netns, not in a pod cgroup
v1 h4 netns:plain "$I4$CREDP"
v1 h6 netns:plain "$I6$CREDD"

# IRSA pod: the app container, then a sidecar the webhook did not configure
v2 bi4 irsa "$I4" "$CREDP"
v2 bi6 irsa "$I6" "$CREDD"
v2 bim irsa "$I4" /latest/meta-data/instance-id
v2 bs4 side:irsa:sidecar "$I4" "$CREDP"
v2 bs6 side:irsa:sidecar "$I6" "$CREDD"

# Pod Identity pod
v2 bp4 pi "$I4" "$CREDP"
v2 bp6 pi "$I6" "$CREDD"
v1 lg4 pi "$P4/v1/credentials" -A 'Botocore/1.29.27 Python/3.11.2' -H "@$FN_RUN/pi-auth.hdr"
run lg6 pi $PY "$FN_RUN/get.py" fd00:ec2::23 /v1/credentials \
	"User-Agent: Botocore/1.29.27 Python/3.11.2 Linux/6.1.0 Botocore/1.29.27" "@$FN_RUN/pi-auth.hdr"
v1 ok4 pi "$P4/v1/credentials" -H "@$FN_RUN/pi-auth.hdr"
v1 okn4 pi "$P4/v1/credentials" -A 'Botocore/1.34.41 Python/3.11.2' -H "@$FN_RUN/pi-auth.hdr"
run ok6 pi $PY "$FN_RUN/get.py" fd00:ec2::23 /v1/credentials \
	"User-Agent: aws-sdk-js/3.600.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.11.0 api/sts#3.600.0" \
	"@$FN_RUN/pi-auth.hdr"
# Debian's botocore cannot use the Pod Identity Agent; without the container variables in its
# environment it falls through to IMDS
run botopi pi "${BOTO_ENV[@]}" $PY -c "$BOTO"

# kube-system/aws-node: allowlisted for imds_credential_fetch, not for imds_v1
v2 an4 awsnode "$I4" "$CREDP"
v2 an6 awsnode "$I6" "$CREDD"
v1 an1 awsnode "$I4/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance"

# IMDSv1 answered (v2 disabled) vs refused (v2 required)
v1 u4 nov2 "$I4$CREDP"
v1 u6 nov2 "$I6$CREDD"
run boto1 nov2 "${BOTO_ENV[@]}" $PY -c "$BOTO"
v1 r4 req "$I4$CREDP"
v1 r6 req "$I6$CREDD"

# token files
RUN_OUT=/dev/null run foreign ctr:plain cat "$POD_irsa_VOL_IRSA/token"
RUN_OUT=/dev/null run own ctr:plain cat "$SA_DIR/token"
RUN_OUT=/dev/null run hosttok host cat "$POD_irsa_VOL_IRSA/token"
RUN_OUT=/dev/null run kubelet host "$KUBELET" "$POD_irsa_VOL_IRSA/token"
# ~/.aws/credentials on a private tmpfs home inside the container's mount namespace; the file
# is written by a subshell (another pid), read by cat
cat >"$FN_RUN/awsread.sh" <<'EOS'
(mount -t tmpfs cwtest-home /root && mkdir -p /root/.aws &&
	printf '[default]\naws_access_key_id = AKIAFIXTUREONLY00000\n' >/root/.aws/credentials) || exit 1
exec cat /root/.aws/credentials
EOS
RUN_OUT=/dev/null run static ctr:plain sh "$FN_RUN/awsread.sh"
RUN_OUT=/dev/null run static_ok ctr:awsnode sh "$FN_RUN/awsread.sh"
# the runtime socket
CONNECT='import socket,sys; s=socket.socket(socket.AF_UNIX)
try: s.connect(sys.argv[1])
except OSError as e: print(e)'
FN_BINDS="$FN_ROOT/run/containerd:/run/containerd" run sock ctr:plain $PY -c "$CONNECT" /run/containerd/containerd.sock
run sockhost host $PY -c "$CONNECT" "$FN_ROOT/run/containerd/containerd.sock"

wait $hang4 $hang6

tmark "cases done"

# the flood, last, alone
T_FLOOD=$SECONDS
run flood flood $PY "$FN_RUN/flood.py" "$CREDP" "$FLOOD_N"
T_FLOOD=$((SECONDS - T_FLOOD))
sleep 0.5

# Stop the agent. It watches the whole machine: other tests (benchmarks) running at the same
# time can put hundreds of thousands of their lines into the output. The assertions below read
# this test's lines only (its cgroups, host processes, the agent's own events); the schema check
# covers the whole output unless it is that large, then this test's lines.
AGENT_RAW=$AGENT_OUT
rc=0
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || rc=$?
AGENT_PID=
check_eq "agent exits 0 on SIGTERM" "$rc" 0
AGENT_OUT=$FN_RUN/events-mine.json
awk -v mine="\"path\":\"$FN_CGREL/" 'index($0, mine) || !index($0, "\"path\":\"cwtest-")' \
	"$AGENT_RAW" >"$AGENT_OUT"
raw_lines=$(wc -l <"$AGENT_RAW")
if [ "$raw_lines" -le 20000 ]; then
	check "every output line ($raw_lines) validates against the schema" "$VALIDATE" "$AGENT_RAW" --complete
else
	check "every line of this test ($(wc -l <"$AGENT_OUT") of $raw_lines: other tests ran meanwhile) validates against the schema" \
		"$VALIDATE" "$AGENT_OUT" --complete
fi

tmark "agent stopped, output checked"

# --- assertions ---------------------------------------------------------------------------------
HTTPEV='(.event=="imds_request" or .event=="agent_request")'
ACCESS='(.event=="imds_request" or .event=="agent_request" or .event=="file_open" or .event=="socket_connect")'
jq -c "select($ACCESS)" "$AGENT_OUT" >"$FN_RUN/access.json"
# The access events indexed by pid once ("process" opens with "pid"; awk, not jq: quick on a
# loaded machine), so that a lookup below reads one small file and runs no process.
mkdir -p "$FN_RUN/ev"
awk -v d="$FN_RUN/ev" 'match($0, /"process":\{"pid":[0-9]+,/) {
	p = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", p); print > (d "/" p) }' "$FN_RUN/access.json"
ev_of() {
	local f
	f=$FN_RUN/ev/$(pid_of "$1")
	[[ -s $f ]] && printf '%s\n' "$(<"$f")"
	return 0
}
# count_lines TEXT: its non-empty lines
count_lines() {
	local n=0 l
	while IFS= read -r l; do [[ -n $l ]] && n=$((n + 1)); done <<<"$1"
	echo "$n"
}
n_of() { count_lines "$(ev_of "$1")"; }
# fval TAG JQ: JQ over TAG's events, one line each, joined by spaces
fval() {
	local out
	out=$(ev_of "$1" | jq -c "$2")
	echo "${out//$'\n'/ }"
}

# finding TAG RULE SEV [RULES-IN-FINDINGS]: exactly one access event, its finding, all findings
finding() {
	local tag=$1 rule=$2 sev=$3 all=${4:-$2} got
	local l=()
	got=$(ev_of "$tag")
	check_eq "$tag: one event" "$(count_lines "$got")" 1
	mapfile -t l < <(jq -r '"\(.finding.rule)/\(.finding.severity)", ([(.findings // [])[].rule]|join(","))' <<<"${got%%$'\n'*}")
	check_eq "$tag: finding $rule/$sev" "${l[0]-}" "$rule/$sev"
	check_eq "$tag: findings [$all]" "${l[1]-}" "$all"
}
# nofinding TAG: exactly one access event, without "finding" or "findings"
nofinding() {
	check_eq "$1: one event" "$(n_of "$1")" 1
	check_eq "$1: no finding" "$(fval "$1" '[has("finding"),has("findings")]')" "[false,false]"
}
# http TAG JQ WANT: a field list of the request's event
http() { check_eq "$1: $2" "$(fval "$1" "$2")" "$3"; }
# the token PUT of a v2 flow: no finding, not a credential request
put_ok() {
	nofinding "$1-put"
	http "$1-put" '[.http.method,.http.imds_version,.http.credential_request,.http.class,.http.status]' \
		'["PUT","token_put",false,"imds_token",200]'
}

# -- imds_credential_fetch (plain pod)
finding pc4 imds_credential_fetch high
http pc4 '[.endpoint.addr,.endpoint.family,.http.imds_version,.http.credential_request,.http.class,.http.status,.http.token_header,.host]' \
	'["169.254.169.254","ipv4","v2",true,"imds_credentials",200,true,false]'
check_eq "pc4: the pod is named in the summary" "$(fval pc4 '.finding.summary|test("pod default/plain")')" true
put_ok pc4
http pc4 '[.process.args_redacted,.process.args[3]]' '[true,"X-aws-ec2-metadata-token: [REDACTED]"]'
finding pc6 imds_credential_fetch high
http pc6 '[.endpoint.addr,.endpoint.family,.http.imds_version,.http.credential_request,.http.path,.http.status]' \
	"[\"fd00:ec2::254\",\"ipv6\",\"v2\",true,\"$CREDD\",200]"
put_ok pc6
# a guessed role name: a credential request all the same, answered 404 without credentials,
# so one step lower and marked blocked
finding px4 imds_credential_fetch medium
http px4 '[.http.path,.http.credential_request,.http.status,.http.blocked,.http.credentials_delivered]' \
	'["/2021-07-15/meta-data/iam/security-credentials/x",true,404,true,false]'
for t in pm4 pm6; do
	nofinding $t
	http $t '[.http.imds_version,.http.credential_request,.http.class,.http.status]' '["v2",false,"imds_metadata",200]'
	put_ok $t
done
# -- imds_v1 (metadata only: nothing else)
finding lone imds_v1 medium
finding pv4 imds_v1 medium
http pv4 '[.endpoint.family,.http.imds_version,.http.credential_request,.http.token_header,.http.status]' '["ipv4","v1",false,false,200]'
finding pv6 imds_v1 medium
http pv6 '[.endpoint.family,.http.imds_version,.http.credential_request,.http.status]' '["ipv6","v1",false,200]'
# host processes: imds_v1 only, never imds_credential_fetch
for t in h4 h6; do
	finding $t imds_v1 medium
	http $t '[.host,.http.imds_version,.http.credential_request,.http.status]' '[true,"v1",true,200]'
	check_eq "$t: summary says host process" "$(fval $t '.finding.summary|startswith("IMDSv1 request (no session token) from host process")')" true
done
check_eq "h6 went over IPv6" "$(fval h6 .endpoint.addr)" '"fd00:ec2::254"'
# -- pod_identity_unassociated
finding pu4 pod_identity_unassociated medium
http pu4 '[.event,.endpoint.kind,.endpoint.family,.http.class,.http.credential_request,.http.authorization_header,.http.status]' \
	'["agent_request","pod_identity_agent","ipv4","pod_identity_credentials",true,true,200]'
check_eq "pu4: the token in curl's argv is redacted" "$(fval pu4 '[.process.args_redacted,.process.args[3]]')" \
	'[true,"Authorization: [REDACTED]"]'
finding pu6 pod_identity_unassociated medium
http pu6 '[.endpoint.addr,.endpoint.family,.http.status]' '["fd00:ec2::23","ipv6",200]'
for t in ok4 okn4 ok6; do
	nofinding $t
	http $t '[.event,.http.class,.http.credential_request,.http.status]' '["agent_request","pod_identity_credentials",true,200]'
done
http ok6 '.endpoint.family' '"ipv6"'
# -- legacy_sdk
finding lg4 legacy_sdk medium
http lg4 '[.endpoint.family,.sdk.name,.sdk.version,.sdk.pod_identity_support,.http.status]' '["ipv4","botocore","1.29.27","too_old",200]'
finding lg6 legacy_sdk medium
http lg6 '[.endpoint.family,.sdk.name,.sdk.version,.sdk.pod_identity_support]' '["ipv6","botocore","1.29.27","too_old"]'
http okn4 '[.sdk.name,.sdk.version,.sdk.pod_identity_support]' '["botocore","1.34.41","supported"]'
# -- agent_bypass
for t in bi4 bi6; do
	finding $t agent_bypass high
	check_eq "$t: summary says IRSA, own container" \
		"$(fval $t '.finding.summary|[test("configured for IRSA"),test("another container")]')" '[true,false]'
	put_ok $t
done
nofinding bim
for t in bs4 bs6; do
	finding $t agent_bypass high
	check_eq "$t: summary says another container" \
		"$(fval $t '.finding.summary|[test("configured for IRSA"),test("\\(in another container of the pod\\)")]')" '[true,true]'
	http $t '[.container.name,.cgroup.path]' "[\"sidecar\",\"$(fw_get irsa sidecar CGREL)\"]"
done
check_eq "bi6/bs6 went over IPv6" "$(fval bi6 .endpoint.family) $(fval bs6 .endpoint.family)" '"ipv6" "ipv6"'
for t in bp4 bp6; do
	finding $t agent_bypass high
	check_eq "$t: summary says Pod Identity" "$(fval $t '.finding.summary|test("configured for Pod Identity but")')" true
done
check_eq "bp6 went over IPv6" "$(fval bp6 .endpoint.family)" '"ipv6"'
# -- the allowlisted aws-node pod: no imds_credential_fetch, but imds_v1 all the same
for t in an4 an6; do nofinding $t; http $t '.http.credential_request' true; put_ok $t; done
finding an1 imds_v1 medium
http an1 '[.http.credential_request,.pod.namespace,.pod.name]' '[true,"kube-system","aws-node-abcde"]'
# -- IMDSv1 answered: the reference severity for the blocked cases
for t in u4 u6; do
	finding $t imds_credential_fetch high imds_credential_fetch,imds_v1
	http $t '[.http.status,.http.blocked,.http.imds_version]' '[200,false,"v1"]'
	check_eq "$t: imds_v1 is medium" "$(fval $t '[.findings[]|select(.rule=="imds_v1")|.severity]')" '["medium"]'
done
# -- blocked: 401 and no answer, one step lower
for t in r4 r6; do
	finding $t imds_credential_fetch medium imds_credential_fetch,imds_v1
	http $t '[.http.status,.http.response,.http.blocked,.http.imds_version]' '[401,"received",true,"v1"]'
	check_eq "$t: imds_v1 one step lower: low" "$(fval $t '[.findings[]|select(.rule=="imds_v1")|.severity]')" '["low"]'
	check_eq "$t: summary says blocked" "$(fval $t '.finding.summary|endswith("(blocked)")')" true
	check_eq "$t: curl saw 401" "$(out_of $t)" 401
done
for t in t4 t6; do
	finding $t imds_credential_fetch medium imds_credential_fetch,imds_v1
	http $t '[.http.status,.http.response,.http.blocked]' '[null,"timeout",true]'
	check_eq "$t: imds_v1 one step lower: low" "$(fval $t '[.findings[]|select(.rule=="imds_v1")|.severity]')" '["low"]'
done
check_eq "r6/t6 went over IPv6" "$(fval r6 .endpoint.family) $(fval t6 .endpoint.family)" '"ipv6" "ipv6"'

# -- botocore: v2 flow (token PUT, then v2 requests), v1 fallback when the PUT is refused
boto_ev() { events "$HTTPEV and .process.pid==$(pid_of "$1")"; }
check_eq "botocore v2: got credentials" "$(out_of boto2)" creds
check_eq "botocore v2: PUT first, then v2 GETs of the role list and the role" \
	"$(boto_ev boto2 | jq -r '[.http.method,.http.imds_version,.http.path]|join(" ")' | tr '\n' ';')" \
	"PUT token_put /latest/api/token;GET v2 /latest/meta-data/iam/security-credentials/;GET v2 $CREDP;"
check_eq "botocore v2: the PUT has no finding and is no credential request" \
	"$(boto_ev boto2 | jq -c 'select(.http.method=="PUT") | [has("finding"),.http.credential_request]')" '[false,false]'
check_eq "botocore v2: both GETs are imds_credential_fetch/high, no imds_v1" \
	"$(boto_ev boto2 | jq -c 'select(.http.method=="GET") | [.finding.rule,.finding.severity,([(.findings // [])[].rule]|join(","))]' | tr '\n' ' ')" \
	'["imds_credential_fetch","high","imds_credential_fetch"] ["imds_credential_fetch","high","imds_credential_fetch"] '
check_eq "botocore v2: SDK botocore 1.29.27" "$(boto_ev boto2 | jq -c '[.sdk.name,.sdk.version]' | sort -u)" '["botocore","1.29.27"]'
check_eq "botocore fallback: got credentials" "$(out_of boto1)" creds
check_eq "botocore fallback: PUT refused (403), then v1 GETs" \
	"$(boto_ev boto1 | jq -r '[.http.method,.http.imds_version,.http.status,.http.path]|join(" ")' | tr '\n' ';')" \
	"PUT token_put 403 /latest/api/token;GET v1 200 /latest/meta-data/iam/security-credentials/;GET v1 200 $CREDP;"
check_eq "botocore fallback: the refused PUT has no finding" \
	"$(boto_ev boto1 | jq -c 'select(.http.method=="PUT") | has("finding")')" false
check_eq "botocore fallback: the GETs carry imds_v1" \
	"$(boto_ev boto1 | jq -c 'select(.http.method=="GET") | [.finding.rule,.finding.severity,([(.findings // [])[].rule]|join(","))]' | tr '\n' ' ')" \
	'["imds_credential_fetch","high","imds_credential_fetch,imds_v1"] ["imds_credential_fetch","high","imds_credential_fetch,imds_v1"] '
check_eq "botocore in the Pod Identity pod: falls back to IMDS, agent_bypass with legacy_sdk" \
	"$(boto_ev botopi | jq -c 'select(.http.method=="GET") | [.finding.rule,.finding.severity,([.findings[]|"\(.rule)/\(.severity)"]|join(","))]' | tr '\n' ' ')" \
	'["agent_bypass","high","agent_bypass/high,legacy_sdk/medium"] ["agent_bypass","high","agent_bypass/high,legacy_sdk/medium"] '
check_eq "botocore in the Pod Identity pod: the PUT is legacy_sdk only" \
	"$(boto_ev botopi | jq -c 'select(.http.method=="PUT") | [.finding.rule,.finding.severity,([(.findings // [])[].rule]|join(","))]')" \
	'["legacy_sdk","medium","legacy_sdk"]'

# -- token files
finding foreign foreign_token_read critical
http foreign '[.file.kind,.file.owner.pod_uid,.file.owner.verified]' "[\"irsa_token\",\"$POD_irsa_UID\",true]"
nofinding own
http own '.file.kind' '"sa_token"'
finding hosttok host_token_read high
http hosttok '[.host,.file.kind]' '[true,"irsa_token"]'
nofinding kubelet
http kubelet '[.host,.file.kind,.process.exe]' "[true,\"irsa_token\",\"$KUBELET\"]"
finding static static_credentials_read medium
http static '.file.kind' '"aws_credentials"'
nofinding static_ok
http static_ok '[.file.kind,.pod.namespace]' '["aws_credentials","kube-system"]'
# -- sockets
finding sock credential_socket_access high
http sock '[.socket.kind,.socket.success]' '["container_runtime",true]'
nofinding sockhost
http sockhost '[.host,.socket.kind,.socket.success]' '[true,"container_runtime",true]'

# -- the flood: every request answered, one event, one summary with the exact count
fl=$(pid_of flood)
check_eq "flood: the client got $FLOOD_N answers" "$(out_of flood | cut -d' ' -f1)" "$FLOOD_N"
# CW_TIME_SCALE: the kernel-matrix VM runs under software emulation, ~5-10x slower
check "flood: $FLOOD_N requests took <= $((10 * ${CW_TIME_SCALE:-1})) s (took $(out_of flood | cut -d' ' -f2) s, ${T_FLOOD} s with startup)" \
	test "$(out_of flood | cut -d' ' -f2 | cut -d. -f1)" -lt $((10 * ${CW_TIME_SCALE:-1}))
check_eq "flood: the simulator logged $FLOOD_N answered GETs of the role" \
	"$(jq -c "select(.method==\"GET\" and .path==\"$CREDP\" and .status==200)" "$SIM_flood_LOG" | wc -l)" "$FLOOD_N"
check_eq "flood: exactly one imds_request event" "$(count_events ".event==\"imds_request\" and .process.pid==$fl")" 1
check_eq "flood: its finding" \
	"$(events ".event==\"imds_request\" and .process.pid==$fl" | jq -c '[.finding.rule,.finding.severity,([(.findings // [])[].rule]|join(","))]')" \
	'["imds_credential_fetch","high","imds_credential_fetch,imds_v1"]'
SUMSEL=".event==\"finding_summary\" and .subject.pod_uid==\"$POD_flood_UID\""
check_eq "flood: exactly one finding_summary" "$(count_events "$SUMSEL")" 1
check_eq "flood: the summary counts every request" \
	"$(events "$SUMSEL" | jq -c '[.count,.finding.rule,.finding.severity,.subject.host,.subject.namespace,.subject.pod_name,.target]')" \
	"[$FLOOD_N,\"imds_credential_fetch\",\"high\",false,\"default\",\"flood\",\"imds:GET $CREDP\"]"
STATS=$(jq -c 'select(.event=="agent_stats")' "$AGENT_OUT" | tail -1)
check_eq "no drops" "$(jq -c .drops <<<"$STATS")" '{"ringbuf_full":0,"bad_record":0,"output_error":0,"low_priority_refused":0,"cgroups_dropping":0,"by_cgroup":[]}'
check "the agent saw at least the flood's requests (http.requests $(jq .http.requests <<<"$STATS"))" \
	test "$(jq .http.requests <<<"$STATS")" -ge "$FLOOD_N"
check "folded at least the flood's repeats ($(jq .finding_counts.folded <<<"$STATS"))" \
	test "$(jq .finding_counts.folded <<<"$STATS")" -ge $((FLOOD_N - 1))
check_eq "no summary for a window with a single hit: only the flood's from this test" \
	"$(count_events ".event==\"finding_summary\" and (.subject.pod_uid as \$u | [\"$POD_plain_UID\",\"$POD_irsa_UID\",\"$POD_pi_UID\",\"$POD_awsnode_UID\",\"$POD_req_UID\",\"$POD_nov2_UID\",\"$POD_hang_UID\"] | index(\$u))")" 0

# -- no secret anywhere: every value credsim handed out, every fixture token signature
sort -u "$FN_RUN"/sim-*.secrets "$FN_RUN/secrets" | grep -v '^$' >"$FN_RUN/all-secrets.txt"
check "secrets were recorded for the leak check ($(wc -l <"$FN_RUN/all-secrets.txt"))" \
	test "$(wc -l <"$FN_RUN/all-secrets.txt")" -ge 20
check "IMDSv2 session tokens are among them" grep -q '^CWSIMTOK' "$FN_RUN/all-secrets.txt"
# every file the test leaves, except the secret stores themselves, the token volumes and the
# header files that carry a token on purpose
leaky=$(find "$FN_RUN" -type f ! -name '*.secrets' ! -name secrets ! -name all-secrets.txt \
	! -name '*.hdr' ! -path "$FN_ROOT/var/lib/kubelet/pods/*" -print0 |
	xargs -0 grep -lF -f "$FN_RUN/all-secrets.txt" 2>/dev/null)
check_eq "no secret in the agent's output, its stderr or any other file of the test" "$leaky" ""
check_eq "no fixture access key in the output" "$(grep -c AKIAFIXTUREONLY "$AGENT_OUT")" 0
# (how long it took is printed, not checked: on a busy machine it varies by several times, and
# speed is measured by make bench)
tmark "done"
[ -n "${CWTEST_DEBUG_KEEP:-}" ] && cp "$AGENT_OUT" "$CWTEST_DEBUG_KEEP"
finish
