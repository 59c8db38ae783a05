#!/bin/bash
# Two credwatch agents on one node - a DaemonSet rolling update with maxSurge, or an incident
# responder's `credwatch run` next to the DaemonSet. Each agent reads pod tokens to attribute
# events; in the other agent's output those reads are audit events (file.credwatch_agent:
# true, no finding), not host_token_read / foreign_token_read. The agent recognises another
# agent by a kernel object it holds (a BPF ring buffer named cw_events), not by its name.
#
# The attack that tries to use this: a host process that calls itself credwatch (a copy of
# cat named credwatch, run with an agent's arguments and the same comm) reading a pod's token
# is still host_token_read; a pod's process named credwatch reading another pod's token is
# still foreign_token_read.
# Network: none (token files only).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
SA_DIR=/var/run/secrets/kubernetes.io/serviceaccount
IRSA_ENV=(--env "AWS_ROLE_ARN=arn:aws:iam::000000000000:role/cwtest-irsa"
	--env "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
SCALE=${CW_TIME_SCALE:-1}

fn_init || exit 1
fn_root
fn_pod app && fn_pod_state app "${IRSA_ENV[@]}" && fn_volumes app --sa --irsa || exit 1
fn_pod thief && fn_pod_state thief && fn_volumes thief --sa || exit 1
fn_load app && fn_load thief || exit 1

# the impostors: a copy of cat named credwatch (comm "credwatch"), run on the host and in the
# thief pod
mkdir -p "$FN_RUN/bin"
cp "$(readlink -f "$(command -v cat)")" "$FN_RUN/bin/credwatch"

# agent A (the one whose output is checked), then agent B next to it
AGENT_OUT=$FN_RUN/a.json
agent_start --host-root "$FN_ROOT" || exit 1
A_PID=$AGENT_PID
B_OUT=$FN_RUN/b.json
: >"$B_OUT"
"$CREDWATCH" run --host-root "$FN_ROOT" --output "$B_OUT" 2>"$FN_RUN/b.err" &
B_PID=$!
fn_track_pid "$B_PID"
for _ in $(seq 1 $((100 * SCALE))); do
	grep -q '"event":"agent_ready"' "$B_OUT" && break
	sleep 0.1
done
check "agent B is ready" grep -q '"event":"agent_ready"' "$B_OUT"

# B attributes these reads (the claims of the token that was opened, the pod's service
# account): its own opens of the pod's tokens are what A sees
for _ in 1 2 3; do
	fn_in_container app cat "$SA_DIR/token" >/dev/null
	fn_in_container app cat /var/run/secrets/eks.amazonaws.com/serviceaccount/token >/dev/null
done
# the impostors, each with its pid recorded
sh -c 'echo $$ >"$0"; exec "$1" "$2"' "$FN_RUN/host.pid" \
	"$FN_RUN/bin/credwatch" "$POD_app_VOL_IRSA/token" >/dev/null 2>&1
FN_BINDS="$FN_RUN/bin:/run/cwbin" fn_in_container thief sh -c \
	'echo $$ >"$0"; exec /run/cwbin/credwatch "$1"' "$FN_RUN/pod.pid" \
	"$POD_app_VOL_IRSA/token" >/dev/null 2>&1
sleep $((2 * SCALE))
# B stops first: its final reads are in A's window
kill -TERM "$B_PID"
wait "$B_PID"
check_eq "agent B exits 0" "$?" 0
sleep $((1 * SCALE))
agent_stop

HOST_PID=$(cat "$FN_RUN/host.pid")
POD_PID=$(cat "$FN_RUN/pod.pid")

# A saw B's token opens, each an audit event marked as another agent's, without a finding
n=$(count_events ".event==\"file_open\" and .process.pid==$B_PID and .file.kind!=\"other\"")
info=$(jq -c "select(.event==\"file_open\" and .process.pid==$B_PID) | [.file.kind, .file.credwatch_agent, (.finding.rule // null)]" "$AGENT_OUT" | sort | uniq -c | tr '\n' ' ')
echo "A's events of agent B (pid $B_PID): $info"
check "A saw agent B's token opens ($n)" test "$n" -ge 1
check_eq "every one is marked file.credwatch_agent" \
	"$(count_events ".event==\"file_open\" and .process.pid==$B_PID and (.file.credwatch_agent != true)")" 0
check_eq "none of them is a finding" \
	"$(count_events "(.process.pid==$B_PID) and has(\"finding\")")" 0

# the impostors are findings, and are not marked
check_eq "the host impostor named credwatch: host_token_read" \
	"$(count_events ".event==\"file_open\" and .process.pid==$HOST_PID and .finding.rule==\"host_token_read\" and (.file.credwatch_agent != true)")" 1
check_eq "the pod impostor named credwatch: foreign_token_read" \
	"$(count_events ".event==\"file_open\" and .process.pid==$POD_PID and .finding.rule==\"foreign_token_read\" and (.file.credwatch_agent != true)")" 1
check_eq "the host impostor's comm is credwatch (the name does not help it)" \
	"$(count_events ".event==\"file_open\" and .process.pid==$HOST_PID and .process.comm==\"credwatch\"")" 1

# B's view: A's reads are not findings either (each agent recognises the other)
nb=$(jq -c "select(.event==\"file_open\" and .process.pid==$A_PID)" "$B_OUT" | wc -l)
echo "B's events of agent A (pid $A_PID): $nb"
check_eq "B reports no finding of agent A's opens (pid $A_PID, $nb opens)" \
	"$(jq -c "select(.process.pid==$A_PID and has(\"finding\"))" "$B_OUT" | wc -l)" 0
if "$VALIDATE" "$B_OUT" --complete; then
	pass "agent B's output validates against the schema"
else
	fail "agent B's output does not validate against the schema"
fi
fn_cleanup
finish
