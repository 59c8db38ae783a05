#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End-to-end scenarios with real AWS clients (issue "End-to-end scenarios with real AWS
# clients"): the real agent (--host-root on a fake node) watches unmodified clients resolve
# credentials against the simulated IMDS / Pod Identity Agent / STS (credsim), and every
# scenario must produce exactly the events and findings listed here - nothing missing, no
# extra finding - and never a secret.
#
#   1. AWS SDK for JavaScript v3 (npm @aws-sdk/credential-providers, pinned in
#      package-lock.json; fromNodeProviderChain):
#        jspi    Pod Identity pod: reads its own pod_identity_token, GET /v1/credentials from
#                the Pod Identity Agent, no finding; gets the agent's key, not the node's
#        jsirsa  IRSA pod, AWS_ENDPOINT_URL_STS at the simulated STS on 127.0.0.1:8080 in the
#                pod's netns: reads its own irsa_token, no finding; STS saw that token
#                (sha256 of the file == web_identity_token_sha256 in credsim's log)
#        jsnode  no workload identity: IMDSv2 PUT, then the role list and the role:
#                imds_credential_fetch. Its IMDS client sends no User-Agent at all
#                (@smithy/credential-provider-imds), so no sdk - asserted as such.
#   2. Debian's python3-botocore 1.29.27 (/usr/bin/python3):
#        boto    app container with the Pod Identity variables: botocore raises ValueError
#                "Unsupported host '169.254.170.23'" before any I/O - no event at all.
#                Container "legacy" of the same pod without them (skip-containers): falls
#                through to IMDSv2: agent_bypass "(in another container of the pod)" plus
#                legacy_sdk (the PUT: legacy_sdk only)
#        bv1     IMDSv2 disabled (PUT 403): v1 fallback: imds_credential_fetch + imds_v1
#   3. Debian's awscli 2.9.19 (/usr/bin/aws configure export-credentials, no AWS call):
#        cli     imds_credential_fetch, sdk aws-cli 2.9.19 (UA "aws-cli/2.9.19")
#   4. curl and busybox wget (pod "curl"; imds-oneliner.sh): the IMDSv1 one-liner and the
#      IMDSv2 two-step over 169.254.169.254, [fd00:ec2::254] and ::ffff:169.254.169.254
#      (curl --connect-to: a real IPv4-mapped AF_INET6 connect), wget v1 over IPv4 and IPv6;
#      thief: curl -H "Authorization: $(cat token)" to the Pod Identity Agent with a token
#      taken from pod jspi, from a pod without an association: pod_identity_unassociated,
#      the token redacted from curl's argv in the event.
#   5. host: curl from this shell through `ip netns exec` into pod hostns's netns (never the
#      host netns): host: true, imds_v1 for the v1 fetch, nothing for the v2 flow.
#   6. probes (issue 14): the JS SDK in the Pod Identity pod and in the plain pod, and
#      botocore, with a HOME without .aws and no AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE:
#      the JS SDK's failed opens of ~/.aws/config and ~/.aws/credentials are audit events,
#      botocore stat()s them and opens nothing; the only findings are the IMDS fetches'.
#
# Folding is off (policy fold_window_seconds 0): the curl pod repeats the same targets over
# three address forms on purpose; with it off, not one finding_summary may appear.
# Every client runs in a test network namespace (no default route, only lo: checked), with
# single attempts and short timeouts; AWS_ENDPOINT_URL(_STS) point at the pod-local STS.
# npm packages: `npm ci` into tests/e2e/node_modules, skipped while the lockfile's sha256
# matches node_modules/.credwatch-lock.sha256; an unreachable registry is a FAIL.
# shellcheck source-path=SCRIPTDIR/../..
# shellcheck disable=SC2154 # POD_*/SIM_* come from fn_load
set -u
cd "$(dirname "$0")/../.." || exit 1
T_START=$SECONDS
E2E=tests/e2e
PY=/usr/bin/python3
AWS=/usr/bin/aws
PIN_MIN=3.458.0

. tests/lib/fakenode.sh
. tests/lib/agent.sh
. tests/lib/findings.sh

CHECKS_PASSED=0
pass() { echo "PASS: $*"; CHECKS_PASSED=$((CHECKS_PASSED + 1)); }
summary() { echo "e2e: $CHECKS_PASSED passed, $CHECKS_FAILED failed ($((SECONDS - T_START)) s)"; }
bail() { fail "$*"; summary; exit 1; }

if [ "$(id -u)" != 0 ]; then
	bail "the e2e suite needs root (BPF, cgroups, network namespaces)"
fi

