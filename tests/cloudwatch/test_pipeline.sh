#!/bin/bash
# The CloudWatch side end to end, with real credwatch events and the real Fluent Bit.
#
# 1. Record events: the real agent on a fake node (tests/lib/fakenode.sh). A pod configured for
#    IRSA (payments/api-7d9f) takes the node role's credentials from IMDS three times
#    (agent_bypass, folded: one event, one finding_summary); a plain pod makes IMDSv2 and IMDSv1
#    metadata lookups, reads its own token (audit events, no finding), reads the IRSA pod's
#    token (foreign_token_read) and connects to the runtime socket (credential_socket_access);
#    a host process reads the IRSA token (host_token_read); a Pod Identity pod calls the agent
#    with its own token. A second agent run with a one-page ring buffer and a burst of 3000 UDP
#    connects loses events for real (agent_stats.drops.ringbuf_full > 0).
# 2. The metric filter patterns of the CloudFormation template, evaluated on those events by
#    tests/cloudwatch/cwpattern.py: high matches the bypass finding, critical the foreign token
#    read, drops the lossy run's agent_stats; none matches agent_ready, an audit event, a
#    finding_summary or the lossless run's agent_stats.
# 3. Fluent Bit (built once by build-fluent-bit.sh, cached in /var/cache/credwatch) runs the
#    shipped deploy/cloudwatch/fluent-bit files unmodified (included by a test [SERVICE]
#    section, as the Container Insights DaemonSet's fluent-bit.conf does). Nothing in them is
#    substituted: the test arranges the world around the configuration instead. Fluent Bit
#    runs in a network namespace of its own (only lo: it cannot reach AWS or IMDS whatever it
#    tried) and a mount namespace where /var/log/containers and /var/fluent-bit/state are test
#    directories, /etc/hosts maps logs.us-east-1.amazonaws.com (the endpoint the plugin
#    derives from AWS_REGION) to 127.0.0.1, and /etc/ssl/certs holds only the test's CA, so
#    TLS is verified (tls.verify stays On). A CloudWatch Logs simulator (cwlogs_sim.py) serves
#    that name on 127.0.0.1:443 in the same network namespace and checks the SigV4 signature
#    of every request against the fake credentials Fluent Bit has in its environment.
#    Phases: delivery (lines before and after start, a P + F split line, stderr lines, decoy
#    files of other containers); the simulator down; the simulator answering 500; a request
#    stored and then answered 500 (a lost response: at-least-once, the chunk is re-sent);
#    Fluent Bit restarted (its offset DB: nothing re-sent).
set -u
cd "$(dirname "$0")/../.." || exit 1
REPO=$PWD
. tests/lib/fakenode.sh
. tests/lib/agent.sh
PY=/usr/bin/python3
CW=tests/cloudwatch
T0=$SECONDS
skip() { echo "SKIP: $*"; }
tmark() { echo "test_pipeline: $1 at $((SECONDS - T0)) s" >&2; }

ROLE=credwatch-sim-node-role
I4=http://169.254.169.254
P4=http://169.254.170.23
CREDP=/latest/meta-data/iam/security-credentials/$ROLE
SA_DIR=/var/run/secrets/kubernetes.io/serviceaccount

fn_init || exit 1
fn_root

# --- 1. record real events --------------------------------------------------------------------
setup_irsa() {
	fn_pod irsa && fn_pod_state irsa --namespace payments --name api-7d9f --service-account api \
		--env "AWS_ROLE_ARN=arn:aws:iam::111122223333:role/payments-api" \
		--env "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token" &&
		fn_volumes irsa --sa --irsa && fn_sim irsa
}
setup_plain() { fn_pod plain && fn_pod_state plain && fn_volumes plain --sa && fn_sim plain; }
setup_pi() {
	fn_pod pi && fn_pod_state pi \
		--env "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials" \
		--env "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token" &&
		fn_volumes pi --sa --pod-identity && fn_sim pi
}
setup_burst() { fn_pod burst; }
for p in irsa plain pi burst; do
	("setup_$p" >"$FN_RUN/setup-$p.log" 2>&1 && touch "$FN_RUN/setup-$p.ok") &
