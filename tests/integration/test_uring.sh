#!/bin/bash
# io_uring opens: IORING_OP_OPENAT makes no open syscall, a documented way
# past syscall-based monitors. A pod reads its IRSA token through io_uring;
# whichever hook the kernel gave the agent (LSM/fentry on VFS-hook kernels,
# the io_uring completion tracepoint otherwise), the read must be a full
# file_open of kind irsa_token with file.syscall "io_uring" and the same
# inode as a plain read - never silent.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
URING=$PWD/build/tests/cw_uring_open

fn_init || exit 1
fn_root
fn_pod ring || exit 1
fn_volumes ring --irsa || exit 1
printf '{"policy": {"fold_window_seconds": 0}}\n' >"$FN_RUN/nofold.json"
agent_start --host-root "$FN_ROOT" --config "$FN_RUN/nofold.json" || exit 1
hook=$(jq -r 'select(.event=="agent_ready") | .hook_selection.file.chosen' "$AGENT_OUT")
echo "file hook: $hook"
TOKEN=/var/run/secrets/eks.amazonaws.com/serviceaccount/token

fn_in_container ring sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/plain.pid" cat "$TOKEN" >/dev/null
fn_in_container ring sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/uring.pid" "$URING" "$TOKEN" >"$FN_RUN/uring.out" 2>&1
check "the io_uring open succeeded (fd printed)" grep -qE '^[0-9]+$' "$FN_RUN/uring.out"
agent_stop

plain=$(cat "$FN_RUN/plain.pid")
uring=$(cat "$FN_RUN/uring.pid")
# the io-wq worker that does the open is a thread of the process: same pid
ev=$(events ".event==\"file_open\" and .process.pid==$uring")
check_eq "io_uring read: exactly one file_open" "$(grep -c . <<<"$ev")" 1
check_eq "io_uring read: kind irsa_token, syscall io_uring, result ok" \
	"$(jq -c '[.file.kind,.file.syscall,.file.result]' <<<"$ev")" '["irsa_token","io_uring","ok"]'
check_eq "io_uring read: same dev/ino as a plain read" \
	"$(jq -c '[.file.dev,.file.ino]' <<<"$ev")" \
	"$(events ".event==\"file_open\" and .process.pid==$plain" | jq -c '[.file.dev,.file.ino]')"
check_eq "io_uring read: attributed to the pod" "$(jq -r .pod.uid <<<"$ev")" "$POD_ring_UID"
check_eq "io_uring read: owner is the pod's aws-iam-token volume" \
	"$(jq -c '[.file.owner.pod_uid,.file.owner.volume]' <<<"$ev")" "[\"$POD_ring_UID\",\"aws-iam-token\"]"
finish
