#!/bin/bash
# SIGHUP reloads the config file without a gap (issue 15, item 3), on the fake node:
#   1. an IMDS credential fetch from pod shop/web-1 gives imds_credential_fetch;
#   2. allow rules for that pod are added to the file, SIGHUP: config_reloaded says which
#      policy keys changed;
#   3. the same fetch gives no finding at all;
#   4. the agent's pid is unchanged (one agent_ready, the process never restarted);
#   5. connects made in a loop from the pod while the reload happens are every one reported
#      (there are some shortly before and shortly after the reload's own line);
#   6. an invalid file is refused with file:line:col (event and stderr) and the old policy
#      stays: the fetch still gives no finding.
# Then extra endpoints and extra sockets, added and removed by SIGHUP: a connect to the new
# endpoint / socket is reported only while it is configured. SIGHUP without --config says so.
# SIGTERM still ends the agent with exit 0 and a final agent_stats.
# Network: every request and connect runs inside the pod's own network namespace (fakenode.sh),
# where credsim answers on the endpoint addresses and 10.99.0.1 is on lo.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
PY=/usr/bin/python3
CONNECT=$PWD/build/tests/cw_connect
ROLE=credwatch-sim-node-role
CREDP=/latest/meta-data/iam/security-credentials/$ROLE

fn_init || exit 1
fn_root
{ fn_pod web && fn_pod_state web --namespace shop --name web-1 --service-account web &&
	fn_volumes web --sa && fn_sim web; } || { fail "pod setup"; exit 1; }
ip -n "$POD_web_NETNS" addr add 10.99.0.1/32 dev lo || { fail "10.99.0.1 in the pod netns"; exit 1; }
mkdir -p "$FN_ROOT/run/vault"
$PY tests/lib/unixserver.py "$FN_ROOT/run/vault/agent.sock" &
fn_track_pid $!
for _ in $(seq 50); do [ -e "$FN_ROOT/run/vault/agent.sock.ready" ] && break; sleep 0.1; done

CFG=$FN_RUN/credwatch.json
printf '{\n  "policy": {\n    "fold_window_seconds": 60\n  }\n}\n' >"$CFG"

# wait_for FILTER [TENTHS]: until a line matches the jq filter (default 10 s)
wait_for() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		[ -n "$(jq -c "select($1)" "$AGENT_OUT" 2>/dev/null | head -1)" ] && return 0
		sleep 0.1
	done
	return 1
}
# fetch TAG: curl's IMDSv2 credential fetch in the pod; its pid in $FN_RUN/TAG.pid
fetch() {
	fn_in_pod web sh -c 'echo $$ >"$0"; T=$(curl -s -m 3 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token); exec curl -s -m 3 -o /dev/null -H "X-aws-ec2-metadata-token: $T" "$1"' \
		"$FN_RUN/$1.pid" "http://169.254.169.254$CREDP" >/dev/null 2>&1
}
fetch_event() {
	local pid
	pid=$(cat "$FN_RUN/$1.pid")
	wait_for ".event==\"imds_request\" and .process.pid==$pid and .http.credential_request" 50 &&
		jq -c "select(.event==\"imds_request\" and .process.pid==$pid and .http.credential_request)" "$AGENT_OUT"
}
jq_true() { jq -e "$@" >/dev/null; }
n_reloads() { count_events '.event=="config_reloaded"'; }
hup_and_wait() {
	local before
	before=$(n_reloads)
	kill -HUP "$AGENT_PID"
	for _ in $(seq 100); do
		[ "$(n_reloads)" -gt "$before" ] && break
		sleep 0.1
	done
	jq -c 'select(.event=="config_reloaded")' "$AGENT_OUT" | tail -1
}

agent_start --host-root "$FN_ROOT" --config "$CFG" --status-file "$FN_RUN/status.json" || exit 1
PID0=$AGENT_PID

# --- 1. the fetch gives imds_credential_fetch -------------------------------------------------
fetch f1
ev1=$(fetch_event f1)
check "1. the credential fetch is reported" test -n "$ev1"
check "1. it has the finding imds_credential_fetch" \
	jq_true '[.findings[]?.rule] | index("imds_credential_fetch") != null' <<<"$ev1"
rules=$(jq -c '[.findings[]?.rule]' <<<"$ev1")
echo "fetch 1 findings: $rules"

# --- 5 (starts now). connects in a loop while the reload happens --------------------------------
fn_in_pod web sh -c 'n=0; while [ ! -e "$1" ]; do "$2" -u 169.254.169.254 80 >/dev/null && n=$((n+1)); sleep 0.02; done; echo $n >"$3"' \
	_ "$FN_RUN/loop.stop" "$CONNECT" "$FN_RUN/loop.count" >/dev/null 2>&1 &
loop=$!
sleep 1