done
wait
for p in irsa plain pi burst; do
	if [ ! -e "$FN_RUN/setup-$p.ok" ]; then
		cat "$FN_RUN/setup-$p.log" >&2
		fail "setting up pod $p"
		exit 1
	fi
	fn_load "$p" || exit 1
done
mkdir -p "$FN_ROOT/run/containerd"
$PY tests/lib/unixserver.py "$FN_ROOT/run/containerd/containerd.sock" &
fn_track_pid $!
for _ in $(seq 50); do [ -e "$FN_ROOT/run/containerd/containerd.sock.ready" ] && break; sleep 0.1; done
printf 'Authorization: %s\n' "$(cat "$POD_pi_VOL_PI/eks-pod-identity-token")" >"$FN_RUN/pi-auth.hdr"
tmark "pods ready"

# run TAG WHERE CMD...: WHERE is host, ctr:POD (fn_in_container) or a pod (fn_in_pod); the
# pid goes to $FN_RUN/TAG.pid, the output to /dev/null (readers of secrets write nothing)
run() {
	local tag=$1 where=$2
	shift 2
	local rec=(sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid")
	case $where in
	host) "${rec[@]}" "$@" ;;
	ctr:*) fn_in_container "${where#ctr:}" "${rec[@]}" "$@" ;;
	*) fn_in_pod "$where" "${rec[@]}" "$@" ;;
	esac >/dev/null 2>&1
}
pid_of() { cat "$FN_RUN/$1.pid" 2>/dev/null || echo -1; }

AGENT_OUT=$FN_RUN/run1.json
agent_start -v --host-root "$FN_ROOT" --node-name ip-10-0-1-23.ec2.internal --cluster-name cwtest || exit 1
for i in 1 2 3; do
	run "bypass$i" irsa curl -s -m 3 "$I4$CREDP"
done
run meta2 plain sh -c 'T=$(curl -s -m 3 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" '"$I4"'/latest/api/token) &&
	exec curl -s -m 3 -H "X-aws-ec2-metadata-token: $T" '"$I4"'/latest/meta-data/instance-id'
run meta1 plain curl -s -m 3 "$I4/latest/meta-data/ami-id"
run own ctr:plain cat "$SA_DIR/token"
run foreign ctr:plain cat "$POD_irsa_VOL_IRSA/token"
run hosttok host cat "$POD_irsa_VOL_IRSA/token"
CONNECT='import socket,sys; s=socket.socket(socket.AF_UNIX)
try: s.connect(sys.argv[1])
except OSError as e: print(e)'
FN_BINDS="$FN_ROOT/run/containerd:/run/containerd" run sock ctr:plain $PY -c "$CONNECT" /run/containerd/containerd.sock
run piok pi curl -s -m 3 -H "@$FN_RUN/pi-auth.hdr" "$P4/v1/credentials"
sleep 1.5
kill -TERM "$AGENT_PID"
rc=0
wait "$AGENT_PID" || rc=$?
AGENT_PID=
check_eq "recording run: the agent exits 0" "$rc" 0
cp "$AGENT_ERR" "$FN_RUN/run1.err"
check "recording run: every line validates against the schema" tests/lib/validate_events.py "$AGENT_OUT" --complete

# the lossy run: a one-page ring buffer and a burst (as tests/integration/test_ringbuf.sh)
AGENT_OUT=$FN_RUN/run2.json
agent_start --ringbuf-size 4096 --node-name ip-10-0-1-23.ec2.internal --cluster-name cwtest || exit 1
fn_in_pod burst "$REPO/build/tests/cw_connect" -u -n 3000 169.254.169.254 80 >/dev/null
agent_stop
tmark "events recorded"

