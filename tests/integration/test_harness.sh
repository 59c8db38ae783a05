#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of the fake-node test infrastructure: tests/sim/credsim.c + tests/lib/fakenode.sh.
# Prints one "PASS: ..." or "FAIL: ..." line per check; exits 1 if any check failed.
# Every request to a credential endpoint is sent from inside a pod network namespace.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

FAILS=0
pass() { echo "PASS: $*"; }
fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}
# check DESC CMD...: PASS if CMD succeeds; on failure show the start of its output
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc"
		printf '%s\n' "$out" | head -n 8 | sed 's/^/    | /' >&2
	fi
}
# expect DESC WANT GOT
expect() {
	if [[ $2 == "$3" ]]; then
		pass "$1"
	else
		fail "$1 (want '$2', got '${3:0:200}')"
	fi
}

CURL=(curl -sS --noproxy '*' --max-time 5)

# ---- build -----------------------------------------------------------------------------------
mkdir -p build/tests
if gcc -std=gnu11 -O2 -Wall -Wextra -Werror tests/sim/credsim.c -o "build/tests/credsim.tmp.$$" &&
   mv -f "build/tests/credsim.tmp.$$" build/tests/credsim; then
	pass "credsim builds with -Wall -Wextra -Werror"
else
	rm -f "build/tests/credsim.tmp.$$"
	fail "credsim builds with -Wall -Wextra -Werror"
	exit 1
fi
CREDSIM=$PWD/build/tests/credsim
export CREDSIM

# shellcheck source=tests/lib/fakenode.sh
source tests/lib/fakenode.sh
if ! fn_init; then
	fail "fn_init"
	exit 1
fi
pass "fn_init (run dir $FN_RUN, cgroup2 at $FN_CG2)"

if gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static tests/sim/credsim.c \
	-o "$FN_RUN/credsim-static" 2>"$FN_RUN/static.err"; then
	pass "credsim links with -static"
else
	fail "credsim links with -static"
	head -n 5 "$FN_RUN/static.err" >&2
fi

mnt_cg2=$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)
expect "FN_CG2 is the cgroup2 mount from mountinfo" "$mnt_cg2" "$FN_CG2"
check "FN_CGBASE exists" test -d "$FN_CGBASE"
expect "FN_CGREL is FN_CGBASE relative to FN_CG2" "$FN_CG2/$FN_CGREL" "$FN_CGBASE"

# ---- pods ------------------------------------------------------------------------------------
check "fn_pod a (systemd, burstable)" fn_pod a --qos burstable --driver systemd
check "fn_pod b (cgroupfs, besteffort)" fn_pod b --qos besteffort --driver cgroupfs
check "fn_pod c (systemd, guaranteed, crio)" fn_pod c --qos guaranteed --runtime crio
# check runs fn_pod in a subshell: fn_load brings its exports here
for p in a b c; do
	check "fn_load $p" fn_load "$p"
	fn_load "$p"
done

uuid_re='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
hex64_re='^[0-9a-f]{64}$'
for p in a b c; do
	uidv=POD_${p}_UID cidv=POD_${p}_CID
	check "pod $p UID is a v4 UUID" grep -Eq "$uuid_re" <<<"${!uidv}"
	check "pod $p container id is 64 hex" grep -Eq "$hex64_re" <<<"${!cidv}"
