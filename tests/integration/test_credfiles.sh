#!/bin/bash
# Credential files known by inode, not only by name (issue 14, item 2). The agent keeps the
# BPF map cw_credfiles ((dev, ino) -> kind, owner pod's cgroup, source) current from node
# state; the open hooks check it as well as the name rules. Attacks, and the step around each:
#   links     a token with six more hard links in its tmpfs: the name rules look at four of
#             an inode's names, the sixth link is found by inode only (matched_by inode)
#   rotation  after the kubelet-style rotation the new token's inode is in the map; a hard
#             link kept to the previous token (still a valid credential) stays known, retired
#   secret    a Secret volume mounted at ~/.aws: its files live in ..<timestamp>/, no ".aws"
#             parent; read through the mount, then through a hard link under another name
#   env       AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE naming files under /run/aws in
#             the container (resolved in its mount namespace); read, read through a hard
#             link, renamed then read (the container still runs: still known)
#   bounded   a second agent with --max-credfiles 3 on the same node: at most 3 entries in
#             the kernel map, the evictions counted, the agent keeps working
# The map's layout is checked from the kernel side (build/tests/cw_mapget): the victim's
# token -> kind irsa (2), projected (flag 1), owner = the inode of the victim's pod-level
# cgroup directory (its cgroup id).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
MAPGET=$PWD/build/tests/cw_mapget
FIXKEY=AKIAFIXTUREONLY00000

fn_init || exit 1
fn_root
fn_pod victim && fn_pod_state victim && fn_volumes victim --sa --irsa || exit 1
fn_pod thief && fn_pod_state thief && fn_volumes thief --sa || exit 1
# a Secret volume with shared credentials, mounted at /root/.aws by the app container
fn_pod sec && fn_pod_state sec && fn_volumes sec --sa || exit 1
SECDIR=$FN_ROOT/var/lib/kubelet/pods/$POD_sec_UID/volumes/kubernetes.io~secret/aws-creds
fn_tmpfs "$SECDIR" 1m || exit 1
gen=..2026_11_29_00_00_00.000000001
mkdir "$SECDIR/$gen"
printf '[default]\naws_access_key_id = %s\n' "$FIXKEY" >"$SECDIR/$gen/credentials"
printf '[default]\nregion = us-east-1\n' >"$SECDIR/$gen/config"
ln -s "$gen" "$SECDIR/..data"
ln -s ..data/credentials "$SECDIR/credentials"
ln -s ..data/config "$SECDIR/config"
jq --arg src "${SECDIR#"$FN_ROOT"}" '.mounts += [{destination: "/root/.aws", type: "bind",
	source: $src, options: ["rbind", "rprivate", "ro"]}]' "$POD_sec_CONFIG" >"$POD_sec_CONFIG.new" &&
	mv "$POD_sec_CONFIG.new" "$POD_sec_CONFIG" || exit 1
# a container whose variables name its credentials files (under /run: the container's own)
fn_pod envp && fn_pod_state envp --env AWS_SHARED_CREDENTIALS_FILE=/run/aws/credentials \
	--env AWS_CONFIG_FILE=/run/aws/config.ini && fn_volumes envp --sa || exit 1

printf '{"policy": {"fold_window_seconds": 0}}\n' >"$FN_RUN/nofold.json"
agent_start -v --host-root "$FN_ROOT" --config "$FN_RUN/nofold.json" || exit 1

# map_has INO: the agent's kernel map holds that inode (dev:ino kind flags owner)
map_dump() { "$MAPGET" "$AGENT_PID" cw_credfiles 2>&1; }
# wait_map JQ-LIKE-GREP TIMEOUT: until a line of the dump matches the extended regex
wait_map() {
	local i
	for ((i = 0; i < ${2:-80}; i++)); do
		map_dump | grep -qE "$1" && return 0
		sleep 0.25
	done
	return 1
}
ino_of() { stat -L -c %i "$1"; }
dev_of() { stat -L -c %Hd:%Ld "$1"; }
CW_IRSA=2 CW_CREDS=4 CW_CONF=5