R1=$FN_RUN/run1.json R2=$FN_RUN/run2.json
ev_pid() { jq -c "select(.process.pid == $(pid_of "$2") and .event == \"$1\")" "$R1"; }
BYPASS=$(ev_pid imds_request bypass1)
check_eq "the IRSA pod's node-role fetch: agent_bypass/high" "$(jq -r '"\(.finding.rule)/\(.finding.severity) \(.pod.namespace)/\(.pod.name)"' <<<"$BYPASS")" "agent_bypass/high payments/api-7d9f"
SUMMARY=$(jq -c "select(.event == \"finding_summary\" and .subject.pod_uid == \"$POD_irsa_UID\")" "$R1")
check_eq "its repeats folded: one finding_summary, count 3" "$(jq -c '[.finding.rule,.count]' <<<"$SUMMARY")" '["agent_bypass",3]'
AUDIT_FILE=$(ev_pid file_open own)
AUDIT_HTTP=$(jq -c "select(.event == \"imds_request\" and .http.method == \"GET\" and .http.imds_version == \"v2\" and .pod.uid == \"$POD_plain_UID\")" "$R1" | head -1)
check_eq "audit events: own token read and IMDSv2 metadata lookup, no finding" \
	"$(jq -s -c 'map(has("finding"))' <<<"$AUDIT_FILE$AUDIT_HTTP")" '[false,false]'
FOREIGN=$(ev_pid file_open foreign)
check_eq "foreign token read: critical" "$(jq -r .finding.severity <<<"$FOREIGN")" critical
READY1=$(jq -c 'select(.event == "agent_ready")' "$R1")
STATS1=$(jq -c 'select(.event == "agent_stats")' "$R1")
STATS2=$(jq -c 'select(.event == "agent_stats")' "$R2")
check "the lossy run lost events ($(jq .drops.ringbuf_full <<<"$STATS2") ringbuf_full drops)" \
	test "$(jq .drops.ringbuf_full <<<"$STATS2")" -gt 0
check_eq "the recording run lost none" "$(jq -c .drops <<<"$STATS1")" '{"ringbuf_full":0,"bad_record":0,"output_error":0,"low_priority_refused":0,"cgroups_dropping":0,"by_cgroup":[]}'

# --- 2. the metric filter patterns on those events ---------------------------------------------
for v in BYPASS SUMMARY AUDIT_FILE AUDIT_HTTP FOREIGN READY1 STATS1 STATS2; do
	printf '%s\n' "${!v}" >"$FN_RUN/ev-$v.json"
done
$PY - "$REPO" "$FN_RUN" <<'EOF'
import os, sys, yaml
sys.path.insert(0, os.path.join(sys.argv[1], "tests", "cloudwatch"))
import cwpattern
run = sys.argv[2]
class L(yaml.SafeLoader): pass
L.add_multi_constructor("!", lambda l, s, n: None)
tpl = yaml.load(open(os.path.join(sys.argv[1], "deploy/cloudwatch/cloudformation/credwatch-cloudwatch.yaml")), Loader=L)
pat = {n: r["Properties"]["FilterPattern"] for n, r in tpl["Resources"].items()
       if r["Type"] == "AWS::Logs::MetricFilter"}
ev = {k: open(os.path.join(run, "ev-%s.json" % k)).read().strip() for k in
      ("BYPASS", "SUMMARY", "AUDIT_FILE", "AUDIT_HTTP", "FOREIGN", "READY1", "STATS1", "STATS2")}
want = {"HighFindingsFilter": {"BYPASS"}, "CriticalFindingsFilter": {"FOREIGN"},
        "DropsFilter": {"STATS2"}}
for name, p in sorted(pat.items()):
    got = {k for k, msg in ev.items() if msg and cwpattern.matches(p, msg)}
    exp = want.get(name, set())
    ok = got == exp
    print("%s: metric filter %s matches %s and none of the other recorded events (matched: %s)"
          % ("PASS" if ok else "FAIL", name, sorted(exp), sorted(got)))
