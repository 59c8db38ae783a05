#!/bin/bash
# credwatch scan on the fake node (no BPF): one pod of each credential mode (node_role: the
# clean pod, irsa, pod_identity, static_keys, container_credentials), a pod with a hostPath
# mount of the runtime socket, a hostNetwork pod, a process of one pod holding another pod's
# token open, a host process holding an AWS credentials file open under a hostile path, an
# established connection to the simulated IMDS from a pod (inside the pod's own network
# namespace, where credsim answers on 169.254.169.254), and a pod with hostile names.
# The risky items of the output are exactly the planted ones, the clean pod has none; the JSON
# validates against tests/schema/scan.schema.json; hostile names come out escaped and bounded;
# no planted secret appears.
#
# Other test runs on this machine may have their own fake pods and processes at the same time:
# items about processes are looked at only for this test's pods and pids.
# POD_* variables come from fakenode.sh; single-quoted scripts are bash -c programs
# shellcheck disable=SC2154,SC2016
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh

fn_init || exit 1
fn_root

KEYID=AKIACWSCANTEST0000001
SECRET=CWSCANSECRETnotReal0123456789abcdefGHIJ
IRSA_ENV=(--env "AWS_ROLE_ARN=arn:aws:iam::000000000000:role/cwscan-irsa"
	--env "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
PI_ENV=(--env "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials"
	--env "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token")

# add_mount POD SOURCE DESTINATION: a hostPath volume in the app container's spec
add_mount() {
	local cfg=POD_$1_CONFIG
	jq --arg s "$2" --arg d "$3" '.mounts += [{destination: $d, type: "bind", source: $s,
		options: ["rbind", "rprivate", "rw"]}]' "${!cfg}" >"${!cfg}.tmp" && mv "${!cfg}.tmp" "${!cfg}"
}

setup() {
	fn_pod clean && fn_pod_state clean && fn_volumes clean --sa &&
	fn_pod irsa && fn_pod_state irsa "${IRSA_ENV[@]}" && fn_volumes irsa --sa --irsa && fn_sim irsa &&
	fn_pod pi && fn_pod_state pi "${PI_ENV[@]}" && fn_volumes pi --sa --pod-identity &&
	fn_pod static && fn_pod_state static --env "AWS_ACCESS_KEY_ID=$KEYID" \
		--env "AWS_SECRET_ACCESS_KEY=$SECRET" --env AWS_REGION=us-east-1 && fn_volumes static --sa &&
	fn_pod ecs && fn_pod_state ecs --env AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/cwscan &&
	fn_pod sock && fn_pod_state sock && fn_volumes sock --sa &&
	add_mount sock /run/containerd/containerd.sock /run/containerd/containerd.sock &&
	fn_pod hostnet && fn_pod_state hostnet --host-network &&
	fn_pod reader && fn_pod_state reader && fn_volumes reader --sa &&
	fn_pod evil && fn_pod_state evil --namespace evil && add_mount evil /etc/kubernetes /etc/kubernetes
}
setup || { fail "setting up the fake node"; exit 1; }

# hostile pod name in both specs (the runtime copies it from the API; the kubelet validates
# it, a crafted spec need not): newline, ESC sequences (clear screen, set title), BEL, a
# right-to-left override, then far more than a name may hold
HOSTILE=$'evil\n\e[2J\e]0;pwned\a\u202e'"$(head -c 3000 /dev/zero | tr '\0' x)"
for cfg in "$POD_evil_CONFIG" "$POD_evil_SANDBOX_CONFIG"; do
	jq --arg n "$HOSTILE" '.annotations["io.kubernetes.cri.sandbox-name"] = $n' "$cfg" >"$cfg.tmp" &&
		mv "$cfg.tmp" "$cfg"
done