# run TAG POD CMD...: in POD's container, pid in TAG.pid
run() {
	local tag=$1 pod=$2
	shift 2
	fn_in_container "$pod" sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid" "$@" >/dev/null 2>&1
}
pid_of() { cat "$FN_RUN/$1.pid" 2>/dev/null || echo -1; }
ev_of() { events ".event==\"file_open\" and .process.pid==$(pid_of "$1")"; }
# the agent writes an event a poll interval after the open (or later, on a busy machine)
wait_ev() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -qF "\"process\":{\"pid\":$(pid_of "$1")," "$AGENT_OUT" && return 0
		sleep 0.1
	done
	return 1
}
fev() {
	wait_ev "$1"
	check_eq "$1: $2" "$(ev_of "$1" | jq -c "$2")" "$3"
}

# --- the map, from the kernel side ----------------------------------------------------------
TOK=$POD_victim_VOL_IRSA/token
tino=$(ino_of "$TOK") tdev=$(dev_of "$TOK")
podcg=$(stat -c %i "${POD_victim_CG%/*}")
check "the victim's IRSA token ($tdev $tino) is in cw_credfiles" wait_map "^$tdev $tino "
check_eq "its value: kind irsa, projected, owner = the victim's pod-level cgroup ($podcg)" \
	"$(map_dump | grep "^$tdev $tino " | cut -d' ' -f3-)" "kind=$CW_IRSA flags=1 owner_pod_cgid=$podcg"
check "cw_podcgs maps the victim's container cgroup to its pod cgroup" \
	grep -qx "$(stat -c %i "$POD_victim_CG") $podcg" <("$MAPGET" "$AGENT_PID" cw_podcgs)

# --- links: found by inode only ---------------------------------------------------------------
real=$(readlink -f "$TOK")
for i in 1 2 3 4 5 6; do ln "$real" "$POD_victim_VOL_IRSA/l$i"; done
run link6 thief cat "$POD_victim_VOL_IRSA/l6"
fev link6 '[.file.kind,.file.matched_by,.file.nlink,.file.owner.pod_uid,.file.credential_file.source,.finding.rule,.finding.severity]' \
	"[\"irsa_token\",\"inode\",7,\"$POD_victim_UID\",\"projected\",\"foreign_token_read\",\"critical\"]"
fev link6 '[.file.dev,.file.ino]' "[\"$tdev\",$tino]"
wait_ev link6
check_eq "link6: the token's claims were read from the volume (the file's name there)" \
	"$(ev_of link6 | jq -c '[.token.kind,.token.pod_uid]')" "[\"irsa\",\"$POD_victim_UID\"]"
# a link the name rules do see (the second alias of the inode is its ..data name)
rm -f "$POD_victim_VOL_IRSA"/l[2-6]
run link1 thief cat "$POD_victim_VOL_IRSA/l1"
fev link1 '[.file.kind,.file.matched_by]' '["irsa_token","name_and_inode"]'
# keep a link to this generation through the rotation
ln "$real" "$POD_victim_VOL_IRSA/keep"
rm -f "$POD_victim_VOL_IRSA/l1"

# --- rotation -----------------------------------------------------------------------------------
fn_rotate victim IRSA || fail "rotation"
nino=$(ino_of "$TOK")
check "after the rotation the new token ($nino) is in the map" wait_map "^$tdev $nino kind=$CW_IRSA flags=1 "
check "the previous token, still linked, stays in the map, retired (flags 1|8)" \
	wait_map "^$tdev $tino kind=$CW_IRSA flags=9 "
ln "$(readlink -f "$TOK")" "$POD_victim_VOL_IRSA/n1"
for i in 2 3 4 5 6; do ln "$POD_victim_VOL_IRSA/n1" "$POD_victim_VOL_IRSA/n$i"; done
run rot_new thief cat "$POD_victim_VOL_IRSA/n6"
fev rot_new '[.file.kind,.file.matched_by,.file.ino,.finding.rule]' "[\"irsa_token\",\"inode\",$nino,\"foreign_token_read\"]"
run rot_old thief cat "$POD_victim_VOL_IRSA/keep"
fev rot_old '[.file.kind,.file.matched_by,.file.ino,.file.credential_file.retired,.finding.rule]' \
	"[\"irsa_token\",\"inode\",$tino,true,\"foreign_token_read\"]"