EOF
tmark "patterns evaluated"

# --- 3. Fluent Bit, for real --------------------------------------------------------------------
FB_BIN=$($CW/build-fluent-bit.sh)
brc=$?
if [ $brc -eq 2 ]; then
	skip "Fluent Bit end to end: the vendored source is not there (see build-fluent-bit.sh)"
	finish
	exit
elif [ $brc -ne 0 ] || [ ! -x "$FB_BIN" ]; then
	fail "building Fluent Bit (exit $brc; see the build log in /var/cache/credwatch/fluent-bit-*)"
	finish
	exit
fi
pass "Fluent Bit built or cached: $FB_BIN ($("$FB_BIN" --version | head -1))"
tmark "fluent-bit ready"

FBR=$FN_RUN/fb
mkdir -p "$FBR/var/log/containers" "$FBR/var/fluent-bit/state" "$FBR/certs" "$FBR/bin" "$FBR/etc" \
	"$FBR/sim" "$FBR/home"
cp "$FB_BIN" "$FBR/bin/fluent-bit"
cp deploy/cloudwatch/fluent-bit/credwatch.conf deploy/cloudwatch/fluent-bit/parsers-credwatch.conf "$FBR/etc/"
check "the configuration Fluent Bit runs is the shipped one, byte for byte" \
	cmp -s deploy/cloudwatch/fluent-bit/credwatch.conf "$FBR/etc/credwatch.conf"
ENDPOINT=logs.us-east-1.amazonaws.com
# a CA and a certificate for the endpoint, made now
(
	cd "$FBR/certs" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=credwatch test CA" \
			-keyout ca.key -out ca.crt &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=$ENDPOINT" -keyout server.key -out server.csr &&
		printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$ENDPOINT" >ext.cnf &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
			-extfile ext.cnf -out server.crt &&
		mkdir trust && cp ca.crt trust/ca-bundle.crt && ln -s ca-bundle.crt "trust/$(openssl x509 -hash -noout -in ca.crt).0"
) >"$FBR/certs.log" 2>&1 || { cat "$FBR/certs.log" >&2; fail "making the test certificates"; exit 1; }
printf '127.0.0.1 localhost\n127.0.0.1 %s\n' "$ENDPOINT" >"$FBR/hosts"
# fake credentials, made now; the secret is grepped for in every output at the end
AKID=AKIACWTEST$(od -An -tx1 -N5 /dev/urandom | tr -d ' \n' | tr a-f A-F)
SECRET=cwtestFAKEsecret$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
echo "$SECRET" >"$FN_RUN/fake-aws.secrets"

NS=cwt-$$-cwlogs
ip netns add "$NS" || { fail "creating network namespace $NS"; exit 1; }
fn_on_cleanup ip netns del "$NS"
ip -n "$NS" link set lo up