# a process of pod reader holds pod irsa's IRSA token open (opened, never read)
fn_in_pod_bg reader sh -c 'exec 3<"$1"; exec sleep 120' sh "$POD_irsa_VOL_IRSA/token" >/dev/null
READER_PID=$FN_LAST_PID
# a host process holds an AWS credentials file open under a hostile, long path
HDIR=$FN_RUN/home/$(printf 'u\033[31m\xff\xfe\nq')/$(head -c 200 /dev/zero | tr '\0' d)/$(head -c 200 /dev/zero | tr '\0' e)/.aws
mkdir -p "$HDIR" && printf '[default]\nregion = us-east-1\n' >"$HDIR/credentials"
sh -c 'exec 3<"$1"; exec sleep 120' sh "$HDIR/credentials" &
HOST_PID=$!
fn_track_pid "$HOST_PID"
# pod irsa keeps a connection to (the simulated) IMDS open, from its own network namespace
fn_in_pod_bg irsa python3 -c 'import socket, time
s = socket.create_connection(("169.254.169.254", 80), timeout=5)
time.sleep(120)' >/dev/null
CONN_PID=$FN_LAST_PID
for _ in $(seq 100); do
	find "/proc/$READER_PID/fd" -lname '*token' 2>/dev/null | grep -q . &&
		grep -q ' FEA9FEA9:0050 01 ' "/proc/$CONN_PID/net/tcp" 2>/dev/null && break
	sleep 0.1
done
check "the connection to IMDS is established before the scan" grep -q ' FEA9FEA9:0050 01 ' "/proc/$CONN_PID/net/tcp"

OUT=$FN_RUN/scan.json
TABLE=$FN_RUN/scan.txt
rc=0
"$CREDWATCH" scan --host-root "$FN_ROOT" -o json >"$OUT" 2>"$FN_RUN/scan.err" || rc=$?
check_eq "scan -o json exits 0" "$rc" 0
rc=0
"$CREDWATCH" scan --host-root "$FN_ROOT" >"$TABLE" 2>>"$FN_RUN/scan.err" || rc=$?
check_eq "scan (table) exits 0" "$rc" 0
check "scan JSON validates against tests/schema/scan.schema.json" python3 -c '
import json, sys, jsonschema
schema = json.load(open("tests/schema/scan.schema.json"))
doc = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(doc)' "$OUT"

uid() { local v=POD_$1_UID; echo "${!v}"; }
MYPIDS="[$READER_PID,$HOST_PID,$CONN_PID]"
MYUIDS=$(for p in clean irsa pi static ecs sock hostnet reader evil; do uid $p; done | jq -R . | jq -sc .)

# every pod, with its credential modes
for p in clean irsa pi static ecs sock hostnet reader evil; do
	check_eq "pod $p listed once" "$(jq --arg u "$(uid $p)" '[.pods[] | select(.uid == $u)] | length' "$OUT")" 1
done
mode() { jq -c --arg u "$(uid "$1")" '.pods[] | select(.uid == $u) | .credential_mode' "$OUT"; }
check_eq "clean pod: node_role" "$(mode clean)" '["node_role"]'
check_eq "irsa pod: irsa" "$(mode irsa)" '["irsa"]'
check_eq "pi pod: pod_identity" "$(mode pi)" '["pod_identity"]'
check_eq "static pod: static_keys" "$(mode static)" '["static_keys"]'
check_eq "ecs pod: container_credentials" "$(mode ecs)" '["container_credentials"]'
check_eq "irsa pod: role ARN, service account from its token, names" \
	"$(jq -c --arg u "$(uid irsa)" '.pods[] | select(.uid == $u) | [.namespace, .name, .service_account, .role_arn, .host_network, .irsa_associated]' "$OUT")" \
	'["default","irsa","sa-irsa","arn:aws:iam::000000000000:role/cwscan-irsa",false,true]'
check_eq "hostnet pod: host_network true" \
	"$(jq -c --arg u "$(uid hostnet)" '.pods[] | select(.uid == $u) | .host_network' "$OUT")" true

