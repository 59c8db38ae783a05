#!/bin/bash
# Every way to open a file (issue 14, item 1). A process of pod "thief" reads pod "victim"'s
# IRSA token (through the kubelet's host path, which its mount namespace still shows) by each
# entry point that a syscall-tracepoint monitor does not see as an openat:
#   handle    name_to_handle_at + open_by_handle_at (no open syscall names the file)
#   compat    i386 open(2) and openat(2) through int $0x80 (compat syscalls fire no
#             syscalls:* tracepoint), and a compat connect / socketcall to the runtime socket
#   fixed     io_uring IORING_OP_OPENAT into a fixed-file slot (no fd), a chosen slot and a
#             kernel-chosen one (IORING_FILE_INDEX_ALLOC)
# Each must be a file_open of kind irsa_token naming the victim as owner, foreign_token_read
# (critical), with file.syscall naming the real entry point (open_by_handle_at, open/openat
# with compat true, io_uring with fixed_file true where the tracepoints saw it) and the same
# (dev, ino) as a plain read. Run under every file hook the kernel offers (LSM/fentry kernels:
# that hook, and the forced tracepoints). Compat syscalls need the kernel's i386 emulation:
# where int $0x80 faults (no compat entry point at all) those checks say SKIP.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
T=$PWD/build/tests
PY=/usr/bin/python3

skip() { echo "SKIP: $*"; }

fn_init || exit 1
fn_root
fn_pod victim || exit 1
fn_pod_state victim || exit 1
fn_volumes victim --sa --irsa || exit 1
fn_pod thief || exit 1
fn_pod_state thief || exit 1
fn_volumes thief --sa || exit 1
printf '{"policy": {"fold_window_seconds": 0}}\n' >"$FN_RUN/nofold.json"
TOKEN=$POD_victim_VOL_IRSA/token

# the runtime socket, for the compat connects
mkdir -p "$FN_ROOT/run/containerd"
$PY tests/lib/unixserver.py "$FN_ROOT/run/containerd/containerd.sock" &
fn_track_pid $!
for _ in $(seq 50); do [ -e "$FN_ROOT/run/containerd/containerd.sock.ready" ] && break; sleep 0.1; done

# can this kernel make compat syscalls at all? (the test's own probe, not the agent's)
compat=yes
[ "$("$T/cw_compat" open /proc/self/stat 2>&1)" = opened ] || compat=no
echo "compat syscalls on this kernel: $compat"
TRAMP=$(kernel_trampolines)
echo "BPF trampolines on this kernel: $TRAMP"

# run TAG CMD...: in the thief's container; pid in TAG.pid, output in TAG.out
run() {
	local tag=$1
	shift
	FN_BINDS="$FN_ROOT/run/containerd:/run/containerd" fn_in_container thief \
		sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid" "$@" >"$FN_RUN/$tag.out" 2>&1
}
pid_of() { cat "$FN_RUN/$1.pid" 2>/dev/null || echo -1; }
ev_of() { events ".event==\"file_open\" and .process.pid==$(pid_of "$1")"; }
sev_of() { events ".event==\"socket_connect\" and .process.pid==$(pid_of "$1")"; }

modes=(default)
agent_start --host-root "$FN_ROOT" --config "$FN_RUN/nofold.json" || exit 1
hook=$(jq -r 'select(.event=="agent_ready") | .hook_selection.file.chosen' "$AGENT_OUT")
agent_kill
[ "$hook" != tracepoint ] && modes+=(file=tracepoint)