rm -f "$POD_victim_VOL_IRSA"/n[1-6] "$POD_victim_VOL_IRSA/keep"

# --- a Secret volume at ~/.aws ------------------------------------------------------------------
sino=$(ino_of "$SECDIR/credentials")
check "the Secret volume's credentials file ($sino) is in the map, kind aws_credentials" \
	wait_map " $sino kind=$CW_CREDS flags=2 "
check "... and its config, kind aws_config" wait_map " $(ino_of "$SECDIR/config") kind=$CW_CONF flags=2 "
cat >"$FN_RUN/secread.sh" <<'EOS'
# the container's ~/.aws is the Secret volume (a private tmpfs home: nothing on the host)
mount -t tmpfs cwtest-home /root && mkdir /root/.aws && mount --bind "$1" /root/.aws || exit 1
sh -c 'echo $$ >"$0"; exec cat /root/.aws/credentials' "$2/sec.pid" >/dev/null
# another name for it, in a directory of the container's own
mkdir -p /root/x && mount --bind /root/.aws/..data /root/x
sh -c 'echo $$ >"$0"; exec cat /root/x/credentials' "$2/sec2.pid" >/dev/null
EOS
fn_in_container sec sh "$FN_RUN/secread.sh" "$SECDIR" "$FN_RUN" >/dev/null 2>&1
for t in sec sec2; do
	fev $t '[.file.kind,.file.matched_by,.file.credential_file.source,.file.credential_file.pod_uid,.finding.rule]' \
		"[\"aws_credentials\",\"inode\",\"secret\",\"$POD_sec_UID\",\"static_credentials_read\"]"
done
wait_ev sec
check_eq "sec: the path the container saw (..<timestamp>/ through the mount)" \
	"$(ev_of sec | jq -r .file.path)" "/root/.aws/$gen/credentials"

# --- files named by the container's variables -----------------------------------------------
cat >"$FN_RUN/envread.sh" <<'EOS'
r=$1
mkdir -p /run/aws || exit 1
printf '[default]\naws_access_key_id = %s\n' "$2" >/run/aws/credentials
printf '[default]\nregion = us-east-1\n' >/run/aws/config.ini
stat -c %i /run/aws/credentials >"$r/env-creds.ino"
stat -c %i /run/aws/config.ini >"$r/env-conf.ino"
# the test waits for the agent to know both, then says go
for i in $(seq 200); do [ -e "$r/env.go" ] && break; sleep 0.1; done
sh -c 'echo $$ >"$0"; exec cat /run/aws/credentials' "$r/env1.pid" >/dev/null
ln /run/aws/credentials /run/aws/innocent.txt
sh -c 'echo $$ >"$0"; exec cat /run/aws/innocent.txt' "$r/env2.pid" >/dev/null
mv /run/aws/config.ini /run/aws/renamed.txt
echo moved >"$r/env.moved"
for i in $(seq 200); do [ -e "$r/env.go2" ] && break; sleep 0.1; done
sh -c 'echo $$ >"$0"; exec cat /run/aws/renamed.txt' "$r/env3.pid" >/dev/null
EOS
fn_in_container envp sh "$FN_RUN/envread.sh" "$FN_RUN" "$FIXKEY" >/dev/null 2>&1 &
envbg=$!
for _ in $(seq 100); do [ -s "$FN_RUN/env-conf.ino" ] && break; sleep 0.1; done
eino=$(cat "$FN_RUN/env-creds.ino") cino=$(cat "$FN_RUN/env-conf.ino")
check "AWS_SHARED_CREDENTIALS_FILE's file ($eino) is in the map: aws_credentials, env" \
	wait_map " $eino kind=$CW_CREDS flags=4 "
