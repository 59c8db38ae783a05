#!/bin/bash
# Credential file opens, identified by what the kernel opened: a pod reads
# its IRSA, Pod Identity and service-account tokens through the in-container
# paths (its own mount namespace, where each projected volume - its own tmpfs -
# is bind-mounted), and the same IRSA token is read through every other
# spelling (relative path, openat(dirfd), /proc/<pid>/root, the host-side
# kubelet path, a hard link, a symlink elsewhere) and after a rotation. AWS
# shared credential files in two homes. Non-secret files, ordinary files and
# near-miss names give no event. A failed open of a token path is reported
# with its errno.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
PY=/usr/bin/python3

fn_init || exit 1
fn_root
fn_pod app || exit 1
fn_volumes app --sa --irsa --pod-identity || exit 1
fn_pod other || exit 1
# every spelling of the read must be its own event: folding of repeated
# findings (tested in test_findings.sh) is turned off here
printf '{"policy": {"fold_window_seconds": 0}}\n' >"$FN_RUN/nofold.json"
agent_start -v --host-root "$FN_ROOT" --config "$FN_RUN/nofold.json" || exit 1

# issue 19: where the kernel attaches BPF trampolines (decided by the test's own probe, not by
# the agent), the agent attaches no syscall tracepoint at all: the exits of the open family
# and connect (failed opens below, unix connects) are fexit programs on the syscalls' entry
# functions. Elsewhere, the syscall-exit tracepoints as before.
TRAMP=$(kernel_trampolines)
echo "BPF trampolines on this kernel: $TRAMP"
READY='select(.event=="agent_ready")'
syscall_tps() { jq -c "$READY"' | [.hooks[].hook | select(startswith("tp/syscalls/") or startswith("tp_btf/sys_") or startswith("raw_tp/sys_"))]' "$AGENT_OUT"; }
exit_hooks() { jq -c "$READY"' | [.hooks[] | select(.program=="cw_fx_openat" or .program=="cw_fx_connect" or .program=="cw_exit_openat" or .program=="cw_exit_connect") | [.family,.hook]] | sort' "$AGENT_OUT"; }
if [ "$TRAMP" = yes ]; then
	check_eq "trampolines: no syscall tracepoint among the hooks" "$(syscall_tps)" '[]'
	check_eq "trampolines: the openat and connect exits by fexit on their entry functions" \
		"$(exit_hooks)" "[[\"file\",\"fexit/$(syscall_fn openat)\"],[\"socket\",\"fexit/$(syscall_fn connect)\"]]"
	check_eq "trampolines: hook_selection.syscall_exits says fexit" \
		"$(jq -r "$READY | .hook_selection.syscall_exits.chosen" "$AGENT_OUT")" fexit
else
	check_eq "no trampolines: the openat and connect exits are the syscall tracepoints" \
		"$(exit_hooks)" '[["file","tp/syscalls/sys_exit_openat"],["socket","tp/syscalls/sys_exit_connect"]]'
	check_eq "no trampolines: hook_selection.syscall_exits says tracepoint" \
		"$(jq -r "$READY | .hook_selection.syscall_exits.chosen" "$AGENT_OUT")" tracepoint
fi

# run TAG WHERE CMD...: WHERE is a pod name (container) or "host"; records the pid
run() {
	local tag=$1 where=$2
	shift 2
	if [ "$where" = host ]; then
		sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid" "$@" >/dev/null 2>&1
	else
		fn_in_container "$where" sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid" "$@" >/dev/null 2>&1
	fi
}
pid_of() { cat "$FN_RUN/$1.pid"; }
IRSA=/var/run/secrets/eks.amazonaws.com/serviceaccount/token
PI=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token
SA=/var/run/secrets/kubernetes.io/serviceaccount

run irsa app cat $IRSA
run pi app cat $PI
run sa app cat $SA/token
run ca app cat $SA/ca.crt $SA/namespace
run relative app sh -c "cd ${IRSA%/token} && exec cat token"
run dirfd app $PY -c "import os; d=os.open('${IRSA%/token}', os.O_RDONLY|os.O_DIRECTORY); os.close(os.open('token', os.O_RDONLY, dir_fd=d))"
# /proc/<pid>/root of a process in the pod, read from the host
fn_in_container app sh -c 'echo $$ >"$0"; exec sleep 30' "$FN_RUN/holder.pid" &
bg=$!
holder=
for _ in $(seq 50); do
	holder=$(cat "$FN_RUN/holder.pid" 2>/dev/null)
	[ -n "$holder" ] && [ "$(readlink "/proc/$holder/exe")" = "$(readlink -f "$(command -v sleep)")" ] && break
	sleep 0.1