# --- npm packages: installed once per lockfile ------------------------------------------------
NODE=$(command -v node) || bail "node not found (Node.js 20 is a requirement of the e2e suite)"
command -v npm >/dev/null || bail "npm not found"
npm_setup() {
	local lock=$E2E/package-lock.json stamp=$E2E/node_modules/.credwatch-lock.sha256 want reg
	local pin got log=$FN_RUN/npm.log
	want=$(sha256sum <"$lock" | cut -c1-64)
	pin=$(jq -r '.packages["node_modules/@aws-sdk/credential-providers"].version' "$lock")
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" == "$want" ] &&
		[ -f "$E2E/node_modules/@aws-sdk/credential-providers/package.json" ]; then
		pass "npm: node_modules matches the lockfile (sha256 $want); not reinstalled"
	else
		reg=$(cd "$E2E" && npm config get registry 2>/dev/null)
		echo "npm: installing the lockfile's packages into $E2E/node_modules from $reg"
		if ! (cd "$E2E" && timeout 60 npm ping --fetch-retries=1 --fetch-timeout=15000) >"$log" 2>&1; then
			sed 's/^/npm: /' "$log" | grep -v "^npm: npm error *[{}]*$" | head -8
			bail "npm registry $reg is unreachable: cannot install @aws-sdk/credential-providers $pin for the e2e suite (npm ping failed; see above)"
		fi
		if ! (cd "$E2E" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
			sed 's/^/npm: /' "$log" | tail -20
			rm -f "$stamp"
			bail "npm ci in $E2E failed (registry $reg)"
		fi
		echo "$want" >"$stamp"
		pass "npm: installed the lockfile's packages (stamp $want)"
	fi
	got=$(jq -r .version "$E2E/node_modules/@aws-sdk/credential-providers/package.json")
	check_eq "npm: @aws-sdk/credential-providers installed is the pinned version" "$got" "$pin"
	check "npm: the pinned version $pin is >= $PIN_MIN (first to speak Pod Identity)" \
		test "$(printf '%s\n' "$PIN_MIN" "$pin" | sort -V | head -1)" == "$PIN_MIN"
	check_eq "npm: package.json pins the exact version" \
		"$(jq -r '.dependencies["@aws-sdk/credential-providers"]' "$E2E/package.json")" "$pin"
}

fn_init || bail "fn_init"
fn_root
npm_setup
[ "$CHECKS_FAILED" -eq 0 ] || bail "npm packages missing"
for b in "$PY" "$AWS"; do [ -x "$b" ] || bail "$b missing (make test installs python3-botocore and awscli)"; done
check_eq "Debian's botocore is 1.29.27" "$($PY -c 'import botocore; print(botocore.__version__)')" 1.29.27
check "Debian's awscli is 2.9.19" grep -q '^aws-cli/2\.9\.19 ' <<<"$($AWS --version 2>&1)"

# --- the fake node --------------------------------------------------------------------------------
STS_URL=http://127.0.0.1:8080
ROLE=credwatch-sim-node-role
I4=http://169.254.169.254
I6='http://[fd00:ec2::254]'
MAPPED=(--connect-to '169.254.169.254:80:[::ffff:169.254.169.254]:80')
CREDP=/latest/meta-data/iam/security-credentials/
PI_TOKEN=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token
IRSA_TOKEN=/var/run/secrets/eks.amazonaws.com/serviceaccount/token
IRSA_ROLE=arn:aws:iam::000000000000:role/cwtest-e2e-irsa
PI_ENV=(AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$PI_TOKEN")
IRSA_ENV=("AWS_ROLE_ARN=$IRSA_ROLE" "AWS_WEB_IDENTITY_TOKEN_FILE=$IRSA_TOKEN")
PI_AKID=ASIASIMULATEDPIA0001	# credsim's fixed Pod Identity key (--access-key-id is IMDS's)
STS_AKID=ASIASIMULATEDSTS0001	# and its fixed STS key
# the same variables as fn_pod_state options (what the webhook put in the container's spec)
PI_STATE=() IRSA_STATE=()
for e in "${PI_ENV[@]}"; do PI_STATE+=(--env "$e"); done
for e in "${IRSA_ENV[@]}" AWS_STS_REGIONAL_ENDPOINTS=regional AWS_REGION=us-east-1; do IRSA_STATE+=(--env "$e"); done
# credsim on every endpoint address plus STS on 127.0.0.1:8080, node-role key = $2
sim() {
	local pod=$1 akid=$2
	shift 2
	fn_sim "$pod" --listen 169.254.169.254:80 --listen '[fd00:ec2::254]:80' \
		--listen 169.254.170.23:80 --listen '[fd00:ec2::23]:80' --listen 169.254.170.2:80 \
		--listen 127.0.0.1:8080@sts --access-key-id "$akid" --pia-check-jwt "$@"
}
setup_jspi() {
	# credsim checks the Authorization value against a copy of the pod's token taken now: it
	# re-reads its --pia-token-file on every request, and a host process reading the pod's own
	# token file would be a (correct) host_token_read that is no part of this scenario
	fn_pod jspi && fn_pod_state jspi "${PI_STATE[@]}" && fn_volumes jspi --sa --pod-identity &&
		cp "$POD_jspi_VOL_PI/eks-pod-identity-token" "$FN_RUN/jspi-expected.token" &&
		sim jspi ASIAE2EJSPINODE00001 --pia-token-file "$FN_RUN/jspi-expected.token"
}
setup_jsirsa() {
	fn_pod jsirsa && fn_pod_state jsirsa "${IRSA_STATE[@]}" &&
		fn_volumes jsirsa --sa --irsa && sim jsirsa ASIAE2EJSIRSANODE001
}
setup_jsnode() { fn_pod jsnode && fn_pod_state jsnode && fn_volumes jsnode --sa && sim jsnode ASIAE2EJSNODE0000001; }
setup_boto() {
	fn_pod boto && fn_pod_state boto "${PI_STATE[@]}" && fn_volumes boto --sa --pod-identity &&
		fw_container boto legacy && sim boto ASIAE2EBOTOSKIP00001
}
setup_bv1() { fn_pod bv1 && fn_pod_state bv1 && fn_volumes bv1 --sa && sim bv1 ASIAE2EBOTOV100000001 --imdsv2 disabled; }
setup_cli() { fn_pod cli && fn_pod_state cli && fn_volumes cli --sa && sim cli ASIAE2EAWSCLI0000001; }
setup_curl() { fn_pod curl && fn_pod_state curl && fn_volumes curl --sa && sim curl ASIAE2ECURL000000001; }
setup_thief() { fn_pod thief && fn_pod_state thief && fn_volumes thief --sa && sim thief ASIAE2ETHIEF00000001; }
setup_hostns() { fn_pod hostns && sim hostns ASIAE2EHOST000000001; }
PODS=(jspi jsirsa jsnode boto bv1 cli curl thief hostns)
for p in "${PODS[@]}"; do
	("setup_$p" >"$FN_RUN/setup-$p.log" 2>&1 && touch "$FN_RUN/setup-$p.ok") &
done
wait
for p in "${PODS[@]}"; do
	if [ ! -e "$FN_RUN/setup-$p.ok" ]; then
		cat "$FN_RUN/setup-$p.log" >&2
		bail "setting up pod $p"
	fi
	fn_load "$p" || bail "fn_load $p"
done
# no client can leave its namespace: only lo, no default route (v4 or v6)
for p in "${PODS[@]}"; do
	ns=POD_${p}_NETNS
	check_eq "pod $p: netns has only lo and no default route" \
		"$(ip -n "${!ns}" -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')|$(ip -n "${!ns}" route show default)|$(ip -n "${!ns}" -6 route show default)" \
		"lo ||"
done

# facts taken before the agent watches (a host process reading a pod's token is a finding)
IRSA_SHA=$(sha256sum <"$POD_jsirsa_VOL_IRSA/token" | cut -c1-64)
PI_SHA=$(sha256sum <"$FN_RUN/jspi-expected.token" | cut -c1-64)
cp "$FN_RUN/jspi-expected.token" "$FN_RUN/stolen.token"	# what the thief got hold of
mkdir -p "$FN_RUN/home"
cat >"$FN_RUN/policy.json" <<'EOF'
{"policy": {"fold_window_seconds": 0}}
EOF

# the environment of every SDK client: nothing inherited, no config or credentials files,
# one attempt, short timeouts, every endpoint pod-local
SDK_ENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	"HOME=$FN_RUN/home" LANG=C.UTF-8 AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
	"AWS_CONFIG_FILE=$FN_RUN/home/no-config" "AWS_SHARED_CREDENTIALS_FILE=$FN_RUN/home/no-credentials"
	"AWS_ENDPOINT_URL=$STS_URL" "AWS_ENDPOINT_URL_STS=$STS_URL" AWS_STS_REGIONAL_ENDPOINTS=regional
	AWS_METADATA_SERVICE_NUM_ATTEMPTS=1 AWS_METADATA_SERVICE_TIMEOUT=2 AWS_MAX_ATTEMPTS=1
	AWS_RETRY_MODE=standard AWS_PAGER= AWS_CLI_AUTO_PROMPT=off NODE_NO_WARNINGS=1
	PYTHONDONTWRITEBYTECODE=1)

agent_start --host-root "$FN_ROOT" --config "$FN_RUN/policy.json" --ringbuf-size 67108864 ||
	bail "agent did not start"
check_eq "agent_ready: folding is off" \
	"$(jq -c 'select(.event=="agent_ready") | .config.policy.fold_window_seconds' "$AGENT_OUT")" 0

# run TAG WHERE CMD...: WHERE is ctr:POD (fn_in_container), side:POD:CNAME (fw_in_container),
# netns:POD (this shell, the pod's netns via ip netns exec) or a pod name (fn_in_pod). The
# pid goes to $FN_RUN/TAG.pid, stdout+stderr to $FN_RUN/TAG.out, the exit status to TAG.rc.
TAGS=()
run() {
	local tag=$1 where=$2 p ns rc=0
	shift 2
	TAGS+=("$tag")
	local rec=(sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid")
	case $where in
	netns:*)
		ns=POD_${where#netns:}_NETNS
		ip netns exec "${!ns}" "${rec[@]}" "$@" ;;
	ctr:*) fn_in_container "${where#ctr:}" "${rec[@]}" "$@" ;;
	side:*)
		p=${where#side:}
		fw_in_container "${p%%:*}" "${p#*:}" "${rec[@]}" "$@" ;;
	*) fn_in_pod "$where" "${rec[@]}" "$@" ;;
	esac >"$FN_RUN/$tag.out" 2>&1 || rc=$?
	echo "$rc" >"$FN_RUN/$tag.rc"
}
out_of() { cat "$FN_RUN/$1.out" 2>/dev/null; }
rc_of() { cat "$FN_RUN/$1.rc" 2>/dev/null; }
pid_of() { cat "$FN_RUN/$1.pid" 2>/dev/null || echo -1; }