check "AWS_CONFIG_FILE's file ($cino) is in the map: aws_config, env" wait_map " $cino kind=$CW_CONF flags=4 "
touch "$FN_RUN/env.go"
for _ in $(seq 100); do [ -e "$FN_RUN/env.moved" ] && break; sleep 0.1; done
# a refresh after the rename: the variable names nothing now, the container still runs
sleep 4.5
check "the renamed file stays known, retired (flags 4|8)" wait_map " $cino kind=$CW_CONF flags=12 "
touch "$FN_RUN/env.go2"
wait $envbg
fev env1 '[.file.kind,.file.matched_by,.file.path,.file.credential_file.source,.file.credential_file.name,.finding.rule]' \
	'["aws_credentials","inode","/run/aws/credentials","env","AWS_SHARED_CREDENTIALS_FILE","static_credentials_read"]'
fev env2 '[.file.kind,.file.matched_by,.file.path,.file.ino,.finding.rule]' \
	"[\"aws_credentials\",\"inode\",\"/run/aws/innocent.txt\",$eino,\"static_credentials_read\"]"
fev env3 '[.file.kind,.file.matched_by,.file.path,.file.credential_file.retired,.finding.rule]' \
	'["aws_config","inode","/run/aws/renamed.txt",true,"static_credentials_read"]'

# --- bounded: a map too small for the node ------------------------------------------------------
n_before=$(map_dump | grep -c .)
agent_stop
check "the node has more than 3 credential files ($n_before in the map)" test "$n_before" -gt 3
stats=$(jq -c 'select(.event=="agent_stats") | .credfiles' "$AGENT_OUT")
check_eq "agent_stats credfiles: no eviction, no map error at the default capacity" \
	"$(jq -c '[.capacity,.evictions,.map_errors]' <<<"$stats")" '[8192,0,0]'
# (the per-source counts are the last scan's: the envp container has exited by now)
check "agent_stats credfiles: the last scan found the projected and Secret files ($stats)" \
	jqtrue '.projected >= 5 and .secret >= 2 and .scans >= 3' <<<"$stats"
check_eq "opens matched by inode were counted in the kernel" \
	"$(jq 'select(.event=="agent_stats") | .file_hooks.opens_by_inode > 0' "$AGENT_OUT")" true

AGENT_OUT=$FN_RUN/small.json
agent_start --host-root "$FN_ROOT" --max-credfiles 3 || exit 1
sleep 4.5 # two refreshes
n_small=$(map_dump | grep -c .)
run small thief cat "$POD_thief_VOL_SA/token"
wait_ev small
agent_stop
check "with --max-credfiles 3 the kernel map holds at most 3 ($n_small)" test "$n_small" -le 3
check "... and the evictions were counted ($(jq -c 'select(.event=="agent_stats") | .credfiles' "$AGENT_OUT"))" \
	test "$(jq 'select(.event=="agent_stats") | .credfiles.evictions' "$AGENT_OUT")" -gt 0
check_eq "... and the agent still reports by name: the thief's own token" \
	"$(ev_of small | jq -c '[.file.kind,.file.owner.pod_uid]')" "[\"sa_token\",\"$POD_thief_UID\"]"

# --- no secret anywhere --------------------------------------------------------------------------
check_eq "no fixture access key in any output" "$(cat "$FN_RUN"/events.json "$FN_RUN"/small.json "$FN_RUN"/agent.err | grep -c "$FIXKEY")" 0
leaks=0
while read -r sig; do
	[ -n "$sig" ] && grep -qF "$sig" "$FN_RUN/events.json" "$FN_RUN/agent.err" && leaks=$((leaks + 1))
done <"$FN_RUN/secrets"
check_eq "no token signature in the output" "$leaks" 0
[ -n "${CWTEST_KEEP:-}" ] && cp "$FN_RUN/events.json" "$FN_RUN"/*.pid "$CWTEST_KEEP"/
finish
