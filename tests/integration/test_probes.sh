#!/bin/bash
# No finding for SDKs looking for config (issue 14, item 5). Failed opens have no file, only
# the string the process chose: they are audit events, and a finding needs either an opened
# credential file or reconnaissance (one workload failing on RULES_RECON_MIN = 3 distinct
# credential locations within the window).
#   sdk       an SDK's start-up probes: ~/.aws/config and ~/.aws/credentials, missing, by
#             three processes of the pod one after the other: audit only (two locations)
#   denied    a non-root SDK whose HOME's .aws is not readable (EACCES): audit only
#   opened    then the credentials file exists and is opened: static_credentials_read
#   recon     one process probes five homes' credentials: the third distinct location is
#             credential_reconnaissance, the later ones too
#   loop      the step around it: a shell loop, one cat per location: still one workload,
#             reconnaissance
#   repeat    another step around: the same two paths a hundred times: not reconnaissance
# In its own pods (the count is per workload), fresh agents.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh

fn_init || exit 1
fn_root
for p in sdk recon loop repeat; do
	fn_pod $p && fn_pod_state $p || exit 1
done
printf '{"policy": {"fold_window_seconds": 0}}\n' >"$FN_RUN/nofold.json"
agent_start --host-root "$FN_ROOT" --config "$FN_RUN/nofold.json" || exit 1

# each pod's container gets a private tmpfs over /root and /home (nothing on the host)
cat >"$FN_RUN/sdk.sh" <<'EOS'
r=$1
mount -t tmpfs cwtest-home /root && mount -t tmpfs cwtest-home /home || exit 1
for i in 1 2 3; do
	sh -c 'echo $$ >>"$0"; exec cat /root/.aws/config /root/.aws/credentials' "$r/sdk.pids" 2>/dev/null
done
# a non-root SDK, its HOME's .aws not readable to it
mkdir -p /home/app/.aws && chmod 0700 /home/app/.aws
sh -c 'echo $$ >"$0"; exec setpriv --reuid 1000 --regid 1000 --clear-groups cat /home/app/.aws/credentials' \
	"$r/denied.pid" 2>/dev/null
mkdir -p /root/.aws && printf '[default]\nregion = us-east-1\n' >/root/.aws/credentials
sh -c 'echo $$ >"$0"; exec cat /root/.aws/credentials' "$r/opened.pid" >/dev/null
EOS
fn_in_container sdk sh "$FN_RUN/sdk.sh" "$FN_RUN" >/dev/null 2>&1
cat >"$FN_RUN/recon.sh" <<'EOS'
mount -t tmpfs cwtest-home /home || exit 1
sh -c 'echo $$ >"$0"; exec cat /home/a/.aws/credentials /home/b/.aws/credentials /home/c/.aws/credentials /home/d/.aws/credentials /home/e/.aws/credentials' "$1/recon.pid" 2>/dev/null
EOS
fn_in_container recon sh "$FN_RUN/recon.sh" "$FN_RUN" >/dev/null 2>&1
cat >"$FN_RUN/loop.sh" <<'EOS'
mount -t tmpfs cwtest-home /home || exit 1
for h in a b c d; do
	sh -c 'echo $$ >>"$0"; exec cat "$1"' "$1/loop.pids" "/home/$h/.aws/credentials" 2>/dev/null
done
EOS
fn_in_container loop sh "$FN_RUN/loop.sh" "$FN_RUN" >/dev/null 2>&1
cat >"$FN_RUN/repeat.sh" <<'EOS'
mount -t tmpfs cwtest-home /root || exit 1
sh -c 'echo $$ >"$0"; i=0; while [ $i -lt 100 ]; do cat /root/.aws/config /root/.aws/credentials; i=$((i+1)); done' \
	"$1/repeat.pid" 2>/dev/null
EOS
fn_in_container repeat sh "$FN_RUN/repeat.sh" "$FN_RUN" >/dev/null 2>&1
sleep 0.5
agent_stop

in_pod() { events ".event==\"file_open\" and .pod.uid==\"$1\""; }
sdk=$(in_pod "$POD_sdk_UID")
check_eq "sdk: six failed probes of two locations, audit only" \
	"$(jq -c 'select(.file.result=="ENOENT") | [.file.kind,.file.matched_by,.file.distinct_failed,has("finding")]' <<<"$sdk" | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' ')" \
	'1 ["aws_config","path",1,false] 2 ["aws_config","path",2,false] 3 ["aws_credentials","path",2,false] '
check_eq "sdk: every probe of the three processes is there" \
	"$(jq -r 'select(.file.result=="ENOENT") | .process.pid' <<<"$sdk" | sort -u | tr '\n' ' ')" \
	"$(sort -u "$FN_RUN/sdk.pids" | tr '\n' ' ')"
check_eq "denied: EACCES on a non-root SDK's own .aws, audit only (a third location: counted)" \
	"$(events ".event==\"file_open\" and .process.pid==$(cat "$FN_RUN/denied.pid")" | jq -c '[.file.kind,.file.result,.process.uid,.finding.rule]')" \
	'["aws_credentials","EACCES",1000,"credential_reconnaissance"]'
check_eq "opened: the credentials file opened: static_credentials_read" \
	"$(events ".event==\"file_open\" and .process.pid==$(cat "$FN_RUN/opened.pid")" | jq -c '[.file.kind,.file.result,.file.matched_by,.finding.rule]')" \
	'["aws_credentials","ok","name","static_credentials_read"]'
check_eq "recon: one process, five homes: the first two audit, from the third reconnaissance" \
	"$(in_pod "$POD_recon_UID" | jq -c '[.file.distinct_failed,.finding.rule,.finding.severity]' | tr '\n' ' ')" \
	'[1,null,null] [2,null,null] [3,"credential_reconnaissance","medium"] [4,"credential_reconnaissance","medium"] [5,"credential_reconnaissance","medium"] '
check_eq "recon: the summary counts the locations" \
	"$(in_pod "$POD_recon_UID" | jq -r 'select(.file.distinct_failed==3) | .finding.summary')" \
	"pod default/recon container app probed 3 distinct credential locations that it could not open"
check_eq "loop: one cat per location, four processes: still reconnaissance from the third" \
	"$(in_pod "$POD_loop_UID" | jq -c '[.file.distinct_failed,.finding.rule]' | tr '\n' ' ')" \
	'[1,null] [2,null] [3,"credential_reconnaissance"] [4,"credential_reconnaissance"] '
check_eq "loop: four processes" "$(in_pod "$POD_loop_UID" | jq -r .process.pid | sort -u | grep -c .)" 4
rep=$(in_pod "$POD_repeat_UID")
check_eq "repeat: 200 failed probes of the same two paths, no finding" \
	"$(grep -c . <<<"$rep") $(jq -c 'select(has("finding"))' <<<"$rep" | grep -c .)" "200 0"
check_eq "no finding for a failed open anywhere but reconnaissance" \
	"$(count_events '.event=="file_open" and .file.result!="ok" and has("finding") and .finding.rule!="credential_reconnaissance"')" 0
finish