# --- the scenarios ------------------------------------------------------------------------------
T_CLIENTS=$SECONDS
# 1. JavaScript v3
run jspi ctr:jspi "${SDK_ENV[@]}" "${PI_ENV[@]}" "$NODE" "$E2E/creds.js"
run jsirsa ctr:jsirsa "${SDK_ENV[@]}" "${IRSA_ENV[@]}" "$NODE" "$E2E/creds.js"
run jsnode ctr:jsnode "${SDK_ENV[@]}" "$NODE" "$E2E/creds.js"
# 2. botocore
run botopi ctr:boto "${SDK_ENV[@]}" "${PI_ENV[@]}" $PY "$E2E/boto_creds.py"
run botoskip side:boto:legacy "${SDK_ENV[@]}" $PY "$E2E/boto_creds.py"
run botov1 ctr:bv1 "${SDK_ENV[@]}" $PY "$E2E/boto_creds.py"
# 3. AWS CLI v2: resolves the chain, prints the credentials (filtered to the key id here)
run cli ctr:cli "${SDK_ENV[@]}" sh -c "$AWS"' configure export-credentials --format env-no-export | sed -n "s/^AWS_ACCESS_KEY_ID=/AccessKeyId=/p"'
# 4. curl / busybox wget
OL=$PWD/$E2E/imds-oneliner.sh
run c1v4 curl "$OL" v1 curl "$I4"
run c2v4 curl "$OL" v2 curl "$I4"
run c1v6 curl "$OL" v1 curl "$I6"
run c2v6 curl "$OL" v2 curl "$I6"
run c1m curl "$OL" v1 curl "$I4" "${MAPPED[@]}"
run c2m curl "$OL" v2 curl "$I4" "${MAPPED[@]}"
run w1v4 curl "$OL" v1 wget "$I4"
run w1v6 curl "$OL" v1 wget "$I6"
# (the response is filtered to the key id: the client's output must hold no secret either)
run thief thief sh -c 'curl -H "Authorization: $(cat "$0")" http://169.254.170.23/v1/credentials |
	sed -n "s/.*\"AccessKeyId\":\"\([A-Za-z0-9]*\)\".*/AccessKeyId=\1/p"' "$FN_RUN/stolen.token"