done
u_=${POD_a_UID//-/_}
expect "pod a systemd/burstable cgroup path" \
	"$FN_CGREL/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$u_.slice/cri-containerd-$POD_a_CID.scope" \
	"$POD_a_CGREL"
expect "pod b cgroupfs/besteffort cgroup path" \
	"$FN_CGREL/kubepods/besteffort/pod$POD_b_UID/$POD_b_CID" "$POD_b_CGREL"
expect "pod c systemd/guaranteed/crio cgroup path" \
	"$FN_CGREL/kubepods.slice/kubepods-pod${POD_c_UID//-/_}.slice/crio-$POD_c_CID.scope" \
	"$POD_c_CGREL"
for p in a b c; do
	cgv=POD_${p}_CG relv=POD_${p}_CGREL sbv=POD_${p}_SANDBOX_CG nsv=POD_${p}_NETNS
	check "pod $p container cgroup dir exists" test -d "${!cgv}"
	expect "pod $p CG = FN_CG2/CGREL" "$FN_CG2/${!relv}" "${!cgv}"
	check "pod $p sandbox cgroup dir exists" test -d "${!sbv}"
	check "pod $p netns exists" grep -qx "${!nsv}\( .*\)\?" <(ip netns list)
done
check "pod c has a crio-conmon scope" test -d "${POD_c_CG%/*}/crio-conmon-$POD_c_CID.scope"

# ---- fixtures: tokens ------------------------------------------------------------------------
now=$(date +%s)
jwt=$("$CREDSIM" mkjwt --iss https://oidc.eks.us-east-1.amazonaws.com/id/CWSIMTEST \
	--aud pods.eks.amazonaws.com --aud extra-aud --ns team-a --pod web-0 \
	--pod-uid "$POD_b_UID" --sa app --sa-uid 11111111-2222-4333-8444-555555555555 \
	--node ip-10-0-0-10.ec2.internal --node-uid 66666666-7777-4888-9999-000000000000 \
	--iat "$now" --exp $((now + 86400)) --secrets-out "$FN_RUN/jwt.secrets")
check "mkjwt prints three dot-separated parts" grep -Eq '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' <<<"$jwt"
check "mkjwt claims decode to the projected-token layout" python3 - "$jwt" "$now" "$POD_b_UID" <<'EOF'
import base64, json, sys
tok, now, poduid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
h, p, s = tok.split(".")
hdr, pl, sig = json.loads(dec(h)), json.loads(dec(p)), dec(s)
assert hdr["alg"] == "RS256", hdr
assert pl["iss"] == "https://oidc.eks.us-east-1.amazonaws.com/id/CWSIMTEST", pl
assert pl["sub"] == "system:serviceaccount:team-a:app", pl
assert pl["aud"] == ["pods.eks.amazonaws.com", "extra-aud"], pl
assert pl["iat"] == now and pl["nbf"] == now and pl["exp"] == now + 86400, pl
k = pl["kubernetes.io"]
assert k["namespace"] == "team-a", k
assert k["pod"] == {"name": "web-0", "uid": poduid}, k
assert k["serviceaccount"] == {"name": "app", "uid": "11111111-2222-4333-8444-555555555555"}, k
assert k["node"] == {"name": "ip-10-0-0-10.ec2.internal",
                     "uid": "66666666-7777-4888-9999-000000000000"}, k
assert len(pl["jti"]) == 36, pl
assert sig.startswith(b"CWSIMSIG") and len(sig) == 256, sig[:16]
EOF
check "mkjwt --secrets-out records the signature part" grep -qxF "${jwt##*.}" "$FN_RUN/jwt.secrets"
jwt2=$("$CREDSIM" mkjwt --ns team-a --sa app)
check "two mkjwt signatures differ" test "${jwt##*.}" != "${jwt2##*.}"
check "mkjwt without --node has no node claim" python3 -c '
import base64, json, sys
p = sys.argv[1].split(".")[1]
k = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["kubernetes.io"]
assert "node" not in k and k["serviceaccount"]["name"] == "app"' "$jwt2"
printf '%s\n' "$jwt" >"$FN_RUN/pia-token"

# ---- simulators ------------------------------------------------------------------------------
check "fn_sim a (all endpoints + STS on 127.0.0.1:8080)" fn_sim a \
	--listen 169.254.169.254:80 --listen '[fd00:ec2::254]:80' --listen 169.254.170.23:80 \
	--listen '[fd00:ec2::23]:80' --listen 169.254.170.2:80 --listen 127.0.0.1:8080@sts
check "fn_sim b (--imdsv2 required, --pia-token-file)" fn_sim b --imdsv2 required \
	--pia-token-file "$FN_RUN/pia-token"
check "fn_sim c (--hang-put, default listeners)" fn_sim c --hang-put
# (check runs fn_sim in a subshell: fn_load brings its exports here)
declare -A SIM_PID
for p in a b c; do
	fn_load "$p"
	pidv=SIM_${p}_PID
	SIM_PID[$p]=${!pidv}
done
expect "SIM_a_LOG / SIM_a_SECRETS under FN_RUN" "$FN_RUN/sim-a.log $FN_RUN/sim-a.secrets" \
	"$SIM_a_LOG $SIM_a_SECRETS"
expect "ready file holds the simulator pid" "${SIM_PID[a]}" "$(cat "$FN_RUN/sim-a.ready")"
check "the simulator runs in its own cgroup" \
	grep -qx "${SIM_PID[a]}" "$SIM_a_CG/cgroup.procs"

# ---- IMDS ------------------------------------------------------------------------------------
out=$(fn_in_pod a "${CURL[@]}" http://169.254.169.254/latest/meta-data/instance-id 2>&1)
expect "IMDSv1 over IPv4 in pod a" "i-0sim0000000000001" "$out"
out=$(fn_in_pod a "${CURL[@]}" 'http://[fd00:ec2::254]/latest/meta-data/instance-id' 2>&1)
expect "IMDSv1 over IPv6 [fd00:ec2::254] in pod a" "i-0sim0000000000001" "$out"
out=$(fn_in_pod a python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(("::ffff:169.254.169.254", 80))
s.sendall(b"GET /2021-07-15/meta-data/placement/region HTTP/1.1\r\nHost: 169.254.169.254\r\n"
          b"Connection: close\r\n\r\n")
d = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    d += b
print(d.split(b"\r\n\r\n", 1)[1].decode())' 2>&1)
expect "IMDS via v4-mapped ::ffff:169.254.169.254 (python, version-date path)" "us-east-1" "$out"

tok=$(fn_in_pod a "${CURL[@]}" -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600' \
	http://169.254.169.254/latest/api/token 2>&1)
check "IMDSv2 token PUT returns a CWSIMTOK token" grep -Eq '^CWSIMTOK[0-9a-f]{4}[A-Za-z0-9]{44}$' <<<"$tok"
out=$(fn_in_pod a "${CURL[@]}" -H "X-aws-ec2-metadata-token: $tok" \
	http://169.254.169.254/latest/meta-data/iam/security-credentials/ 2>&1)
expect "IMDSv2 GET role list" "credwatch-sim-node-role" "$out"
creds=$(fn_in_pod a "${CURL[@]}" -H "X-aws-ec2-metadata-token: $tok" \
	http://169.254.169.254/latest/meta-data/iam/security-credentials/credwatch-sim-node-role 2>&1)
check "IMDSv2 GET role credentials (JSON, AWS-HMAC, from secrets file)" bash -c '
	j=$1 sec=$2
	[[ $(jq -r .Type <<<"$j") == AWS-HMAC && $(jq -r .Code <<<"$j") == Success ]] || exit 1
	[[ $(jq -r .AccessKeyId <<<"$j") == ASIASIMULATED000001 ]] || exit 1
	grep -qxF "$(jq -r .SecretAccessKey <<<"$j")" "$sec" || exit 1
	grep -qxF "$(jq -r .Token <<<"$j")" "$sec" || exit 1
	exp=$(date -d "$(jq -r .Expiration <<<"$j")" +%s); now=$(date +%s)
	(( exp > now + 5 * 3600 && exp <= now + 6 * 3600 + 60 ))' _ "$creds" "$SIM_a_SECRETS"
out=$(fn_in_pod a "${CURL[@]}" -o /dev/null -w '%{http_code}' -X PUT \
	http://169.254.169.254/latest/api/token 2>&1)
expect "IMDSv2 PUT without ttl header -> 400" 400 "$out"
out=$(fn_in_pod a "${CURL[@]}" -o /dev/null -w '%{http_code}' \
	-H 'X-aws-ec2-metadata-token: CWSIMTOK0000notavalidtoken' \
	http://169.254.169.254/latest/meta-data/instance-id 2>&1)
expect "IMDS GET with an invalid token -> 401" 401 "$out"
out=$(fn_in_pod a "${CURL[@]}" -o /dev/null -w '%{http_code}' \
	http://169.254.169.254/latest/meta-data/no-such-thing 2>&1)
expect "IMDS unknown path -> 404" 404 "$out"
out=$(fn_in_pod a "${CURL[@]}" http://169.254.169.254/latest/dynamic/instance-identity/document 2>&1)
check "instance identity document" bash -c '
	[[ $(jq -r .region <<<"$1") == us-east-1 && $(jq -r .instanceId <<<"$1") == i-0sim0000000000001 &&
	   $(jq -r .accountId <<<"$1") == 000000000000 ]]' _ "$out"
out=$(fn_in_pod a "${CURL[@]}" \
	http://169.254.169.254/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance 2>&1)
check "identity-credentials ec2-instance" bash -c '[[ $(jq -r .Type <<<"$1") == AWS-HMAC ]]' _ "$out"

out=$(fn_in_pod b "${CURL[@]}" -o /dev/null -w '%{http_code}' \
	http://169.254.169.254/latest/meta-data/instance-id 2>&1)
expect "IMDSv1 with --imdsv2 required -> 401" 401 "$out"
tokb=$(fn_in_pod b "${CURL[@]}" -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
	http://169.254.169.254/latest/api/token 2>&1)
out=$(fn_in_pod b "${CURL[@]}" -H "X-aws-ec2-metadata-token: $tokb" \
	http://169.254.169.254/latest/meta-data/instance-id 2>&1)
expect "IMDSv2 with --imdsv2 required works" "i-0sim0000000000001" "$out"
out=$(fn_in_pod b "${CURL[@]}" -o /dev/null -w '%{http_code}' -H "X-aws-ec2-metadata-token: $tok" \
	http://169.254.169.254/latest/meta-data/instance-id 2>&1)
expect "a token from another simulator is invalid -> 401" 401 "$out"

fn_in_pod c "${CURL[@]}" --max-time 1 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
	http://169.254.169.254/latest/api/token >/dev/null 2>&1
expect "--hang-put: token PUT gets no answer (curl timeout)" 28 "$?"
out=$(fn_in_pod c "${CURL[@]}" http://169.254.169.254/latest/meta-data/instance-id 2>&1)
expect "--hang-put: IMDSv1 GET still answered" "i-0sim0000000000001" "$out"

# ---- Pod Identity Agent ----------------------------------------------------------------------
out=$(fn_in_pod a "${CURL[@]}" -o /dev/null -w '%{http_code}' http://169.254.170.23/v1/credentials 2>&1)
expect "PIA without Authorization -> 400" 400 "$out"
out=$(fn_in_pod a "${CURL[@]}" -H "Authorization: $jwt" http://169.254.170.23/v1/credentials 2>&1)
check "PIA with Authorization -> credentials JSON" bash -c '
	for k in AccessKeyId SecretAccessKey Token AccountId Expiration; do
		[[ $(jq -r ".$k" <<<"$1") != null ]] || exit 1
	done
	grep -qxF "$(jq -r .SecretAccessKey <<<"$1")" "$2"' _ "$out" "$SIM_a_SECRETS"
out=$(fn_in_pod a "${CURL[@]}" -o /dev/null -w '%{http_code}' -H "Authorization: $jwt" \
	'http://[fd00:ec2::23]/v1/credentials' 2>&1)
expect "PIA over IPv6 [fd00:ec2::23] -> 200" 200 "$out"
out=$(fn_in_pod a "${CURL[@]}" -o /dev/null -w '%{http_code}' -H "Authorization: $jwt" \
	-H 'Host: example.com' http://169.254.170.23/v1/credentials 2>&1)
expect "PIA with a foreign Host header -> 403 (as the real agent)" 403 "$out"
out=$(fn_in_pod a "${CURL[@]}" -o /dev/null -w '%{http_code}' \
	http://169.254.170.23/latest/meta-data/instance-id 2>&1)
expect "IMDS paths are not served on the PIA address -> 404" 404 "$out"
out=$(fn_in_pod a "${CURL[@]}" -o /dev/null -w '%{http_code}' http://169.254.170.2/v2/credentials/x 2>&1)
expect "ECS-style 169.254.170.2/v2/credentials -> 200" 200 "$out"
out=$(fn_in_pod b "${CURL[@]}" -o /dev/null -w '%{http_code}' -H "Authorization: $jwt2" \
	http://169.254.170.23/v1/credentials 2>&1)
expect "PIA with the wrong token (--pia-token-file) -> 403" 403 "$out"
out=$(fn_in_pod b "${CURL[@]}" -o /dev/null -w '%{http_code}' \
	-H "Authorization: $(cat "$FN_RUN/pia-token")" http://169.254.170.23/v1/credentials 2>&1)
expect "PIA with the token file's content -> 200" 200 "$out"

# ---- STS -------------------------------------------------------------------------------------
out=$(fn_in_pod a "${CURL[@]}" --data-urlencode Action=AssumeRoleWithWebIdentity \
	--data-urlencode Version=2011-06-15 \
	--data-urlencode RoleArn=arn:aws:iam::000000000000:role/irsa-role \
	--data-urlencode RoleSessionName=botocore-session-1 \
	--data-urlencode "WebIdentityToken=$jwt" http://127.0.0.1:8080/ 2>&1)
check "STS AssumeRoleWithWebIdentity -> XML credentials" python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"s": "https://sts.amazonaws.com/doc/2011-06-15/"}
r = ET.fromstring(sys.argv[1])
c = r.find("s:AssumeRoleWithWebIdentityResult/s:Credentials", ns)
for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
    assert c.find("s:" + k, ns).text, k
sub = r.find("s:AssumeRoleWithWebIdentityResult/s:SubjectFromWebIdentityToken", ns).text
assert sub == "system:serviceaccount:team-a:app", sub
sec = open(sys.argv[2]).read().split()
assert c.find("s:SecretAccessKey", ns).text in sec' "$out" "$SIM_a_SECRETS"
want=$(printf '%s' "$jwt" | sha256sum | cut -d' ' -f1)
got=$(jq -r 'select(.service == "sts") | .web_identity_token_sha256' "$SIM_a_LOG" | tail -n1)
expect "STS log records the SHA-256 of the WebIdentityToken" "$want" "$got"
out=$(fn_in_pod a "${CURL[@]}" -o /dev/null -w '%{http_code}' --data 'Action=AssumeRole' \
	http://127.0.0.1:8080/ 2>&1)
expect "STS other action -> 400" 400 "$out"

# ---- processes, cgroups, namespaces -----------------------------------------------------------
out=$(fn_in_pod a cat /proc/self/cgroup 2>&1 | grep '^0::')
expect "fn_in_pod a runs in the container cgroup" "0::/$POD_a_CGREL" "$out"
out=$(fn_in_pod b cat /proc/self/cgroup 2>&1 | grep '^0::')
expect "fn_in_pod b runs in the container cgroup" "0::/$POD_b_CGREL" "$out"
host_ns=$(readlink /proc/self/ns/net)
out=$(fn_in_pod a readlink /proc/self/ns/net 2>&1)
check "fn_in_pod a runs in another network namespace" test "$out" != "$host_ns"
fn_in_pod a sh -c 'exit 7'
expect "fn_in_pod returns the command's status" 7 "$?"
bgpid=$(fn_in_pod_bg a sh -c 'sleep 300 & echo started; wait')
check "fn_in_pod_bg prints a live pid" kill -0 "$bgpid"
sleep 0.3
check "fn_in_pod_bg process is in the container cgroup" grep -qx "$bgpid" "$POD_a_CG/cgroup.procs"
check "fn_in_pod_bg output goes to FN_RUN/bg-PID.log" grep -qx started "$FN_RUN/bg-$bgpid.log"
bgchild=$(pgrep -P "$bgpid" sleep)
check "the background command's child is in the pod too" grep -qx "$bgchild" "$POD_a_CG/cgroup.procs"

# No packet here: only address listings.
check "host netns does not hold any endpoint address" bash -c '
	! ip -4 addr show | grep -Eq "169\.254\.(169\.254|170\.23|170\.2)/" &&
	! ip -6 addr show | grep -q "fd00:ec2::"'
check "pod netns holds all five endpoint addresses on lo" bash -c '
	a=$(ip -n "$1" addr show dev lo)
	for x in 169.254.169.254/32 169.254.170.23/32 169.254.170.2/32 fd00:ec2::254/128 fd00:ec2::23/128; do
		grep -qF " $x " <<<"$a" || exit 1
	done
	! ip -n "$1" -6 addr show dev lo tentative | grep -q inet6' _ "$POD_a_NETNS"

# ---- robustness and load ---------------------------------------------------------------------
check "garbage, oversized and pipelined requests are handled" fn_in_pod a python3 - <<'EOF'
import os, socket

def conn():
    s = socket.create_connection(("169.254.169.254", 80), timeout=5)
    return s

def rx_all(s):
    d = b""
    while True:
        try:
            b = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not b:
            break
        d += b
    return d

def status_of(payload):
    s = conn()
    try:
        s.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    d = rx_all(s)
    s.close()
    return d.split(b" ", 2)[1].decode() if d.startswith(b"HTTP/1.1 ") else d[:40]

assert status_of(os.urandom(4096) + b"\r\n\r\n") == "400"
assert status_of(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n") == "431"
assert status_of(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n") == "413"
assert status_of(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n") == "501"
assert status_of(b"GET /\x00 HTTP/1.1\r\n\r\n") == "400"
assert status_of(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") == "505"
assert status_of(b"GET /latest/meta-data/instance-id HTTP/1.0\r\n\r\n") == "200"
assert status_of(b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == "400"
# half a request, then hang up
s = conn(); s.sendall(b"GET /latest/meta-data/inst"); s.close()
# three pipelined requests in one write, last one asks to close
s = conn()
s.sendall(b"GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: a\r\n\r\n" * 2 +
          b"GET /latest/meta-data/placement/region HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
d = rx_all(s)
assert d.count(b"HTTP/1.1 200 OK") == 3 and d.endswith(b"us-east-1"), d
# request split across many small writes
s = conn()
for ch in b"GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n":
    s.send(bytes([ch]))
assert rx_all(s).endswith(b"i-0sim0000000000001")
EOF
check "simulator a survived the garbage" kill -0 "${SIM_PID[a]}"

check "flood: 10,000 requests (500 concurrent connections) in under 10 s" fn_in_pod a python3 - <<'EOF'
import selectors, socket, time

REQ = (b"GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: 169.254.169.254\r\n"
       b"User-Agent: flood\r\n\r\n")
TOTAL, CONC = 10000, 500
start = time.monotonic()
sel = selectors.DefaultSelector()
sent = done = 0
conns = {}
for _ in range(CONC):
    s = socket.create_connection(("169.254.169.254", 80), timeout=5)
    s.setblocking(False)
    conns[s] = b""
    sel.register(s, selectors.EVENT_READ)
    s.sendall(REQ)
    sent += 1
while done < TOTAL:
    if time.monotonic() - start > 10:
        raise SystemExit("too slow: %d done" % done)
    for key, _ in sel.select(timeout=1):
        s = key.fileobj
        b = s.recv(65536)
        if not b:
            raise SystemExit("server closed a keep-alive connection")
        buf = conns[s] + b
        while True:
            i = buf.find(b"\r\n\r\n")
            if i < 0 or len(buf) < i + 4 + 19:
                break
            assert buf.startswith(b"HTTP/1.1 200 OK"), buf[:60]
            buf = buf[i + 4 + 19:]
            done += 1
            if sent < TOTAL:
                s.sendall(REQ)
                sent += 1
        conns[s] = buf
print("%d requests in %.2f s" % (done, time.monotonic() - start))
EOF
check "simulator a survived the flood" kill -0 "${SIM_PID[a]}"

# ---- log and secrets -------------------------------------------------------------------------
check "log lines are all valid JSON" jq -e -s 'length > 10000' "$SIM_a_LOG"
check "log records listener, method, path, status, header presence, User-Agent" jq -e -s '
	map(select(.path == "/latest/meta-data/iam/security-credentials/credwatch-sim-node-role"))
	| .[0] | .listener == "169.254.169.254:80" and .method == "GET" and .status == 200 and
	  .headers.x_aws_ec2_metadata_token == true and .imds == "v2" and
	  (.user_agent | startswith("curl/"))' "$SIM_a_LOG"
check "log has the v4-mapped connection on the IPv4 listener" jq -e -s \
	'any(.[]; .path == "/2021-07-15/meta-data/placement/region")' "$SIM_a_LOG"
check "log has IPv6 requests on [fd00:ec2::23]:80" jq -e -s \
	'any(.[]; .listener == "[fd00:ec2::23]:80" and .status == 200)' "$SIM_a_LOG"
check "hung PUT logged as hung" jq -e -s \
	'any(.[]; .path == "/latest/api/token" and .hung == true and .status == 0)' "$SIM_c_LOG"
for p in a b c; do
	sv=SIM_${p}_SECRETS lv=SIM_${p}_LOG
	check "secrets file of sim $p has values" test "$(wc -l <"${!sv}")" -ge 10
	check "log of sim $p holds no secret value" bash -c '! grep -qF -f "$1" "$2"' _ "${!sv}" "${!lv}"
	check "log of sim $p holds no Authorization / JWT value" bash -c \
		'! grep -qF -e "${3##*.}" -e "${4##*.}" "$2"' _ "${!sv}" "${!lv}" "$jwt" "$jwt2"
done
check "IMDSv2 session tokens are in the secrets file" grep -qxF "$tok" "$SIM_a_SECRETS"
check "IMDS session tokens never reach the log" bash -c '! grep -qF -e "$1" -e "$2" "$3" "$4" "$5"' \
	_ "$tok" "$tokb" "$SIM_a_LOG" "$SIM_b_LOG" "$SIM_c_LOG"

# ---- cleanup ---------------------------------------------------------------------------------
marker=$(mktemp /tmp/cwtest-marker.XXXXXX)
fn_on_cleanup sh -c "echo first >>'$marker'"
fn_on_cleanup sh -c "echo second >>'$marker'"
fn_tmpfs "$FN_RUN/volume"
check "fn_tmpfs mounted a tmpfs" mountpoint -q "$FN_RUN/volume"

# pid and start time (pid_max may be 32768: after cleanup a pid can be another process)
pids=$(cat "$FN_RUN/pids")
pids+=$'\n'"$bgchild $(_fn_starttime "$bgchild")"
run=$FN_RUN cgbase=$FN_CGBASE tag=$_FN_TAG
nslist=$(cat "$FN_RUN/netns")
fn_cleanup
fn_cleanup	# idempotent
expect "fn_on_cleanup commands ran in reverse order" "second first" "$(echo $(cat "$marker"))"
rm -f "$marker"
left=
while read -r p st; do
	[[ -n $p && -d /proc/$p ]] && [[ $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) != Z ]] &&
		[[ $(_fn_starttime "$p") == "$st" ]] && left+=" $p"
done <<<"$pids"
expect "no started process remains" "" "$left"
left=$(grep -lzxF "FAKENODE_TAG=$tag" /proc/[0-9]*/environ 2>/dev/null | tr '\n' ' ')
expect "no tagged process remains" "" "$left"
left=
for ns in $nslist; do
	[[ -e /run/netns/$ns ]] && left+=" $ns"
done
expect "no netns remains" "" "$left$(ip netns list | grep "^cwt-$$-" || true)"
check "no cgroup remains" test ! -e "$cgbase"
check "run dir removed" test ! -e "$run"
check "no mount remains" bash -c '! grep -qF "$1" /proc/self/mountinfo' _ "$run"

if ((FAILS)); then
	echo "test_harness: $FAILS check(s) failed"
	exit 1
fi
exit 0
