#!/bin/bash
# Attribution, end to end with the real agent reading a fake node's state
# (--host-root): processes in a Pod Identity pod, an IRSA pod, a static-keys
# pod and a plain pod (systemd and cgroupfs cgroup layouts, containerd) and an
# IRSA pod on CRI-O connect to IMDS and read their own tokens; every event
# names the pod (uid, namespace, name, service account, credential mode, role
# ARN), the container (id, name, image, runtime) and says attribution is
# complete; token events name the token's kind, audience and service account
# and the pod that owns the file. A pod reading another pod's token through
# the kubelet's host path, a host process reading a pod's token, a process of
# a hostNetwork pod. A container whose config.json appears 300 ms after its
# first event (held back, then fully attributed); one whose metadata never
# appears (partial, says what is missing, pod UID from the cgroup); a
# config.json that is a symlink to /etc/shadow (not followed: a fanotify
# watcher proves the agent never opened /etc/shadow) and a 50 MiB one
# (refused, counted). No fixture secret (static key, token signature) in the
# agent's output or stderr. Connects stay inside the pods' own network
# namespaces (fakenode.sh); nothing listens there, a refused connect is enough.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
PY=/usr/bin/python3
CONNECT=$PWD/build/tests/cw_connect

ACCT=111122223333
IRSA_ARN=arn:aws:iam::$ACCT:role/cwtest-irsa
CRIO_ARN=arn:aws:iam::$ACCT:role/cwtest-crio
PI_URI=http://169.254.170.23/v1/credentials
PI_FILE=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token
IRSA_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token
SA_FILE=/var/run/secrets/kubernetes.io/serviceaccount/token
# obviously fake, unique per run (what the leak check looks for)
FAKE_AKID=AKIACWTESTFAKE$(od -An -tx1 -N3 /dev/urandom | tr -d ' \n' | tr a-f A-F)
FAKE_SECRET=cwtestFAKEsecret$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')

fn_init || exit 1
fn_root