# 6. the SDKs' start-up probes of the standard shared-config files (no AWS_CONFIG_FILE /
# AWS_SHARED_CREDENTIALS_FILE, a HOME without .aws): failed opens, audit events only
mkdir -p "$FN_RUN/probe-home"
PROBE_ENV=()
for e in "${SDK_ENV[@]}"; do
	case $e in
	AWS_CONFIG_FILE=* | AWS_SHARED_CREDENTIALS_FILE=*) ;;
	HOME=*) PROBE_ENV+=("HOME=$FN_RUN/probe-home") ;;
	*) PROBE_ENV+=("$e") ;;
	esac
done
run jspiprobe ctr:jspi "${PROBE_ENV[@]}" "${PI_ENV[@]}" "$NODE" "$E2E/creds.js"
run jsnodeprobe ctr:jsnode "${PROBE_ENV[@]}" "$NODE" "$E2E/creds.js"
run botoprobe ctr:bv1 "${PROBE_ENV[@]}" $PY "$E2E/boto_creds.py"
# 5. host processes in a test netns
run hostv1 netns:hostns "$OL" v1 curl "$I4"
run hostv2 netns:hostns "$OL" v2 curl "$I4"
T_CLIENTS=$((SECONDS - T_CLIENTS))
sleep 0.5
agent_stop
# E2E_KEEP=DIR: keep the agent's output and the scenarios' pids for a look afterwards
if [ -n "${E2E_KEEP:-}" ]; then
	mkdir -p "$E2E_KEEP" && cp "$AGENT_OUT" "$AGENT_ERR" "$FN_RUN"/*.pid "$FN_RUN"/sim-*.log "$E2E_KEEP"/ &&
		echo "$FN_CGREL" >"$E2E_KEEP/cgrel"
fi

# --- assertions ---------------------------------------------------------------------------------
ACCESS='(.event=="imds_request" or .event=="agent_request" or .event=="file_open" or .event=="socket_connect" or .event=="endpoint_connect")'
# the events of a scenario: its process and every descendant
tree() { echo "(.process.pid==$1 or ((.process.ancestors // []) | any(.pid==$1)))"; }
ev_of() { events "$ACCESS and $(tree "$(pid_of "$1")")"; }
# one line per event: event, what (file kind / endpoint / method path status), findings
SIG='[.event,
	(if .event=="file_open" then .file.kind
	 elif .event=="endpoint_connect" then .endpoint.addr
	 else "\(.http.method) \(.http.path) \(.http.status)" end),
	([(.findings // [])[] | "\(.rule)/\(.severity)"] | join(",") | if . == "" then "-" else . end)]
	| join(" ")'
sig_of() { ev_of "$1" | jq -r "$SIG" | sort | tr '\n' ';'; }
# events TAG WANT...: the complete set of the scenario's events (order-insensitive)
expect() {
	local tag=$1 want=
	shift
	(($#)) && want=$(printf '%s\n' "$@" | sort | tr '\n' ';')
	check_eq "$tag: exactly these events: $(printf '[%s] ' "$@")" "$(sig_of "$tag")" "$want"
}
fval() { ev_of "$1" | jq -c "$2" | sort -u | tr '\n' ' ' | sed 's/ $//'; }
http_fval() { events "(.event==\"imds_request\" or .event==\"agent_request\") and $(tree "$(pid_of "$1")")" | jq -c "$2" | sort -u | tr '\n' ' ' | sed 's/ $//'; }
simlog() { jq -c "$2" "$(eval echo "\$SIM_${1}_LOG")"; }
LIST="GET $CREDP 200"
ROLEP="GET $CREDP$ROLE 200"
PUT200="PUT /latest/api/token 200"
ICF=imds_credential_fetch/high
V1=imds_v1/medium

# -- 1. JavaScript v3
check_eq "jspi: got the Pod Identity Agent's key, not the node role's" "$(out_of jspi)" "AccessKeyId=$PI_AKID"
expect jspi "file_open pod_identity_token -" "endpoint_connect 169.254.170.23 -" "agent_request GET /v1/credentials 200 -"
check_eq "jspi: the token read is its own pod's" "$(fval jspi 'select(.event=="file_open") | [.file.owner.pod_uid==.pod.uid, .file.owner.verified]')" '[true,true]'
check_eq "jspi: agent_request class, credential request, Authorization present" \
	"$(http_fval jspi '[.endpoint.kind,.http.class,.http.credential_request,.http.authorization_header]')" \
	'["pod_identity_agent","pod_identity_credentials",true,true]'
check_eq "jspi: the JS v3 container provider sends no User-Agent (sdk null)" "$(http_fval jspi '[.http.user_agent,.sdk]')" '[null,null]'
check_eq "jspi: credsim got the pod's token (sha256 of its Authorization)" \
	"$(simlog jspi 'select(.path=="/v1/credentials") | [.status,.authorization_sha256]' | sort -u)" "[200,\"$PI_SHA\"]"

check_eq "jsirsa: got the STS key" "$(out_of jsirsa)" "AccessKeyId=$STS_AKID"
expect jsirsa "file_open irsa_token -"
check_eq "jsirsa: the token read is its own pod's" "$(fval jsirsa '[.file.owner.pod_uid==.pod.uid, .file.owner.verified]')" '[true,true]'
check_eq "jsirsa: the simulated STS got AssumeRoleWithWebIdentity with the pod's token (sha256)" \
	"$(simlog jsirsa 'select(.service=="sts") | [.listener,.status,.action,.role_arn,.web_identity_token_sha256]')" \
	"[\"127.0.0.1:8080\",200,\"AssumeRoleWithWebIdentity\",\"$IRSA_ROLE\",\"$IRSA_SHA\"]"
check_eq "jsirsa: nothing reached the IMDS / Pod Identity listeners" "$(simlog jsirsa 'select(.service!="sts")' | wc -l)" 0

check_eq "jsnode: got the node role's key" "$(out_of jsnode)" "AccessKeyId=ASIAE2EJSNODE0000001"
expect jsnode "endpoint_connect 169.254.169.254 -" "imds_request $PUT200 -" "imds_request $LIST $ICF" "imds_request $ROLEP $ICF"
check_eq "jsnode: IMDSv2 throughout" "$(http_fval jsnode '.http.imds_version')" '"token_put" "v2"'
check_eq "jsnode: the JS v3 IMDS client sends no User-Agent, so no sdk (simulator agrees)" \
	"$(http_fval jsnode '[.http.user_agent,.sdk]') $(simlog jsnode 'select(.service=="imds") | .headers.user_agent' | sort -u)" '[null,null] false'

# -- 2. botocore
check "botopi: botocore 1.29.27 refuses the Pod Identity host ($(out_of botopi | head -c 200))" \
	grep -q "^ERROR ValueError: Unsupported host '169.254.170.23'" "$FN_RUN/botopi.out"
check_eq "botopi: it exits 1" "$(rc_of botopi)" 1
expect botopi	# no event at all: it never opens the token nor connects
check_eq "boto: credsim saw no Pod Identity request" "$(simlog boto 'select(.service=="pia")' | wc -l)" 0
check_eq "botoskip: got the node role's key" "$(out_of botoskip | grep -v '^botocore=')" "AccessKeyId=ASIAE2EBOTOSKIP00001"
BYP=agent_bypass/high LEG=legacy_sdk/medium
expect botoskip "endpoint_connect 169.254.169.254 -" "imds_request $PUT200 $LEG" \
	"imds_request $LIST $BYP,$LEG" "imds_request $ROLEP $BYP,$LEG"
check_eq "botoskip: container legacy, sdk botocore 1.29.27 too_old" \
	"$(http_fval botoskip '[.container.name,.sdk.name,.sdk.version,.sdk.pod_identity_support]')" \
	'["legacy","botocore","1.29.27","too_old"]'
check_eq "botoskip: agent_bypass says Pod Identity, in another container" \
	"$(http_fval botoskip 'select(.http.method=="GET") | .finding.summary | [test("configured for Pod Identity"), test("\\(in another container of the pod\\)")]')" \
	'[true,true]'
check_eq "botov1: got the node role's key" "$(out_of botov1 | grep -v '^botocore=')" "AccessKeyId=ASIAE2EBOTOV100000001"
expect botov1 "endpoint_connect 169.254.169.254 -" "imds_request PUT /latest/api/token 403 -" \
	"imds_request $LIST $ICF,$V1" "imds_request $ROLEP $ICF,$V1"
check_eq "botov1: v1 GETs after the refused PUT" "$(http_fval botov1 'select(.http.method=="GET") | .http.imds_version')" '"v1"'

# -- 3. AWS CLI v2
check_eq "cli: got the node role's key" "$(out_of cli)" "AccessKeyId=ASIAE2EAWSCLI0000001"
expect cli "endpoint_connect 169.254.169.254 -" "imds_request $PUT200 -" "imds_request $LIST $ICF" "imds_request $ROLEP $ICF"
check_eq "cli: User-Agent and sdk (aws-cli v2 2.9.19)" \
	"$(http_fval cli '[.http.user_agent,.sdk.name,.sdk.version]')" '["aws-cli/2.9.19","aws-cli","2.9.19"]'
check_eq "cli: process aws" "$(fval cli '.process.comm')" '"aws"'

# -- 4. curl / wget
for t in c1v4 c2v4 c1v6 c2v6 c1m c2m w1v4 w1v6; do
	check_eq "$t: got the node role's key" "$(out_of $t)" "AccessKeyId=ASIAE2ECURL000000001"
done
for t in c1v4 c1v6 c1m w1v4 w1v6; do
	ep=169.254.169.254
	[[ $t == *v6 ]] && ep=fd00:ec2::254
	expect $t "endpoint_connect $ep -" "endpoint_connect $ep -" "imds_request $LIST $ICF,$V1" "imds_request $ROLEP $ICF,$V1"
done
for t in c2v4 c2v6 c2m; do
	ep=169.254.169.254
	[[ $t == *v6 ]] && ep=fd00:ec2::254
	expect $t "endpoint_connect $ep -" "endpoint_connect $ep -" "endpoint_connect $ep -" \
		"imds_request $PUT200 -" "imds_request $LIST $ICF" "imds_request $ROLEP $ICF"
done
for t in c1v4 c2v4; do check_eq "$t: IPv4, not mapped" "$(fval $t '[.endpoint.family,.endpoint.ipv4_mapped]')" '["ipv4",false]'; done
for t in c1v6 c2v6 w1v6; do check_eq "$t: IPv6" "$(fval $t '[.endpoint.family,.endpoint.ipv4_mapped]')" '["ipv6",false]'; done
for t in c1m c2m; do
	check_eq "$t: an IPv4-mapped connect over AF_INET6 to the IPv4 endpoint" \
		"$(fval $t '[.endpoint.addr,.endpoint.family,.endpoint.ipv4_mapped]')" '["169.254.169.254","ipv6",true]'
	check_eq "$t: credsim saw the IPv4 listener" "$(simlog curl '.listener' | sort -u | grep -c '^"169.254.169.254:80"$')" 1
done
for t in c1v4 c2v4 c1v6 c2v6 c1m c2m; do
	check_eq "$t: curl, its User-Agent" "$(http_fval $t '[.process.comm,.process.args[0],.sdk.tool,(.http.user_agent|startswith("curl/"))]')" '["curl","curl","curl",true]'
done
for t in w1v4 w1v6; do
	check_eq "$t: busybox wget, User-Agent Wget" "$(http_fval $t '[.process.comm,.process.args[0:2],.sdk.tool,.http.user_agent]')" '["busybox",["busybox","wget"],"wget","Wget"]'
done
check_eq "v1 one-liners: no token header; v2: every GET has one" \
	"$(for t in c1v4 w1v6 c2v4 c2m; do echo "$(http_fval $t 'select(.http.method=="GET") | .http.token_header')"; done | tr '\n' ' ')" \
	'false false true true '
check_eq "v2: the session token in curl's argv is redacted" \
	"$(http_fval c2v4 'select(.http.method=="GET") | [.process.args_redacted, (.process.args | any(. == "X-aws-ec2-metadata-token: [REDACTED]"))]')" '[true,true]'

check_eq "thief: curl got the Pod Identity Agent's key with the stolen token" "$(out_of thief | grep '^AccessKeyId=')" "AccessKeyId=$PI_AKID"
expect thief "endpoint_connect 169.254.170.23 -" "agent_request GET /v1/credentials 200 pod_identity_unassociated/medium"
# the 1 KiB token overflows the agent's 512-byte argv capture, which then keeps
# the head and the tail: the URL after the token is still there
check_eq "thief: the process is curl with its argv, the token redacted, the URL kept" \
	"$(http_fval thief '[.process.comm, .process.args, .process.args_redacted, .process.args_truncated]')" \
	'["curl",["curl","-H","Authorization: [REDACTED]","[...]","http://169.254.170.23/v1/credentials"],true,true]'
check_eq "thief: the token is nowhere in the event" "$(ev_of thief | grep -cF -f "$FN_RUN/stolen.token")" 0
check_eq "thief: credsim got the stolen token (sha256)" \
	"$(simlog thief 'select(.path=="/v1/credentials") | .authorization_sha256')" "\"$PI_SHA\""
check_eq "thief: summary names the pod" "$(http_fval thief '.finding.summary | test("^pod default/thief ")')" true

# -- 5. host processes
check_eq "hostv1: got the node role's key" "$(out_of hostv1)" "AccessKeyId=ASIAE2EHOST000000001"
check_eq "hostv2: got the node role's key" "$(out_of hostv2)" "AccessKeyId=ASIAE2EHOST000000001"
expect hostv1 "endpoint_connect 169.254.169.254 -" "endpoint_connect 169.254.169.254 -" "imds_request $LIST $V1" "imds_request $ROLEP $V1"
expect hostv2 "endpoint_connect 169.254.169.254 -" "endpoint_connect 169.254.169.254 -" "endpoint_connect 169.254.169.254 -" \
	"imds_request $PUT200 -" "imds_request GET $CREDP 200 -" "imds_request $ROLEP -"
check_eq "host: host true, no pod, no container" "$(fval hostv1 '[.host,.pod,.container]') $(fval hostv2 '[.host,.pod,.container]')" '[true,null,null] [true,null,null]'
check_eq "hostv1: summary says host process" \
	"$(http_fval hostv1 '.finding.summary | startswith("IMDSv1 request (no session token) from host process")')" true

# -- 6. the SDKs' probes of ~/.aws/config and ~/.aws/credentials: audit, never a finding
PH=$FN_RUN/probe-home/.aws
for t in jspiprobe jsnodeprobe botoprobe; do
	check "$t: the client still got credentials ($(out_of $t | grep -v '^botocore=' | head -c 80))" \
		grep -q '^AccessKeyId=' "$FN_RUN/$t.out"
done
# the JS SDK opens them (ENOENT); botocore stat()s them first (os.path.isfile): no open at all
for t in jspiprobe jsnodeprobe; do
	check_eq "$t: its failed opens are the standard shared-config paths, audit only" \
		"$(ev_of $t | jq -c 'select(.event=="file_open" and .file.result!="ok") | [.file.kind,.file.requested_path,.file.result,has("finding")]' | sort -u | tr '\n' ' ')" \
		"[\"aws_config\",\"$PH/config\",\"ENOENT\",false] [\"aws_credentials\",\"$PH/credentials\",\"ENOENT\",false] "
done
check_eq "botoprobe: botocore looks for its files without opening them: no file event" \
	"$(ev_of botoprobe | jq -c 'select(.event=="file_open")')" ""
check_eq "jspiprobe: besides the probes, exactly what jspi had: its own token, the agent, no finding" \
	"$(ev_of jspiprobe | jq -r 'select(.file.result != "ENOENT" or .event != "file_open") | '"$SIG" | sort | tr '\n' ';')" \
	"agent_request GET /v1/credentials 200 -;endpoint_connect 169.254.170.23 -;file_open pod_identity_token -;"
check_eq "jsnodeprobe / botoprobe: the only findings are the IMDS credential fetches'" \
	"$(for t in jsnodeprobe botoprobe; do ev_of $t; done | jq -r 'select(has("finding")) | "\(.event) \(.http.path) \([.findings[].rule]|join(","))"' | sort -u | tr '\n' ';')" \
	"$(printf '%s\n' "imds_request $CREDP imds_credential_fetch" "imds_request $CREDP$ROLE imds_credential_fetch" \
		"imds_request $CREDP imds_credential_fetch,imds_v1" "imds_request $CREDP$ROLE imds_credential_fetch,imds_v1" |
		sort | tr '\n' ';')"

# -- nothing else from our pods, nothing folded
CGSEL="(.cgroup.path // \"\" | startswith(\"$FN_CGREL/\"))"
ALLTREES=false
for t in "${TAGS[@]}"; do ALLTREES+=" or $(tree "$(pid_of "$t")")"; done
check_eq "no access event in the fake node's cgroups outside the scenarios" \
	"$(events "$ACCESS and $CGSEL and (($ALLTREES) | not)" | jq -c '[.event,.process.comm,.cgroup.path]' | head -5)" ""
check_eq "no event from credsim" "$(count_events "$ACCESS and .process.comm==\"credsim\" and $CGSEL")" 0
UIDS=$(for p in "${PODS[@]}"; do v=POD_${p}_UID; printf '"%s",' "${!v}"; done)
check_eq "no finding_summary for our pods or host processes (folding off)" \
	"$(count_events ".event==\"finding_summary\" and ((.subject.pod_uid as \$u | [${UIDS%,}] | index(\$u)) or .subject.host)")" 0
check_eq "finding and findings go together" \
	"$(events "$ACCESS and ($ALLTREES)" | jq -c '[has("finding"),has("findings")] | select(.[0] != .[1])' | wc -l)" 0
STATS=$(jq -c 'select(.event=="agent_stats")' "$AGENT_OUT" | tail -1)
echo "agent_stats drops: $(jq -c .drops <<<"$STATS")"

# -- no secret anywhere: every value the simulators handed out, every fixture token signature
sort -u "$FN_RUN"/sim-*.secrets "$FN_RUN/secrets" | grep -v '^$' >"$FN_RUN/all-secrets.txt"
check "secrets were recorded for the leak check ($(wc -l <"$FN_RUN/all-secrets.txt"))" \
	test "$(wc -l <"$FN_RUN/all-secrets.txt")" -ge 40
check "IMDSv2 session tokens are among them" grep -q '^CWSIMTOK' "$FN_RUN/all-secrets.txt"
check_eq "no secret in the agent's output or its stderr" \
	"$(grep -lF -f "$FN_RUN/all-secrets.txt" "$AGENT_OUT" "$AGENT_ERR")" ""
check_eq "no secret in what the clients printed" \
	"$(for t in "${TAGS[@]}"; do grep -lF -f "$FN_RUN/all-secrets.txt" "$FN_RUN/$t.out"; done)" ""
echo "timing: clients ${T_CLIENTS} s"
check "the e2e suite took <= 300 s ($((SECONDS - T_START)) s)" test $((SECONDS - T_START)) -le 300
summary
finish