# --- 2. allow the pod for every rule the fetch raised, SIGHUP ----------------------------------
jq -n --argjson rules "$rules" '{policy: ({fold_window_seconds: 60} + ($rules | map({(.): {extra_allow: [{namespace: "shop", pod_prefix: "web-"}]}}) | add))}' >"$CFG.new"
mv "$CFG.new" "$CFG"
r=$(hup_and_wait)
check_eq "2. config_reloaded: applied" "$(jq -r .reload.result <<<"$r")" applied
check_eq "2. config_reloaded names the changed policy keys" \
	"$(jq -c '.reload.changed | sort' <<<"$r")" "$(jq -c 'map("policy." + .) | sort' <<<"$rules")"
check_eq "2. config_reloaded shows the allow entry now in force" \
	"$(jq -c '.policy.rules.imds_credential_fetch.allow | map(select(.namespace=="shop")) | .[0]' <<<"$r")" \
	'{"namespace":"shop","pod_prefix":"web-"}'
check_eq "2. config_reloaded names the config file" "$(jq -r .reload.path <<<"$r")" "$CFG"
sleep 1
touch "$FN_RUN/loop.stop"
wait "$loop"

# --- 3. the same fetch: no finding ---------------------------------------------------------------
fetch f2
ev2=$(fetch_event f2)
check "3. the second fetch is reported" test -n "$ev2"
check_eq "3. it has no finding" "$(jq -c '[.finding, .findings]' <<<"$ev2")" '[null,null]'
check_eq "3. and the same request as the first" "$(jq -c '[.http.path,.http.status,.pod.name]' <<<"$ev2")" \
	"$(jq -c '[.http.path,.http.status,.pod.name]' <<<"$ev1")"

# --- 4. same process ---------------------------------------------------------------------------
check "4. the agent (pid $PID0) is still running" kill -0 "$PID0"
check_eq "4. one agent_ready only" "$(count_events '.event=="agent_ready"')" 1
check_eq "4. agent_ready's pid is the process's" "$(jq -r 'select(.event=="agent_ready") | .agent.pid' "$AGENT_OUT")" "$PID0"
check_eq "4. the status file's pid is the same" "$(jq -r .pid "$FN_RUN/status.json")" "$PID0"