# pod NAME FN_POD-ARGS -- FN_POD_STATE-ARGS -- FN_VOLUMES-ARGS
pod() {
	local name=$1 a=() b=() c=()
	shift
	while (($#)) && [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	while (($#)) && [ "$1" != -- ]; do b+=("$1"); shift; done
	shift
	c=("$@")
	fn_pod "$name" "${a[@]}" || return 1
	fn_pod_state "$name" "${b[@]}" || return 1
	if [ ${#c[@]} -gt 0 ]; then fn_volumes "$name" "${c[@]}" || return 1; fi
}

pod pi --qos burstable --driver systemd -- --namespace cwtest-pi --name pi-app-7f9c \
	--service-account pi-reader --container web --image public.ecr.aws/cwtest/pi-web:1.4 \
	--env AWS_STS_REGIONAL_ENDPOINTS=regional --env AWS_DEFAULT_REGION=us-east-1 \
	--env AWS_REGION=us-east-1 --env AWS_CONTAINER_CREDENTIALS_FULL_URI=$PI_URI \
	--env AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$PI_FILE -- --sa --pod-identity || exit 1
pod irsa --qos besteffort --driver cgroupfs -- --namespace cwtest-irsa --name irsa-app-x2k4 \
	--service-account irsa-reader --container worker --image public.ecr.aws/cwtest/irsa:2.0 \
	--env AWS_STS_REGIONAL_ENDPOINTS=regional --env AWS_DEFAULT_REGION=us-east-1 \
	--env AWS_REGION=us-east-1 --env AWS_ROLE_ARN=$IRSA_ARN \
	--env AWS_WEB_IDENTITY_TOKEN_FILE=$IRSA_FILE -- --sa --irsa || exit 1
pod keys --qos guaranteed --driver systemd -- --namespace cwtest-keys --name keys-app-0 \
	--service-account default --container legacy --image public.ecr.aws/cwtest/legacy:0.9 \
	--env "AWS_ACCESS_KEY_ID=$FAKE_AKID" --env "AWS_SECRET_ACCESS_KEY=$FAKE_SECRET" \
	--env AWS_DEFAULT_REGION=us-east-1 -- --sa || exit 1
pod plain --qos guaranteed --driver cgroupfs -- --namespace cwtest-plain --name plain-app-0 \
	--service-account plain --container app --image public.ecr.aws/cwtest/plain:1.0 -- --sa || exit 1
pod crio --runtime crio --qos burstable --driver systemd -- --namespace cwtest-crio \
	--name crio-app-0 --service-account crio-reader --container main \
	--image quay.io/cwtest/crio-app:3.1 --env AWS_ROLE_ARN=$CRIO_ARN \
	--env AWS_WEB_IDENTITY_TOKEN_FILE=$IRSA_FILE -- --sa --irsa || exit 1
pod hostnet --qos burstable --driver systemd -- --namespace kube-system --name node-agent-q8z \
	--service-account node-agent --container agent --image public.ecr.aws/cwtest/node-agent:1.0 \
	--host-network -- --sa || exit 1
# config.json written by fn_pod_config --delay once the agent runs
pod late --qos burstable --driver systemd -- --namespace cwtest-late --name late-app-0 \
	--service-account late-reader --container slow --image public.ecr.aws/cwtest/slow:1.0 \
	--env AWS_CONTAINER_CREDENTIALS_FULL_URI=$PI_URI \
	--env AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$PI_FILE --no-config -- --sa --pod-identity || exit 1
# nothing but the cgroups: no spec, no sandbox spec, no log directory, no volumes
pod ghost --qos burstable --driver systemd -- --namespace cwtest-ghost --name ghost-app-0 \
	--no-config --no-sandbox-config --no-logs -- || exit 1
# hostile specs: a symlink to /etc/shadow and a 50 MiB sparse file
pod shadow --qos burstable --driver systemd -- --namespace cwtest-hostile --name shadow-app-0 \
	--no-config -- --sa || exit 1
ln -s /etc/shadow "$POD_shadow_CONFIG" || exit 1
pod big --qos burstable --driver cgroupfs -- --namespace cwtest-hostile --name big-app-0 \
	--no-config -- --sa || exit 1
truncate -s 50M "$POD_big_CONFIG" || exit 1

# Who opens /etc/shadow while the agent runs: fanotify reports the opener's pid (inotify
# would not). Started before the agent, stopped after it.
cat >"$FN_RUN/watch.py" <<'EOS'
import ctypes, os, select, signal, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.fanotify_init.argtypes = [ctypes.c_uint, ctypes.c_uint]
libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int,
                               ctypes.c_char_p]
FAN_CLOEXEC, FAN_NONBLOCK, FAN_MARK_ADD = 1, 2, 1
FAN_ACCESS, FAN_OPEN = 0x1, 0x20
fd = libc.fanotify_init(FAN_CLOEXEC | FAN_NONBLOCK, os.O_RDONLY | os.O_CLOEXEC)
if fd < 0:
    sys.exit("fanotify_init: " + os.strerror(ctypes.get_errno()))
if libc.fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN | FAN_ACCESS, -100, sys.argv[1].encode()):
    sys.exit("fanotify_mark: " + os.strerror(ctypes.get_errno()))
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
log = open(sys.argv[2], "a", buffering=1)
open(sys.argv[3], "w").write("ready\n")
meta = struct.Struct("=IBBHQii")
while True:
    try:
        r, _, _ = select.select([fd], [], [], 0.1)
    except InterruptedError:
        r = []
    if r:
        try:
            buf = os.read(fd, 65536)
        except BlockingIOError:
            buf = b""
        off = 0
        while off + meta.size <= len(buf):
            ln, _, _, _, mask, efd, pid = meta.unpack_from(buf, off)
            if efd >= 0:
                os.close(efd)
            log.write("%d %#x\n" % (pid, mask))
            off += ln if ln else len(buf)
    elif stop:
        break
EOS
: >"$FN_RUN/shadow.log"
$PY "$FN_RUN/watch.py" /etc/shadow "$FN_RUN/shadow.log" "$FN_RUN/watch.ready" 2>"$FN_RUN/watch.err" &
WATCH_PID=$!
fn_track_pid "$WATCH_PID"
for _ in $(seq 50); do [ -s "$FN_RUN/watch.ready" ] && break; sleep 0.1; done
check "the /etc/shadow watcher is running" test -s "$FN_RUN/watch.ready"
# positive control: an open the watcher must see
sh -c 'echo $$ >"$0"; exec head -c 1 /etc/shadow' "$FN_RUN/control.pid" >/dev/null

# one event per access: folding of repeated findings (test_findings.sh) off
printf '{"policy": {"fold_window_seconds": 0}}\n' >"$FN_RUN/nofold.json"
# the hold-back for late metadata, scaled where everything runs slower (the kernel-matrix VM's
# emulation: CW_TIME_SCALE); the late pod's spec comes 0.3 s after its event either way
HOLDBACK_MS=$((1000 * ${CW_TIME_SCALE:-1}))
agent_start --host-root "$FN_ROOT" --config "$FN_RUN/nofold.json" --holdback-ms "$HOLDBACK_MS" || exit 1
check_eq "agent_ready shows the hold-back" \
	"$(events '.event=="agent_ready"' | jq .config.holdback_ms)" "$HOLDBACK_MS"

# run TAG POD CMD...: CMD as a process of POD's container, pid in $FN_RUN/TAG.pid
run() {
	local tag=$1 where=$2
	shift 2
	fn_in_container "$where" sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid" "$@" >/dev/null 2>&1
}
# run_cg TAG CGROUP-DIR CMD...: CMD in that cgroup, in this (the host's) namespaces
run_cg() {
	local tag=$1 cg=$2
	shift 2
	env "FAKENODE_TAG=$_FN_TAG" sh -c 'echo $$ >"$1/cgroup.procs" && echo $$ >"$0" && shift && exec "$@"' \
		"$FN_RUN/$tag.pid" "$cg" "$@" >/dev/null 2>&1
}
pid_of() { local p; read -r p <"$FN_RUN/$1.pid" && echo "$p"; }
# wait_for FILTER: until an event matching FILTER is in the output (3 s at most, scaled)
wait_for() {
	local i
	for i in $(seq $((30 * ${CW_TIME_SCALE:-1}))); do
		[ "$(count_events "$1")" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# the late container: its spec shows up 300 ms after its first event (the connect has
# happened once cw_connect has exited, then late.go starts the clock)
fn_pod_config late --delay 0.3 --after "$FN_RUN/late.go" || exit 1
run late-imds late "$CONNECT" 169.254.169.254 80
: >"$FN_RUN/late.go"
check "late: the event was written while the agent runs (held back < 1 s + slack)" \
	wait_for ".event==\"endpoint_connect\" and .process.pid==$(pid_of late-imds)"
check "late: the spec was written meanwhile" test -s "$POD_late_CONFIG"

for p in pi irsa keys plain crio; do
	run "$p-imds" "$p" "$CONNECT" 169.254.169.254 80
done
run pi-pi pi cat $PI_FILE
run pi-sa pi cat $SA_FILE
run irsa-irsa irsa cat $IRSA_FILE
run keys-sa keys cat $SA_FILE
run plain-sa plain cat $SA_FILE
run crio-irsa crio cat $IRSA_FILE
run crio-sa crio cat $SA_FILE
# pod plain reads pod irsa's token through the kubelet's host path
run cross plain cat "$POD_irsa_VOL_IRSA/token"
# a host process (node software cgroup) reads pod pi's Pod Identity token
mkdir -p "$FN_CGBASE/system.slice/cwtest-reader.service"
run_cg host "$FN_CGBASE/system.slice/cwtest-reader.service" cat "$POD_pi_VOL_PI/eks-pod-identity-token"
# a hostNetwork pod's process: the pod's cgroup, the host's network namespace (no packet sent)
run_cg hostnet "$POD_hostnet_CG" cat "$POD_hostnet_VOL_SA/token"
# partial attribution
run ghost-imds ghost "$CONNECT" 169.254.169.254 80
run shadow-imds shadow "$CONNECT" 169.254.169.254 80
run big-imds big "$CONNECT" 169.254.169.254 80
check "ghost: the event was written while the agent runs (after at most ~1 s)" \
	wait_for ".event==\"endpoint_connect\" and .process.pid==$(pid_of ghost-imds)"

agent_stop
kill -TERM "$WATCH_PID" 2>/dev/null
wait "$WATCH_PID" 2>/dev/null

# --- assertions ---

# The agent sees the whole machine: keep this test's cgroups (and the agent's own lines) for
# the checks below; the leak check reads everything.
ALL_OUT=$AGENT_OUT
AGENT_OUT=$FN_RUN/events.mine.json
jq -c "select(.event == \"agent_ready\" or .event == \"agent_stats\" or
	(.cgroup.path // \"\" | startswith(\"$FN_CGREL/\")))" "$ALL_OUT" >"$AGENT_OUT"

# ev TAG EVENT [EXTRA-FILTER]: the events of TAG's process
ev() { events ".event==\"$2\" and .process.pid==$(pid_of "$1") ${3:+and $3}"; }
# podv POD FIELD: POD_<POD>_<FIELD>
podv() { local v="POD_$1_$2"; echo "${!v}"; }
# pod_json POD: what .pod must say, minus credentials
pod_json() {
	printf '["%s","%s","%s","%s"]' "$(podv "$1" UID)" "$(podv "$1" K8S_NAMESPACE)" \
		"$(podv "$1" K8S_NAME)" "$(podv "$1" K8S_SA)"
}

# expect TAG POD EVENT RUNTIME CRED-JSON ROLE-JSON: one EVENT, fully attributed to POD
expect() {
	local tag=$1 p=$2 evn=$3 rt=$4 cred=$5 role=$6 e n
	e=$(ev "$tag" "$evn")
	n=$(grep -c . <<<"$e")
	check_eq "$tag: one $evn event" "$n" 1
	[ "$n" -ge 1 ] || return
	# one jq for all the fields (processes are slow in the kernel matrix's emulated VM)
	local f=()
	mapfile -t f < <(head -1 <<<"$e" | jq -r '(.cgroup.path | tostring),
		([.pod.uid,.pod.namespace,.pod.name,.pod.service_account] | tojson),
		([.container.id,.container.name,.container.image,.container.runtime,.container.type] | tojson),
		([.pod.credential_mode,.container.credential_mode,.pod.role_arn] | tojson),
		([.host,.pod.host_network,.attribution.complete,.attribution.missing,.attribution.pending] | tojson)')
	check_eq "$tag: cgroup is the pod's container" "${f[0]-}" "$(podv "$p" CGREL)"
	check_eq "$tag: pod uid, namespace, name, service account" "${f[1]-}" "$(pod_json "$p")"
	check_eq "$tag: container id, name, image, runtime, type" "${f[2]-}" \
		"[\"$(podv "$p" CID)\",\"$(podv "$p" CONTAINER)\",\"$(podv "$p" IMAGE)\",\"$rt\",\"container\"]"
	check_eq "$tag: credential mode (pod, container) and role ARN" "${f[3]-}" "[$cred,$cred,$role]"
	check_eq "$tag: not a host process, own netns, attribution complete" "${f[4]-}" \
		'[false,false,true,[],null]'
}

# expect_token TAG OWNER-POD KIND AUDIENCE VOLUME-PREFIX: the token event's file owner and claims
expect_token() {
	local tag=$1 p=$2 kind=$3 aud=$4 vol=$5 e
	local f=()
	mapfile -t f < <(ev "$tag" file_open | head -1 | jq -r --arg vol "$vol" '
		([.token.kind,.token.audience,.token.service_account,.token.namespace,.token.pod_name,.token.pod_uid] | tojson),
		([.file.owner.pod_uid,.file.owner.namespace,.file.owner.pod_name,.file.owner.verified] | tojson),
		(.file.owner.volume | startswith($vol) | tojson)')
	check_eq "$tag: token kind, audience, service account, pod" "${f[0]-}" \
		"[\"$kind\",[\"$aud\"],\"$(podv "$p" K8S_SA)\",\"$(podv "$p" K8S_NAMESPACE)\",\"$(podv "$p" K8S_NAME)\",\"$(podv "$p" UID)\"]"
	check_eq "$tag: file owner is pod $p (verified)" "${f[1]-}" \
		"[\"$(podv "$p" UID)\",\"$(podv "$p" K8S_NAMESPACE)\",\"$(podv "$p" K8S_NAME)\",true]"
	check_eq "$tag: file owner volume $vol*" "${f[2]-}" true
}

check_eq "this test's cgroups: 9 endpoint_connect and 10 file_open events, no more" \
	"$(count_events '.event=="endpoint_connect"') $(count_events '.event=="file_open"')" "9 10"

PI='["pod_identity"]' IRSA='["irsa"]' KEYS='["static_keys"]' NODE='["node_role"]'
expect pi-imds pi endpoint_connect containerd "$PI" null
expect pi-pi pi file_open containerd "$PI" null
expect pi-sa pi file_open containerd "$PI" null
expect irsa-imds irsa endpoint_connect containerd "$IRSA" "\"$IRSA_ARN\""
expect irsa-irsa irsa file_open containerd "$IRSA" "\"$IRSA_ARN\""
expect keys-imds keys endpoint_connect containerd "$KEYS" null
expect keys-sa keys file_open containerd "$KEYS" null
expect plain-imds plain endpoint_connect containerd "$NODE" null
expect plain-sa plain file_open containerd "$NODE" null
expect crio-imds crio endpoint_connect crio "$IRSA" "\"$CRIO_ARN\""
expect crio-irsa crio file_open crio "$IRSA" "\"$CRIO_ARN\""
expect crio-sa crio file_open crio "$IRSA" "\"$CRIO_ARN\""

expect_token pi-pi pi pod_identity pods.eks.amazonaws.com eks-pod-identity-token
expect_token pi-sa pi kubernetes https://kubernetes.default.svc kube-api-access-
expect_token irsa-irsa irsa irsa sts.amazonaws.com aws-iam-token
expect_token keys-sa keys kubernetes https://kubernetes.default.svc kube-api-access-
expect_token plain-sa plain kubernetes https://kubernetes.default.svc kube-api-access-
expect_token crio-irsa crio irsa sts.amazonaws.com aws-iam-token
expect_token crio-sa crio kubernetes https://kubernetes.default.svc kube-api-access-

check_eq "pi: pod_identity_associated" "$(ev pi-imds endpoint_connect | jq -c .pod.pod_identity_associated)" true
check_eq "irsa: no Pod Identity association" "$(ev irsa-imds endpoint_connect | jq -c .pod.pod_identity_associated)" false
check_eq "keys: static key variables named, never their values" \
	"$(ev keys-imds endpoint_connect | jq -c .container.static_key_env)" '["AWS_ACCESS_KEY_ID","AWS_SECRET_ACCESS_KEY"]'
# cross-pod read: the reader is pod plain, the file is pod irsa's
e=$(ev cross file_open | head -1)
check_eq "cross: one event" "$(ev cross file_open | grep -c .)" 1
check_eq "cross: pod is the reader (plain)" "$(jq -c '[.pod.uid,.pod.name,.container.id]' <<<"$e")" \
	"[\"$POD_plain_UID\",\"$POD_plain_K8S_NAME\",\"$POD_plain_CID\"]"
check_eq "cross: file owner is pod irsa" \
	"$(jq -c '[.file.owner.pod_uid,.file.owner.namespace,.file.owner.pod_name,.file.owner.volume]' <<<"$e")" \
	"[\"$POD_irsa_UID\",\"$POD_irsa_K8S_NAMESPACE\",\"$POD_irsa_K8S_NAME\",\"aws-iam-token\"]"
check_eq "cross: token claims name pod irsa" "$(jq -c '[.token.kind,.token.pod_uid,.token.service_account]' <<<"$e")" \
	"[\"irsa\",\"$POD_irsa_UID\",\"$POD_irsa_K8S_SA\"]"
check_eq "cross: attribution complete" "$(jq -c .attribution.complete <<<"$e")" true

# host process
e=$(ev host file_open | head -1)
check_eq "host: one event" "$(ev host file_open | grep -c .)" 1
check_eq "host: host true, pod and container null, complete" \
	"$(jq -c '[.host,.pod,.container,.attribution.complete,.cgroup.path]' <<<"$e")" \
	"[true,null,null,true,\"$FN_CGREL/system.slice/cwtest-reader.service\"]"
check_eq "host: file owner is pod pi" \
	"$(jq -c '[.file.owner.pod_uid,.file.owner.namespace,.file.owner.pod_name,.file.owner.volume,.file.owner.verified]' <<<"$e")" \
	"[\"$POD_pi_UID\",\"$POD_pi_K8S_NAMESPACE\",\"$POD_pi_K8S_NAME\",\"eks-pod-identity-token\",true]"
check_eq "host: token kind and service account" "$(jq -c '[.token.kind,.token.service_account]' <<<"$e")" \
	"[\"pod_identity\",\"$POD_pi_K8S_SA\"]"

# hostNetwork pod
e=$(ev hostnet file_open | head -1)
check_eq "hostnet: one event" "$(ev hostnet file_open | grep -c .)" 1
check_eq "hostnet: pod, host_network true, complete" \
	"$(jq -c '[.host,.pod.uid,.pod.name,.pod.host_network,.container.name,.attribution.complete]' <<<"$e")" \
	"[false,\"$POD_hostnet_UID\",\"$POD_hostnet_K8S_NAME\",true,\"$POD_hostnet_CONTAINER\",true]"

# the late spec: the first event was held back, then fully attributed
expect late-imds late endpoint_connect containerd "$PI" null
e=$(ev late-imds endpoint_connect | head -1)
ev_ns=$(date -d "$(jq -r .time <<<"$e")" +%s%N)
# (renamed into place: its ctime is when it appeared)
cfg_ns=$(stat -c %.9Z "$POD_late_CONFIG" | tr -d .)
check "late: its config.json appeared >= 300 ms after the event ($(((cfg_ns - ev_ns) / 1000000)) ms)" \
	test $((cfg_ns - ev_ns)) -ge 300000000
check "late: agent_stats counts held-back events" \
	test "$(jq -s '[.[]|select(.event=="agent_stats")][-1].held_back' "$AGENT_OUT")" -ge 1

# metadata that never appears
e=$(ev ghost-imds endpoint_connect | head -1)
check_eq "ghost: one event" "$(ev ghost-imds endpoint_connect | grep -c .)" 1
check_eq "ghost: pod uid and container id from the cgroup, no names" \
	"$(jq -c '[.pod.uid,.pod.namespace,.pod.name,.container.id,.container.name]' <<<"$e")" \
	"[\"$POD_ghost_UID\",null,null,\"$POD_ghost_CID\",null]"
check_eq "ghost: partial, says what is missing" \
	"$(jq -c '[.attribution.complete,(.attribution.missing|sort),.attribution.pending]' <<<"$e")" \
	'[false,["oci_spec","pod_logs","sa_token","siblings"],null]'
check_eq "ghost: the cgroup was a source" "$(jq -c '.attribution.sources|index("cgroup") != null' <<<"$e")" true

# hostile specs
for t in shadow big; do
	p=$t
	e=$(ev "$t-imds" endpoint_connect | head -1)
	check_eq "$t: one event" "$(ev "$t-imds" endpoint_connect | grep -c .)" 1
	check_eq "$t: partial, the spec is missing, pod known" \
		"$(jq -c '[.attribution.complete,(.attribution.missing|index("oci_spec") != null),.pod.uid,.container.id,.container.name]' <<<"$e")" \
		"[false,true,\"$(podv "$p" UID)\",\"$(podv "$p" CID)\",null]"
done
check "the /etc/shadow watcher saw the control open" grep -q "^$(pid_of control) " "$FN_RUN/shadow.log"
check_eq "the agent never opened /etc/shadow" "$(awk -v p="$(jq -r 'select(.event=="agent_ready").agent.pid' "$AGENT_OUT")" '$1 == p' "$FN_RUN/shadow.log" | wc -l)" 0
check_eq "watcher ran without error" "$(cat "$FN_RUN/watch.err")" ""
check "agent_stats: the symlinked and the oversized spec were refused (>= 2)" \
	test "$(jq -s '[.[]|select(.event=="agent_stats")][-1].attrib.refused' "$AGENT_OUT")" -ge 2

# no secret anywhere in what the agent wrote
leaks=0
while read -r sig; do
	[ -n "$sig" ] || continue
	grep -qF "$sig" "$ALL_OUT" "$AGENT_ERR" && leaks=$((leaks + 1))
done < <(cat "$FN_RUN/secrets"; echo "$FAKE_SECRET"; echo "$FAKE_AKID")
check "fixture tokens were recorded for the leak check" test -s "$FN_RUN/secrets"
check_eq "no static key and no token signature in the agent's output or stderr" "$leaks" 0
finish