SIM_PID=
sim_start() {
	rm -f "$FBR/sim.ready"
	AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET nsenter --net="/run/netns/$NS" -- \
		$PY "$REPO/$CW/cwlogs_sim.py" --listen 127.0.0.1:443 --cert "$FBR/certs/server.crt" \
		--key "$FBR/certs/server.key" --state "$FBR/sim" --ready "$FBR/sim.ready" \
		>>"$FBR/sim.log" 2>&1 &
	SIM_PID=$!
	fn_track_pid "$SIM_PID"
	for _ in $(seq 100); do [ -s "$FBR/sim.ready" ] && return 0; sleep 0.1; done
	echo "simulator not ready: $(cat "$FBR/sim.log")" >&2
	return 1
}
sim_stop() { kill -TERM "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; SIM_PID=; }

# the Container Insights DaemonSet's fluent-bit.conf, reduced to what this test needs: its own
# [SERVICE] (a short flush and retry backoff, the metrics server) and the shipped files
cat >"$FBR/etc/fluent-bit.conf" <<EOF
[SERVICE]
    Flush                     1
    Grace                     10
    Log_Level                 info
    Parsers_File              $FBR/etc/parsers-credwatch.conf
    HTTP_Server               On
    HTTP_Listen               127.0.0.1
    HTTP_Port                 2020
    storage.path              /var/fluent-bit/state/flb-storage/
    storage.sync              normal
    storage.backlog.mem_limit 5M
    scheduler.base            1
    scheduler.cap             4

@INCLUDE $FBR/etc/credwatch.conf
EOF
FB_PID=
fb_start() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$FBR/home" AWS_REGION=us-east-1 \
		CLUSTER_NAME=cwtest HOST_NAME=ip-10-0-1-23.ec2.internal \
		AWS_ACCESS_KEY_ID="$AKID" AWS_SECRET_ACCESS_KEY="$SECRET" \
		nsenter --net="/run/netns/$NS" -- unshare -m --propagation private -- /bin/sh -c '
		mount --bind "$0/hosts" /etc/hosts && mount --bind "$0/certs/trust" /etc/ssl/certs &&
			mount --bind "$0/var" /var || exit 125
		exec "$0/bin/fluent-bit" -c "$0/etc/fluent-bit.conf"' "$FBR" >>"$FBR/fluent-bit.log" 2>&1 &
	FB_PID=$!
	fn_track_pid "$FB_PID"
	# it must still be running a moment later (a configuration it refuses ends it at once)
	sleep 1
	if ! kill -0 "$FB_PID" 2>/dev/null; then
		fail "Fluent Bit exited at start: $(grep -E '\[ *error\]' "$FBR/fluent-bit.log" | tail -3 | tr '\n' ' ')"
		exit 1
	fi
}
fb_stop() {
	local rc=0
	kill -TERM "$FB_PID" 2>/dev/null
	wait "$FB_PID" || rc=$?
	FB_PID=
	return $rc
}
fb_metric() { # OUTPUT-COUNTER: e.g. retries, errors, proc_records
	nsenter --net="/run/netns/$NS" -- curl -s -m 2 http://127.0.0.1:2020/api/v1/metrics |
		jq -r "[.output[]][0].$1 // 0" 2>/dev/null || echo 0
}
GROUP=/aws/containerinsights/cwtest/credwatch
arrived() { $PY $CW/pipeline.py count "$FBR/sim" "$GROUP"; }
expected() { cat "$@" 2>/dev/null | wc -l; }
# wait_for N SECONDS: until N log events are in the group
wait_for() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		[ "$(arrived)" -ge "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

CIDA=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
CIDB=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
LOGS=$FBR/var/log/containers
LA=$LOGS/credwatch-x7k2p_credwatch_credwatch-$CIDA.log
LB=$LOGS/credwatch-x7k2p_credwatch_credwatch-$CIDB.log
STREAM_A="ip-10-0-1-23.ec2.internal-credwatch.var.log.containers.${LA##*/}"
STREAM_B="ip-10-0-1-23.ec2.internal-credwatch.var.log.containers.${LB##*/}"
# other containers' logs, also real credwatch lines: never shipped by this pipeline
for decoy in "aws-node-9fz2q_kube-system_aws-node-$CIDB.log" "credwatch-x7k2p_other_credwatch-$CIDB.log" \
	"credwatch-x7k2p_credwatch_sidecar-$CIDB.log" "fluent-bit-abcde_amazon-cloudwatch_fluent-bit-$CIDA.log"; do
	$PY $CW/pipeline.py cri "$LOGS/$decoy" "$R1" 0 3
done

N1=$(wc -l <"$R1") N2=$(wc -l <"$R2")
READY_LINE=$(grep -n '"event":"agent_ready"' "$R1" | head -1 | cut -d: -f1)
# phase A: half of run 1 before Fluent Bit starts (read from the head), the rest after; the
# agent_ready line as P + F partials
H1=$((N1 / 2))
$PY $CW/pipeline.py cri "$LA" "$R1" 0 "$H1" --split $((READY_LINE - 1))
sim_start || { fail "starting the CloudWatch Logs simulator"; exit 1; }
fb_start
sleep 1
$PY $CW/pipeline.py cri "$LA" "$R1" "$H1" "$N1"
grep -v '^$' "$FN_RUN/run1.err" | head -20 >"$FBR/stderr-lines.txt"
$PY $CW/pipeline.py stderr "$LA" "$FBR/stderr-lines.txt"
WANT=$(expected "$LA.expected")
wait_for "$WANT" 60
check "phase A: $WANT records in CloudWatch within 60 s ($(arrived))" test "$(arrived)" -ge "$WANT"
check "phase A: the simulator saw CreateLogStream fail (no group), then CreateLogGroup, CreateLogStream" \
	test "$(jq -r -s '[.[]|select(.action!="PutLogEvents")|"\(.action):\(.status)"]|join(" ")' "$FBR/sim/requests.jsonl")" \
	== "CreateLogStream:400 CreateLogGroup:200 CreateLogStream:200"
$PY $CW/pipeline.py check "$FBR/sim" "$GROUP" "$STREAM_A=$LA" --label "phase A"
tmark "phase A done"

# phase B: the simulator down (connection refused) while a new container's log (a restart:
# run 2) is written; Fluent Bit retries; the simulator comes back with its state
sim_stop
R0=$(fb_metric retries)
T2=$((N2 / 3))
$PY $CW/pipeline.py cri "$LB" "$R2" 0 "$T2"
for _ in $(seq 150); do [ "$(fb_metric retries)" -ge $((R0 + 2)) ] && break; sleep 0.2; done
RB=$(fb_metric retries)
check "phase B: with the simulator down Fluent Bit retried ($((RB - R0)) retries in $(fb_metric errors) errors)" test "$RB" -ge $((R0 + 2))
check_eq "phase B: nothing arrived meanwhile" "$(arrived)" "$WANT"
sim_start || { fail "restarting the simulator"; exit 1; }
WANT=$(expected "$LA.expected" "$LB.expected")
wait_for "$WANT" 60
check "phase B: after the simulator came back, $WANT records within 60 s ($(arrived))" test "$(arrived)" -ge "$WANT"
tmark "phase B done"

# phase C: the simulator answers 500 ServiceUnavailableException for a while
echo fail >"$FBR/sim/mode"
F0=$(jq -s '[.[]|select(.status==500)]|length' "$FBR/sim/requests.jsonl")
$PY $CW/pipeline.py cri "$LB" "$R2" "$T2" $((2 * T2))
for _ in $(seq 150); do
	[ "$(jq -s '[.[]|select(.status==500)]|length' "$FBR/sim/requests.jsonl")" -ge $((F0 + 2)) ] && break
	sleep 0.2
done
F1=$(jq -s '[.[]|select(.status==500)]|length' "$FBR/sim/requests.jsonl")
check "phase C: Fluent Bit sent again after 500s ($((F1 - F0)) answered 500)" test "$F1" -ge $((F0 + 2))
echo ok >"$FBR/sim/mode"
WANT=$(expected "$LA.expected" "$LB.expected")
wait_for "$WANT" 60
check "phase C: after the 500s stopped, $WANT records within 60 s ($(arrived))" test "$(arrived)" -ge "$WANT"
$PY $CW/pipeline.py check "$FBR/sim" "$GROUP" "$STREAM_A=$LA" "$STREAM_B=$LB" --label "phases B-C"
tmark "phase C done"

# phase D: a request stored, then answered 500 (its response lost): Fluent Bit re-sends the
# chunk, so its events arrive twice; nothing is lost (at-least-once delivery)
echo store-then-fail >"$FBR/sim/mode"
$PY $CW/pipeline.py cri "$LB" "$R2" $((2 * T2)) "$N2"
WANT=$(expected "$LA.expected" "$LB.expected")
STORED=0
for _ in $(seq 300); do
	STORED=$(jq -s '[.[]|select(.stored)|.events]|add // 0' "$FBR/sim/requests.jsonl")
	[ "$STORED" -gt 0 ] && [ "$(arrived)" -ge $((WANT + STORED)) ] && break
	sleep 0.2
done
check "phase D: a request of $STORED events was stored and answered 500, and Fluent Bit re-sent it ($(arrived) records, $WANT distinct)" \
	test "$STORED" -gt 0 -a "$(arrived)" -ge $((WANT + STORED))
$PY $CW/pipeline.py check "$FBR/sim" "$GROUP" "$STREAM_A=$LA" "$STREAM_B=$LB" --allow-resent --label "phase D"
tmark "phase D done"

# phase E: Fluent Bit restarted: its offset DB keeps it from shipping anything twice; lines
# written while it was down arrive once it is back
check "phase E: Fluent Bit stops cleanly on SIGTERM" fb_stop
BEFORE=$(arrived)
grep -v '^$' "$FN_RUN/run1.err" | tail -5 >"$FBR/stderr-lines2.txt"
$PY $CW/pipeline.py stderr "$LB" "$FBR/stderr-lines2.txt"
fb_start
ADD=$(wc -l <"$FBR/stderr-lines2.txt")
wait_for $((BEFORE + ADD)) 60
sleep 3
check_eq "phase E: after the restart exactly the $ADD new lines arrived" "$(($(arrived) - BEFORE))" "$ADD"
$PY $CW/pipeline.py check "$FBR/sim" "$GROUP" "$STREAM_A=$LA" "$STREAM_B=$LB" --allow-resent --label "phase E"
fb_stop
sim_stop
tmark "phase E done"

# no secret anywhere: what the credential simulators handed out, the fixture tokens'
# signatures, the fake AWS secret Fluent Bit signed with
sort -u "$FN_RUN"/sim-*.secrets "$FN_RUN/secrets" "$FN_RUN/fake-aws.secrets" | grep -v '^$' >"$FN_RUN/all-secrets.txt"
check "secrets recorded for the leak check ($(wc -l <"$FN_RUN/all-secrets.txt"))" test "$(wc -l <"$FN_RUN/all-secrets.txt")" -ge 10
leaky=$(find "$FN_RUN" -type f ! -name '*.secrets' ! -name secrets ! -name all-secrets.txt \
	! -name '*.hdr' ! -path "$FN_ROOT/var/lib/kubelet/pods/*" -print0 |
	xargs -0 grep -lF -f "$FN_RUN/all-secrets.txt" 2>/dev/null)
check_eq "no secret in the events, the CRI logs, what CloudWatch received or Fluent Bit's log" "$leaky" ""
# Fluent Bit's errors and warnings: only those the outage, the 500s and the lost response cause
unexpected=$(grep -E '\[ *(error|warn)\]' "$FBR/fluent-bit.log" | sed 's/^\[[^]]*\] //' | grep -vE \
	-e '\[aws_client\] connection initialization error$' \
	-e "\\[engine\\] failed to flush chunk '[^']*', retry in [0-9]+ seconds: .* > output=cloudwatch_logs.0" \
	-e '\[engine\] service will shutdown in max [0-9]+ seconds$' \
	-e 'cloudwatch_logs.0\] Failed to (send log events|send events|create log stream)$' \
	-e "cloudwatch_logs.0\\] PutLogEvents API responded with error='ServiceUnavailableException', message='simulated " |
	sort | uniq -c | head -5)
check_eq "Fluent Bit logged no error or warning other than those of the outage, the 500s and the lost response" "$unexpected" ""
check "the whole test took <= 300 s ($((SECONDS - T0)) s)" test $((SECONDS - T0)) -le 300
[ -n "${CWTEST_DEBUG_KEEP:-}" ] && cp -r "$FBR" "$CWTEST_DEBUG_KEEP"
finish