# --- 5. every connect of the loop is reported ----------------------------------------------------
made=$(cat "$FN_RUN/loop.count")
reload_ns=$(jq -r 'select(.event=="config_reloaded") | .time' "$AGENT_OUT" | head -1)
sleep 0.5
got=$(count_events ".event==\"endpoint_connect\" and .process.comm==\"cw_connect\" and .pod.name==\"web-1\" and .endpoint.port==80")
check "5. the loop made connects across the reload ($made)" test "$made" -ge 20
check_eq "5. every connect of the loop is reported, before, during and after the reload" "$got" "$made"
around=$(jq -r --arg t "$reload_ns" 'select(.event=="endpoint_connect" and .process.comm=="cw_connect") | if .time < $t then "before" else "after" end' "$AGENT_OUT" | sort | uniq -c | tr '\n' ' ')
echo "connects around the reload ($reload_ns): $around"
gap=$($PY - "$AGENT_OUT" "$reload_ns" <<'EOF'
import json, sys, datetime
def ns(t):
    d = datetime.datetime.strptime(t[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 10**9 + int(t[20:29])
r = ns(sys.argv[2])
ts = [ns(e["time"]) for e in map(json.loads, open(sys.argv[1])) if e.get("event") == "endpoint_connect" and e["process"]["comm"] == "cw_connect"]
before = max([t for t in ts if t <= r], default=None)
after = min([t for t in ts if t > r], default=None)
print("none" if before is None or after is None else "%d %d" % ((r - before) // 10**6, (after - r) // 10**6))
EOF
)
check "5. reported connects within 500 ms before and after the reload (ms: $gap)" \
	bash -c '[ "$1" != none ] && set -- $1 && [ "$1" -le 500 ] && [ "$2" -le 500 ]' _ "$gap"

# --- 6. an invalid file is refused, the old policy stays -----------------------------------------
printf '{\n  "policy": {\n    "imds_v1": {"enabled": yes}\n  }\n}\n' >"$CFG"
r=$(hup_and_wait)
check_eq "6. config_reloaded: refused" "$(jq -r .reload.result <<<"$r")" refused
check "6. the event names file:line:col and why ($(jq -r .reload.error <<<"$r"))" \
	bash -c 'grep -q "^$1:3:[0-9]*: " <<<"$2"' _ "$CFG" "$(jq -r .reload.error <<<"$r")"
check "6. stderr says it too" grep -q "configuration reload refused, the running configuration stays: $CFG:3:" "$AGENT_ERR"
check "6. the agent still runs" kill -0 "$PID0"
fetch f3
ev3=$(fetch_event f3)
check_eq "6. the fetch after the refused reload: still no finding (old policy)" \
	"$(jq -c '[.finding, .findings]' <<<"$ev3")" '[null,null]'

# --- endpoints and sockets --------------------------------------------------------------------------
ep_events() { count_events '.event=="endpoint_connect" and .endpoint.addr=="10.99.0.1"'; }
sock_events() { count_events '.event=="socket_connect" and .socket.path=="/run/vault/agent.sock"'; }
uconnect() { fn_in_pod web $PY -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$FN_ROOT/run/vault/agent.sock"; }
fn_in_pod web "$CONNECT" -u 10.99.0.1 8080 >/dev/null
uconnect
sleep 0.5
check_eq "before: no event for 10.99.0.1:8080 (not configured)" "$(ep_events)" 0
check_eq "before: no event for /run/vault/agent.sock (not configured)" "$(sock_events)" 0
printf '{"extra_endpoints": [{"address": "10.99.0.1", "port": 8080, "name": "vault"}], "extra_sockets": [{"path": "/run/vault/*.sock", "kind": "other"}]}\n' >"$CFG"
r=$(hup_and_wait)
check_eq "endpoints+sockets: applied" "$(jq -r .reload.result <<<"$r")" applied
check_eq "endpoints+sockets: what was added" "$(jq -c '[.reload.endpoints_added, .reload.sockets_added]' <<<"$r")" \
	'[["10.99.0.1:8080 other"],["/run/vault/*.sock"]]'
check "endpoints+sockets: the policy keys the file dropped are named too" \
	jq_true '.reload.changed | index("policy.imds_credential_fetch") != null and index("endpoints") != null and index("sockets") != null' <<<"$r"
fn_in_pod web "$CONNECT" -u 10.99.0.1 8080 >/dev/null
uconnect
wait_for '.event=="socket_connect" and .socket.path=="/run/vault/agent.sock"' 30
wait_for '.event=="endpoint_connect" and .endpoint.addr=="10.99.0.1"' 30
check_eq "after: the connect to 10.99.0.1:8080 is reported, kind other" \
	"$(jq -c 'select(.event=="endpoint_connect" and .endpoint.addr=="10.99.0.1") | [.endpoint.port,.endpoint.kind]' "$AGENT_OUT")" '[8080,"other"]'
check_eq "after: the connect to the vault socket is reported" "$(sock_events)" 1
printf '{}\n' >"$CFG"
r=$(hup_and_wait)
check_eq "removed again: what was removed" "$(jq -c '[.reload.endpoints_removed, .reload.sockets_removed]' <<<"$r")" \
	'[["10.99.0.1:8080 other"],["/run/vault/*.sock"]]'
fn_in_pod web "$CONNECT" -u 10.99.0.1 8080 >/dev/null
uconnect
# a marker connect that is reported, so that "nothing" above is not just "not yet"
fn_in_pod web sh -c 'echo $$ >"$0"; exec "$1" -u 169.254.169.254 80' "$FN_RUN/marker.pid" "$CONNECT" >/dev/null
wait_for ".event==\"endpoint_connect\" and .process.pid==$(cat "$FN_RUN/marker.pid")" 30
check_eq "removed: no new event for 10.99.0.1:8080" "$(ep_events)" 1
check_eq "removed: no new event for the vault socket" "$(sock_events)" 1
# `credwatch reload` (what a DaemonSet user runs with kubectl exec: with hostPID, pid 1 is
# the node's init) signals the pid of the status file
before=$(n_reloads)
msg=$("$CREDWATCH" reload --status-file "$FN_RUN/status.json")
check_eq "credwatch reload: says whom it signalled" "$msg" \
	"sent SIGHUP to agent pid $PID0: its config_reloaded line says what happened"
for _ in $(seq 50); do [ "$(n_reloads)" -gt "$before" ] && break; sleep 0.1; done
r=$(jq -c 'select(.event=="config_reloaded")' "$AGENT_OUT" | tail -1)
check_eq "the same file again, by credwatch reload: unchanged" "$(jq -c '[.reload.result, .reload.changed]' <<<"$r")" '["unchanged",[]]'

agent_stop
rc=0
msg=$("$CREDWATCH" reload --status-file "$FN_RUN/status.json") || rc=$?
check "credwatch reload without an agent: exit 1 ($msg)" test "$rc" = 1
echo "{\"pid\": $$}" >"$FN_RUN/notagent.json"
rc=0
msg=$("$CREDWATCH" reload --status-file "$FN_RUN/notagent.json") || rc=$?
check "credwatch reload: a pid that is not credwatch is not signalled ($msg)" \
	bash -c '[ "$1" = 1 ] && grep -q "is not a credwatch process" <<<"$2"' _ "$rc" "$msg"
check_eq "final agent_stats counts the reloads" \
	"$(jq -c 'select(.event=="agent_stats") | .config_reloads' "$AGENT_OUT" | tail -1)" '{"applied":3,"unchanged":1,"refused":1}'

# SIGHUP without --config: the output is kept (stdout) and the event says there is no file
AGENT_OUT=$FN_RUN/noconfig.json
agent_start --status-file "$FN_RUN/status2.json" || exit 1
r=$(hup_and_wait)
check_eq "no --config: SIGHUP says so" "$(jq -c '[.reload.result, .reload.path]' <<<"$r")" '["no_config",null]'
agent_stop
finish