done
fn_track_pid "$holder"
# (/var/run -> /run is an absolute symlink on this host, which /proc/<pid>/root
# would resolve against the reader's root: use the real directory)
check "a process holds the pod's mount namespace" test -e "/proc/$holder/root${IRSA#/var}"
run procroot host cat "/proc/$holder/root${IRSA#/var}"
run hostpath host cat "$POD_app_VOL_IRSA/token"
gen=$(readlink "$POD_app_VOL_IRSA/..data")
ln "$POD_app_VOL_IRSA/$gen/token" "$POD_app_VOL_IRSA/hardlink"
run hardlink host cat "$POD_app_VOL_IRSA/hardlink"
ln -s "$POD_app_VOL_IRSA/token" "$FN_RUN/elsewhere-link"
run symlink host cat "$FN_RUN/elsewhere-link"
rm -f "$POD_app_VOL_IRSA/hardlink"
fn_rotate app IRSA
run rotated app cat $IRSA
run missing other cat $IRSA

# AWS shared credentials in two homes, on private tmpfs homes (nothing on the host)
cat >"$FN_RUN/aws.sh" <<'EOS'
set -e
mount -t tmpfs cwtest-home /root && mount -t tmpfs cwtest-home /home
mkdir -p /root/.aws /home/alice/.aws/cli/cache /home/alice/.aws/sso/cache
printf '[default]\naws_access_key_id = AKIAFIXTUREONLY00000\n' >/root/.aws/credentials
printf '[default]\nregion = us-east-1\n' >/home/alice/.aws/config
printf '[default]\n' >/home/alice/.aws/credentials
printf '{}' >/home/alice/.aws/cli/cache/0123456789abcdef0123456789abcdef01234567.json
printf '{}' >/home/alice/.aws/sso/cache/89abcdef0123456789abcdef0123456789abcdef.json
chown -R 1000:1000 /home/alice
sh -c 'echo $$ >"$1/aws-root-cat.pid"; exec cat /root/.aws/credentials' sh "$FN_RUN" >/dev/null
sh -c 'echo $$ >"$1/aws-root-py.pid"; exec "$2" -c "open(\"/root/.aws/credentials\").read()"' sh "$FN_RUN" "$PY"
sh -c 'echo $$ >"$1/aws-alice.pid"; exec setpriv --reuid 1000 --regid 1000 --clear-groups cat /home/alice/.aws/credentials /home/alice/.aws/config /home/alice/.aws/cli/cache/0123456789abcdef0123456789abcdef01234567.json /home/alice/.aws/sso/cache/89abcdef0123456789abcdef0123456789abcdef.json' sh "$FN_RUN" >/dev/null
EOS
FN_RUN=$FN_RUN PY=$PY unshare -m --propagation private sh "$FN_RUN/aws.sh" || fail "aws credential files setup"

# 10,000 ordinary opens, near-miss names included, and 1,000 unix connects
cat >"$FN_RUN/noise.py" <<'EOS'
import os, socket, sys, threading
d = sys.argv[1]
names = ["token", "config", "credentials", "kubeconfig", "kubelet-client.pem", "sa.key",
         "eks-pod-identity-token", "data.json", "ca.crt", "plain.txt"]
os.makedirs(d + "/..not-a-volume", exist_ok=True)
os.makedirs(d + "/pki", exist_ok=True)
for n in names:
    open(os.path.join(d, n), "w").close()
open(d + "/pki/x.pem", "w").close()
paths = [os.path.join(d, n) for n in names]
for i in range(10000):
    os.close(os.open(paths[i % len(paths)], os.O_RDONLY))
srv = socket.socket(socket.AF_UNIX)
srv.bind(d + "/plain.sock")
srv.listen(1024)
def acc():
    while True:
        try:
            c, _ = srv.accept(); c.close()
        except OSError:
            return
threading.Thread(target=acc, daemon=True).start()
for i in range(1000):
    c = socket.socket(socket.AF_UNIX); c.connect(d + "/plain.sock"); c.close()
srv.close()
EOS
mkdir -p "$FN_RUN/noise"
run noise app $PY "$FN_RUN/noise.py" "$FN_RUN/noise"

kill "$holder" 2>/dev/null
wait $bg 2>/dev/null
agent_stop

# --- assertions ---
ev_of() { events ".event==\"file_open\" and .process.pid==$(pid_of "$1")"; }
count_of() { count_events ".event==\"file_open\" and .process.pid==$(pid_of "$1")"; }
kinds_of() { ev_of "$1" | jq -r .file.kind | sort | tr '\n' ' ' | sed 's/ $//'; }

check_eq "IRSA token read in the pod: one irsa_token event" "$(count_of irsa) $(kinds_of irsa)" "1 irsa_token"
check_eq "Pod Identity token read in the pod" "$(count_of pi) $(kinds_of pi)" "1 pod_identity_token"
check_eq "SA token read in the pod" "$(count_of sa) $(kinds_of sa)" "1 sa_token"
check_eq "ca.crt and namespace: no event" "$(count_of ca)" 0
ref=$(ev_of irsa | jq -c '[.file.dev,.file.ino]')
check "the IRSA event names dev and inode" test -n "$ref"
check_eq "in-container read: path as the container sees it (resolved through ..data)" \
	"$(ev_of irsa | jq -r '.file.path | test("^/run/secrets/eks.amazonaws.com/serviceaccount/\\.\\.[0-9_.]+/token$")')" true
