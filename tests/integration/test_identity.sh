#!/bin/bash
# Verdicts from identities, not strings (issue 14, item 4). The policy allowlists a node
# agent for host_token_read by host_exe "/opt/node/agent" (a copy of cat under the fake
# node's root); agent_ready says which inode that resolved to. Then host processes read pod
# "victim"'s token:
#   allowed   the node agent itself, from the host's mount namespace: no finding
#   impostor  another binary bind-mounted over the same path in a private mount namespace:
#             the path string matches, the inode does not: host_token_read
#   foreignns the real binary (same inode), exec'd from another mount namespace (as a pod
#             reaching the host's file would): host_token_read
#   memfd     the node agent's bytes in a memfd named "agent": exe "memfd:agent", fileless:
#             host_token_read and fileless_credential_access
#   deleted   a binary that deletes itself after exec, then reads: fileless, both findings
#   upgrade   the node agent replaced on disk (a new inode at the path): a process of the new
#             binary is allowed once the agent re-resolved the path (it does every 2 s)
# and in pod "fl" a binary run from a memfd reads the pod's own token: no token finding (its
# own), but fileless_credential_access, exe "memfd:payload", process.fileless true.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
T=$PWD/build/tests
CAT=$(readlink -f "$(command -v cat)")

fn_init || exit 1
fn_root
fn_pod victim && fn_pod_state victim && fn_volumes victim --sa --irsa || exit 1
fn_pod fl && fn_pod_state fl && fn_volumes fl --sa || exit 1
AGENT=$FN_ROOT/opt/node/agent
mkdir -p "${AGENT%/*}"
cp "$CAT" "$AGENT"
# another binary with the same bytes: another inode
cp "$CAT" "$FN_RUN/other-cat"
cat >"$FN_RUN/policy.json" <<'EOF'
{"policy": {"fold_window_seconds": 0,
            "host_token_read": {"extra_allow": [{"host_exe": "/opt/node/agent"}]}}}
EOF
agent_start --host-root "$FN_ROOT" --config "$FN_RUN/policy.json" || exit 1
TOK=$POD_victim_VOL_IRSA/token

check_eq "agent_ready: host_exe /opt/node/agent resolved to its inode below the host root" \
	"$(jq -c 'select(.event=="agent_ready") | .config.policy.rules.host_token_read.allow[] | select(.host_exe=="/opt/node/agent") | .host_exe_inode' "$AGENT_OUT")" \
	"{\"dev\":\"$(stat -c %Hd:%Ld "$AGENT")\",\"ino\":$(stat -c %i "$AGENT")}"
check_eq "agent_ready: the default /usr/bin/kubelet entry did not resolve (no such file here)" \
	"$(jq -c 'select(.event=="agent_ready") | .config.policy.rules.host_token_read.allow[] | select(.host_exe=="/usr/bin/kubelet") | .host_exe_inode' "$AGENT_OUT")" null

# host TAG CMD...: a host process; pid in TAG.pid
host() {
	local tag=$1
	shift
	sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid" "$@" >/dev/null 2>&1
}
pid_of() { cat "$FN_RUN/$1.pid" 2>/dev/null || echo -1; }

host allowed "$AGENT" "$TOK"
# a private mount namespace in which the path is another file (nothing changes on the host)
unshare -m --propagation private sh -c '
	mount --bind "$1" "$2" || exit 1
	echo $$ >"$4"; exec "$2" "$3"' sh "$FN_RUN/other-cat" "$AGENT" "$TOK" "$FN_RUN/impostor.pid" >/dev/null 2>&1
unshare -m --propagation private sh -c 'echo $$ >"$2"; exec "$0" "$1"' "$AGENT" "$TOK" "$FN_RUN/foreignns.pid" >/dev/null 2>&1
host memfd "$T/cw_memfd_exec" agent "$AGENT" agent "$TOK"
cp "$T/cw_memfd_exec" "$FN_RUN/selfdel"
host deleted "$FN_RUN/selfdel" --self-delete "$TOK"
check "the self-deleting binary is gone" test ! -e "$FN_RUN/selfdel"
# the pod's memfd binary reads the pod's own token
fn_in_container fl sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/podmemfd.pid" "$T/cw_memfd_exec" payload "$CAT" \
	cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null 2>&1
# upgrade: a new file at the path (rename over it, as a package manager does)
cp "$CAT" "$AGENT.new" && mv -f "$AGENT.new" "$AGENT"
sleep 4.5 # the agent re-resolves host_exe entries every 2 s
host upgraded "$AGENT" "$TOK"
sleep 0.5
agent_stop

ev() { events ".event==\"file_open\" and .process.pid==$(pid_of "$1")"; }
val() { check_eq "$1: $2" "$(ev "$1" | jq -c "$2")" "$3"; }
val allowed '[.host,.file.kind,has("finding")]' '[true,"irsa_token",false]'
val impostor '[.host,.process.exe,.process.fileless,[.findings[].rule]]' \
	"[true,\"$AGENT\",false,[\"host_token_read\"]]"
val foreignns '[.host,.process.exe,[.findings[].rule]]' "[true,\"$AGENT\",[\"host_token_read\"]]"
check "foreignns: it was another mount namespace than the allowed read's" \
	test "$(ev foreignns | jq .namespaces.mnt)" != "$(ev allowed | jq .namespaces.mnt)"
val memfd '[.process.exe,.process.fileless,[.findings[]|"\(.rule)/\(.severity)"]]' \
	'["memfd:agent",true,["host_token_read/high","fileless_credential_access/high"]]'
val deleted '[.process.fileless,[.findings[].rule]]' '[true,["host_token_read","fileless_credential_access"]]'
val podmemfd '[.host,.pod.uid,.file.kind,.file.owner.pod_uid,.process.exe,.process.fileless,[.findings[]|"\(.rule)/\(.severity)"]]' \
	"[false,\"$POD_fl_UID\",\"sa_token\",\"$POD_fl_UID\",\"memfd:payload\",true,[\"fileless_credential_access/high\"]]"
check_eq "podmemfd: the summary names the fileless executable" \
	"$(ev podmemfd | jq -r '.finding.summary | test("\\(memfd:payload\\)")')" true
val upgraded '[.host,has("finding")]' '[true,false]'
finish