# static keys: the variable names, never the values
check_eq "static keys: variable names of the static pod" \
	"$(jq -c --arg u "$(uid static)" '[.static_keys[] | select(.pod.uid == $u) | [.container, .variables]]' "$OUT")" \
	'[["app",["AWS_ACCESS_KEY_ID","AWS_SECRET_ACCESS_KEY"]]]'
for f in "$OUT" "$TABLE" "$FN_RUN/scan.err"; do
	check "no static key value in ${f##*/}" bash -c '! grep -aqE "$1|$2" "$3"' _ "$KEYID" "$SECRET" "$f"
done

# token volumes: audience and expiry from the claims, for every pod with volumes
tok() { jq -c --arg u "$(uid "$1")" --arg v "$2" '.token_volumes[] | select(.pod.uid == $u and (.volume | startswith($v))) | [.file, .kind, .audience, .service_account, (.expires != null), .expired]' "$OUT"; }
check_eq "irsa pod: IRSA token volume" "$(tok irsa aws-iam-token)" '["token","irsa",["sts.amazonaws.com"],"sa-irsa",true,false]'
check_eq "pi pod: Pod Identity token volume" "$(tok pi eks-pod-identity-token)" \
	'["eks-pod-identity-token","pod_identity",["pods.eks.amazonaws.com"],"sa-pi",true,false]'
check_eq "clean pod: API token volume" "$(tok clean kube-api-access-)" \
	'["token","kubernetes",["https://kubernetes.default.svc"],"sa-clean",true,false]'
check_eq "token volumes: one per volume made (clean 1, irsa 2, pi 2, static 1, sock 1, reader 1)" \
	"$(jq --argjson u "$MYUIDS" '[.token_volumes[] | select(.pod.uid as $p | $u | index($p))] | length' "$OUT")" 8

# associations
check_eq "associations: irsa and pi, complete" \
	"$(jq -c --argjson u "$MYUIDS" '[.associations[] | select(.pod.uid as $p | $u | index($p)) | [.pod.name, .mode, .role_arn, .containers_without, .risk]] | sort' "$OUT")" \
	'[["irsa","irsa","arn:aws:iam::000000000000:role/cwscan-irsa",[],null],["pi","pod_identity",null,[],null]]'

# open files and connections, with their owner pods
check_eq "reader's process holds irsa's token: owner pod, kind" \
	"$(jq -c --argjson p "$READER_PID" '.open_credential_files[] | select(.process.pid == $p) | [.pod.name, .kind, .owner.pod_name, .owner.volume, .risk.rule, .risk.severity]' "$OUT")" \
	'["reader","irsa_token","irsa","aws-iam-token","foreign_token_open","critical"]'
check_eq "the connection to IMDS: pod irsa, endpoint, the process holding it" \
	"$(jq -c --argjson p "$CONN_PID" '.connections[] | select(.process.pid == $p) | [.pod.name, .container, .endpoint.kind, .endpoint.addr, .endpoint.port, .risk.rule, .risk.severity]' "$OUT")" \
	'["irsa","app","imds","169.254.169.254",80,"imds_connection","high"]'