check_eq "in-container read: requested path kept, advisory" "$(ev_of irsa | jq -r .file.requested_path)" "$IRSA"
for t in relative dirfd procroot hostpath hardlink symlink; do
	check_eq "$t: one irsa_token event" "$(count_of $t) $(kinds_of $t)" "1 irsa_token"
	check_eq "$t: same dev/ino as the direct read" "$(ev_of $t | jq -c '[.file.dev,.file.ino]')" "$ref"
done
check_eq "host-side read names the projected volume" "$(ev_of hostpath | jq -r .file.volume)" aws-iam-token
check_eq "host-side read: path is the kubelet path" \
	"$(ev_of hostpath | jq -r '.file.path | startswith("'"$POD_app_VOL_IRSA"'/..")')" true
check_eq "rotation: still reported" "$(count_of rotated) $(kinds_of rotated)" "1 irsa_token"
check_eq "rotation: same volume (dev), new inode" \
	"$(ev_of rotated | jq -c '[.file.dev == ('"$ref"')[0], .file.ino != ('"$ref"')[1]]')" "[true,true]"
check_eq "failed open of a missing token path: one event with the errno" \
	"$(ev_of missing | jq -c '[.file.kind,.file.result,.file.errno,.file.path]')" '["irsa_token","ENOENT",2,null]'
check_eq "failed open: the requested path, from the openat exit" \
	"$(ev_of missing | jq -c '[.file.requested_path,.file.syscall]')" "[\"$IRSA\",\"openat\"]"
check_eq "root's ~/.aws/credentials by cat" "$(kinds_of aws-root-cat)" aws_credentials
check_eq "root's ~/.aws/credentials by python3" "$(kinds_of aws-root-py)" aws_credentials
check_eq "another user's .aws files: credentials, config, cli cache, sso cache" \
	"$(kinds_of aws-alice)" "aws_cli_cache aws_config aws_credentials aws_sso_cache"
check_eq "another user's read carries their uid" "$(ev_of aws-alice | jq -r .process.uid | sort -u)" 1000
check_eq "10,000 ordinary opens and 1,000 unix connects: no event" \
	"$(count_events ".process.pid==$(pid_of noise)")" 0
check_eq "the kernel sent nothing of the noise process for userspace to discard" \
	"$(grep -c "discarded .* of pid $(pid_of noise):" "$AGENT_ERR")" 0
check_eq "no drops" "$(jq -s '[.[]|select(.event=="agent_stats")][-1].drops.ringbuf_full' "$AGENT_OUT")" 0
# no token content may appear anywhere: grep for every fixture signature
leaks=0
while read -r sig; do
	[ -n "$sig" ] || continue
	grep -qF "$sig" "$AGENT_OUT" "$AGENT_ERR" && leaks=$((leaks + 1))
done <"$FN_RUN/secrets"
check "fixture tokens were recorded for the leak check" test -s "$FN_RUN/secrets"
check_eq "no token signature in the agent's output or stderr" "$leaks" 0
check_eq "no fixture access key in the output" "$(grep -c AKIAFIXTUREONLY "$AGENT_OUT")" 0

# --hooks file=tracepoint on a trampoline kernel: the syscall-exit tracepoints of before, and
# the failed opens still come from them
if [ "$TRAMP" = yes ]; then
	AGENT_OUT=$FN_RUN/events-tp.json
	agent_start --host-root "$FN_ROOT" --config "$FN_RUN/nofold.json" --hooks file=tracepoint || exit 1
	check_eq "[file=tracepoint] the openat and connect exits are the syscall tracepoints" \
		"$(exit_hooks)" '[["file","tp/syscalls/sys_exit_openat"],["socket","tp/syscalls/sys_exit_connect"]]'
	check_eq "[file=tracepoint] no fexit on a syscall entry function" \
		"$(jq -c "$READY"' | [.hooks[] | select(.program | startswith("cw_fx_"))] | length' "$AGENT_OUT")" 0
	check_eq "[file=tracepoint] hook_selection.syscall_exits: tracepoint, forced" \
		"$(jq -c "$READY"' | .hook_selection.syscall_exits | [.chosen,.reason]' "$AGENT_OUT")" \
		'["tracepoint","forced with --hooks file=tracepoint"]'
	run missing2 other cat $IRSA
	agent_stop
	check_eq "[file=tracepoint] failed open of a missing token path: one event, requested path" \
		"$(ev_of missing2 | jq -c '[.file.kind,.file.result,.file.requested_path]')" "[\"irsa_token\",\"ENOENT\",\"$IRSA\"]"
else
	echo "SKIP: --hooks file=tracepoint against the fexit default (no BPF trampolines on this kernel: $TRAMP)"
fi
finish