for mode in "${modes[@]}"; do
	args=(--host-root "$FN_ROOT" --config "$FN_RUN/nofold.json")
	[ "$mode" != default ] && args+=(--hooks "$mode")
	agent_start "${args[@]}" || exit 1
	hook=$(jq -r 'select(.event=="agent_ready") | .hook_selection.file.chosen' "$AGENT_OUT")
	m="[$mode: file hook $hook]"
	# open_by_handle_at's exit: fexit on its entry function where the kernel attaches BPF
	# trampolines (the test's own probe) and the file hook is not forced to tracepoints
	# (issue 19), else its syscall tracepoint
	obh="tp/syscalls/sys_exit_open_by_handle_at"
	[ "$TRAMP" = yes ] && [ "$mode" = default ] && obh="fexit/$(syscall_fn open_by_handle_at)"
	check_eq "$m agent_ready lists the open_by_handle_at hook" \
		"$(jq -c --arg fn "fexit/$(syscall_fn open_by_handle_at)" 'select(.event=="agent_ready") | [.hooks[] | select(.hook=="tp/syscalls/sys_exit_open_by_handle_at" or .hook == $fn) | .hook]' "$AGENT_OUT")" \
		"[\"$obh\"]"
	# compat exits: fexit on the seven i386 entry points where the file hook has trampolines
	# (x86), else the raw sys_exit tracepoint; never both, never a part of the set
	compat_hooks=$(jq -r 'select(.event=="agent_ready") | [.hooks[] | select(.hook=="tp_btf/sys_exit" or (.hook | startswith("fexit/__ia32_"))) | .hook] | if . == ["tp_btf/sys_exit"] then "sys_exit" elif length == 7 and all(startswith("fexit/")) then "fexit" else tostring end' "$AGENT_OUT")
	if [ "$hook" = tracepoint ]; then
		check_eq "$m compat syscalls: the raw sys_exit tracepoint" "$compat_hooks" sys_exit
	elif [ "$compat" = yes ] && [ "$(uname -m)" = x86_64 ]; then
		check_eq "$m compat syscalls: fexit on the i386 entry points, nothing at 64-bit syscalls" \
			"$compat_hooks" fexit
	else
		# (or none at all where trampolines work and the kernel has no compat syscalls)
		check "$m compat syscalls: all seven fexit entry points or the raw sys_exit ($compat_hooks)" \
			test "$compat_hooks" = fexit -o "$compat_hooks" = sys_exit -o \
			"$compat:$compat_hooks" = "no:[]"
	fi
	run plain cat "$TOKEN"
	run handle "$T/cw_handle_open" "$TOKEN"
	run handle2 "$T/cw_handle_open" "$TOKEN" "$POD_victim_VOL_IRSA/..data"
	run fixed "$T/cw_uring_fixed" "$TOKEN" 3
	run alloc "$T/cw_uring_fixed" "$TOKEN" alloc
	if [ "$compat" = yes ]; then
		run c_open "$T/cw_compat" open "$TOKEN"
		run c_openat "$T/cw_compat" openat "$TOKEN"
		run c_conn "$T/cw_compat" connect /run/containerd/containerd.sock
		run c_sockcall "$T/cw_compat" socketcall /run/containerd/containerd.sock
		run c_fail "$T/cw_compat" open /var/run/secrets/eks.amazonaws.com/serviceaccount/token
	fi
	agent_stop

	check_eq "$m the triggers ran" \
		"$(cat "$FN_RUN/handle.out" "$FN_RUN/handle2.out" "$FN_RUN/fixed.out" "$FN_RUN/alloc.out" | tr '\n' ' ')" \
		"opened opened fixed 3 fixed 0 "
	ref=$(ev_of plain | jq -c '[.file.dev,.file.ino]')
	check "$m the plain read is an irsa_token event" test -n "$ref"
	# expect TAG SYSCALL EXTRA-JQ EXTRA-WANT: one foreign irsa_token read of the victim's
	expect() {
		local tag=$1 sys=$2 ev
		ev=$(ev_of "$tag")
		check_eq "$m $tag: exactly one file_open" "$(grep -c . <<<"$ev")" 1
		check_eq "$m $tag: irsa_token of the victim, $sys, foreign_token_read/critical" \
			"$(jq -c '[.file.kind,.file.owner.pod_uid,.file.syscall,.finding.rule,.finding.severity]' <<<"$ev")" \
			"[\"irsa_token\",\"$POD_victim_UID\",\"$sys\",\"foreign_token_read\",\"critical\"]"
		check_eq "$m $tag: the same file as a plain read" "$(jq -c '[.file.dev,.file.ino]' <<<"$ev")" "$ref"
		check_eq "$m $tag: attributed to the thief" "$(jq -r .pod.uid <<<"$ev")" "$POD_thief_UID"
		[ -n "${3-}" ] && check_eq "$m $tag: $3" "$(jq -c "$3" <<<"$ev")" "$4"
	}
	expect handle open_by_handle_at '.file.requested_path' '""'
	expect handle2 open_by_handle_at
	# the fixed-file slot is known where io_uring's completion is the hook (tracepoint kernels);
	# a VFS hook sees the open itself, from the io_uring worker or the submitter
	if [ "$hook" = tracepoint ]; then
		expect fixed io_uring '[.file.fixed_file,.file.compat]' '[true,null]'
		expect alloc io_uring '.file.fixed_file' true
	else
		expect fixed io_uring '.file.fixed_file' null
		expect alloc io_uring
	fi
	if [ "$compat" = yes ]; then
		expect c_open open '[.file.compat,.file.requested_path]' "[true,\"$TOKEN\"]"
		expect c_openat openat '[.file.compat,.file.requested_path]' "[true,\"$TOKEN\"]"
		for t in c_conn c_sockcall; do
			check_eq "$m $t: $(cat "$FN_RUN/$t.out")" "$(cat "$FN_RUN/$t.out")" connected
			check_eq "$m $t: a compat connect to the runtime socket, credential_socket_access" \
				"$(sev_of $t | jq -c '[.socket.kind,.socket.syscall,.socket.compat,.socket.resolved,.finding.rule]')" \
				'["container_runtime","connect",true,true,"credential_socket_access"]'
		done
		check_eq "$m c_fail: a failed compat open of a token path: audit, compat" \
			"$(ev_of c_fail | jq -c '[.file.kind,.file.result,.file.syscall,.file.compat,has("finding")]')" \
			'["irsa_token","ENOENT","open",true,false]'
		check "$m the kernel counted compat opens ($(jq -c 'select(.event=="agent_stats") | .file_hooks' "$AGENT_OUT"))" \
			test "$(jq 'select(.event=="agent_stats") | .file_hooks.compat_opens' "$AGENT_OUT")" -ge 3
	else
		# no i386 entry point at all (int $0x80 faults): there is nothing to observe
		check_eq "$m without i386 emulation the compat open faults before opening" \
			"$(run c_probe "$T/cw_compat" open "$TOKEN"; cat "$FN_RUN/c_probe.out")" no-compat
		skip "$m compat open/openat/connect/socketcall events (this kernel has no i386 syscalls)"
	fi
	if [ "$hook" = tracepoint ]; then
		check_eq "$m fixed-file opens were looked up in the ring's table, none unseen" \
			"$(jq -c 'select(.event=="agent_stats") | [.file_hooks.uring_fixed_opens >= 2, .file_hooks.uring_fixed_unseen]' "$AGENT_OUT")" \
			'[true,0]'
	fi
	check_eq "$m no drops" "$(jq -c 'select(.event=="agent_stats") | .drops.ringbuf_full' "$AGENT_OUT")" 0
	leaks=0
	while read -r sig; do
		[ -n "$sig" ] && grep -qF "$sig" "$AGENT_OUT" "$AGENT_ERR" && leaks=$((leaks + 1))
	done <"$FN_RUN/secrets"
	check_eq "$m no token signature in the output" "$leaks" 0
done
finish