# the risky items: exactly the planted set
got=$(jq -c --argjson u "$MYUIDS" --argjson pids "$MYPIDS" '
	def mine: (.pod.uid // "") as $p | ($u | index($p)) != null or ((.process.pid // 0) as $x | $pids | index($x)) != null;
	[ ((.static_keys, .token_volumes, .host_network_pods, .mounts, .associations) | .[]
	    | select(.risk != null and ((.pod.uid // "") as $p | $u | index($p)))
	    | [.pod.namespace, .risk.rule, .risk.severity]),
	  ((.open_credential_files, .connections) | .[] | select(.risk != null and mine)
	    | [(if .host then "host" else .pod.namespace end), .risk.rule, .risk.severity])
	] | sort' "$OUT")
want=$(jq -c -n '[["default","static_keys","high"],["default","host_path_runtime_socket","critical"],
	["evil","host_path_kubernetes_config","high"],["default","host_network","medium"],
	["default","foreign_token_open","critical"],["host","credential_file_open","medium"],
	["default","imds_connection","high"]] | sort')
check_eq "risky items are exactly the planted ones" "$got" "$want"
check_eq "the runtime socket mount is the sock pod's" \
	"$(jq -c --arg u "$(uid sock)" '[.mounts[] | select(.pod.uid == $u) | [.source, .destination, .gives]]' "$OUT")" \
	'[["/run/containerd/containerd.sock","/run/containerd/containerd.sock","container_runtime_socket"]]'
check_eq "nothing risky about the clean pod" \
	"$(jq --arg u "$(uid clean)" '[.. | objects | select(.pod? and .pod.uid? == $u and .risk? != null)] | length' "$OUT")" 0
check_eq "findings list: the same items, most severe first" \
	"$(jq -c '[.findings[] | {"critical":0,"high":1,"medium":2,"low":3}[.severity]] | . == sort' "$OUT")" true

# the table: the same items, hostile names escaped and bounded
check "table: the runtime socket row is CRITICAL" grep -qE '^  CRITICAL +default/sock +app +/run/containerd/containerd.sock' "$TABLE"
check "table: the foreign token row" grep -qE "^  CRITICAL +/usr/bin/sleep\[$READER_PID\] +default/reader .* irsa_token +default/irsa " "$TABLE"
check "table: the IMDS connection row" grep -qE "^  HIGH +.*python3[^ ]*\[$CONN_PID\] +default/irsa +imds 169.254.169.254:80 " "$TABLE"
check "table: no raw control byte but newlines (no ESC, BEL, CR)" bash -c '! LC_ALL=C grep -aq "[[:cntrl:]]" <(tr -d "\n" <"$1")' _ "$TABLE"
check "table: the hostile pod name escaped (newline, ESC, BEL, RLO visible)" \
	grep -qF 'evil/evil\n\e[2J\e]0;pwned\x07\u{202e}xxxx' "$TABLE"
check "table: the hostile path escaped (ESC, invalid UTF-8, newline)" grep -qF 'u\e[31m\xff\xfe\nq/ddd' "$TABLE"
check "table: every line bounded (< 2000 bytes)" awk 'length($0) >= 2000 {bad=1} END {exit bad}' "$TABLE"
check "JSON: no raw control byte (all escaped)" bash -c '! LC_ALL=C grep -aq "[[:cntrl:]]" <(tr -d "\n" <"$1")' _ "$OUT"
check_eq "JSON: the hostile pod name kept bounded (at most 253 bytes + mark)" \
	"$(jq --arg u "$(uid evil)" '.pods[] | select(.uid == $u) | .name | (utf8bytelength <= 300) and startswith("evil\n\u001b[2J")' "$OUT")" true

# no token or credential value anywhere
sort -u "$FN_RUN"/sim-*.secrets "$FN_RUN/secrets" 2>/dev/null | grep -v '^$' >"$FN_RUN/all-secrets.txt"
check "token signatures were recorded for the leak check" test -s "$FN_RUN/all-secrets.txt"
check "no recorded secret in the scan's output" bash -c '! grep -aqFf "$1" "$2" "$3" "$4"' _ \
	"$FN_RUN/all-secrets.txt" "$OUT" "$TABLE" "$FN_RUN/scan.err"

# bad usage
rc=0
"$CREDWATCH" scan --host-root /nonexistent-cw 2>"$FN_RUN/bad.err" >/dev/null || rc=$?
check_eq "scan --host-root missing: exit 2" "$rc" 2
check "scan --host-root missing: names the option" grep -q "invalid value for --host-root: '/nonexistent-cw'" "$FN_RUN/bad.err"
rc=0
"$CREDWATCH" scan -o yaml 2>"$FN_RUN/bad.err" >/dev/null || rc=$?
check_eq "scan -o yaml: exit 2" "$rc" 2
finish
