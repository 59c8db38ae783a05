#!/bin/bash
# Credential socket connects, identified by the socket file the kernel
# connected to: a simulated containerd socket (in the fake node's root, so
# the agent watches it through --host-root) reached from a pod at its default
# path /run/containerd/containerd.sock, through a symlink, and through a
# relative path, gives socket_connect/container_runtime each time; a connect
# to an unwatched unix socket gives nothing; a failed connect to a runtime
# socket path is reported with its errno.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
PY=/usr/bin/python3

fn_init || exit 1
fn_root
fn_pod app || exit 1
mkdir -p "$FN_ROOT/run/containerd" "$FN_RUN/plain"
$PY tests/lib/unixserver.py "$FN_ROOT/run/containerd/containerd.sock" "$FN_RUN/plain/app.sock" &
fn_track_pid $!
for _ in $(seq 50); do [ -e "$FN_ROOT/run/containerd/containerd.sock.ready" ] && break; sleep 0.1; done
check "simulated containerd socket is listening" test -S "$FN_ROOT/run/containerd/containerd.sock"
# every spelling of the connect must be its own event: no folding here
printf '{"policy": {"fold_window_seconds": 0}}\n' >"$FN_RUN/nofold.json"

CONNECT='import socket,sys; s=socket.socket(socket.AF_UNIX); p=sys.argv[1]
if p.startswith("@"): p="\0"+p[1:]
try: s.connect(p)
except OSError as e: print(e)'
run() {
	local tag=$1
	shift
	FN_BINDS="$FN_ROOT/run/containerd:/run/containerd" fn_in_container app \
		sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid" "$@" >/dev/null 2>&1
}
pid_of() { cat "$FN_RUN/$1.pid"; }
ln -s "$FN_ROOT/run/containerd/containerd.sock" "$FN_RUN/innocent-name"

TRAMP=$(kernel_trampolines)
echo "BPF trampolines on this kernel: $TRAMP"
# expected default: connect_unix from kernel 6.7 on (decided from uname, not the agent)
if kernel_has_connect_unix; then
	modes=(default:connect_unix socket=tracepoint:tracepoint)
else
	modes=(default:tracepoint)
fi

scenario() {
	local mode=${1%%:*} want=${1#*:} m
	local args=(--host-root "$FN_ROOT" --config "$FN_RUN/nofold.json")
	[ "$mode" != default ] && args+=(--hooks "$mode")
	m="[$mode]"
	agent_start "${args[@]}" || return 1
	check_eq "$m agent_ready lists the watched runtime socket" \
		"$(jq -r 'select(.event=="agent_ready") | .config.sockets[]' "$AGENT_OUT")" /run/containerd/containerd.sock
	check_eq "$m socket hook chosen" \
		"$(jq -r 'select(.event=="agent_ready") | .hook_selection.socket.chosen' "$AGENT_OUT")" "$want"
	if [ "$want" = connect_unix ]; then
		check_eq "$m cgroup/connect_unix attached at the cgroup root" \
			"$(jq -r 'select(.event=="agent_ready") | .hooks[] | select(.hook=="cgroup/connect_unix") | .family' "$AGENT_OUT")" socket
	else
		check_eq "$m no cgroup/connect_unix attached" \
			"$(jq -r 'select(.event=="agent_ready") | [.hooks[] | select(.hook=="cgroup/connect_unix")] | length' "$AGENT_OUT")" 0
	fi

	# issue 19: connect's exit by fexit on its entry function where the kernel attaches BPF
	# trampolines and the file hook is not forced to tracepoints (the test's own probe)
	if [ "$TRAMP" = yes ]; then
		check_eq "$m connect's exit: fexit on $(syscall_fn connect), no syscall tracepoint" \
			"$(jq -c --arg fn "fexit/$(syscall_fn connect)" 'select(.event=="agent_ready") | [.hooks[] | select(.hook | startswith("tp/syscalls/") or . == $fn) | [.family,.hook]]' "$AGENT_OUT")" \
			"[[\"socket\",\"fexit/$(syscall_fn connect)\"]]"
	else
		check_eq "$m connect's exit: tp/syscalls/sys_exit_connect" \
			"$(jq -c --arg fn "fexit/$(syscall_fn connect)" 'select(.event=="agent_ready") | [.hooks[] | select(.hook == "tp/syscalls/sys_exit_connect" or .hook == $fn) | [.family,.hook]]' "$AGENT_OUT")" \
			'[["socket","tp/syscalls/sys_exit_connect"]]'
	fi

	run default $PY -c "$CONNECT" /run/containerd/containerd.sock
	run symlink $PY -c "$CONNECT" "$FN_RUN/innocent-name"
	run relative sh -c "cd /run/containerd && exec $PY -c '$CONNECT' ./containerd.sock"
	run hostpath $PY -c "$CONNECT" "$FN_ROOT/run/containerd/containerd.sock"
	run plain $PY -c "$CONNECT" "$FN_RUN/plain/app.sock"
	run failed $PY -c "$CONNECT" /run/crio/crio.sock
	run abstract $PY -c "$CONNECT" @credwatch-test-abstract.sock
	agent_stop

	ev_of() { events ".event==\"socket_connect\" and .process.pid==$(pid_of "$1")"; }
	local ref= t
	for t in default symlink relative hostpath; do
		check_eq "$m $t: one socket_connect, container_runtime, succeeded, resolved from the peer, syscall connect" \
			"$(ev_of $t | jq -c '[.socket.kind,.socket.success,.socket.resolved,.socket.path,.socket.syscall]' | tr '\n' ' ')" \
			'["container_runtime",true,true,"/run/containerd/containerd.sock","connect"] '
		[ -z "$ref" ] && ref=$(ev_of $t | jq -c '[.socket.dev,.socket.ino]')
		check_eq "$m $t: same socket inode" "$(ev_of $t | jq -c '[.socket.dev,.socket.ino]')" "$ref"
	done
	check_eq "$m symlink: the requested path is kept as advisory" "$(ev_of symlink | jq -r .socket.requested_path)" "$FN_RUN/innocent-name"
	check_eq "$m relative: the requested path is kept as advisory" "$(ev_of relative | jq -r .socket.requested_path)" ./containerd.sock
	check_eq "$m unwatched unix socket: no event" "$(count_events ".process.pid==$(pid_of plain)")" 0
	check_eq "$m failed abstract-namespace connect: no event" "$(count_events ".process.pid==$(pid_of abstract)")" 0
	check_eq "$m failed connect to /run/crio/crio.sock: reported unresolved with errno" \
		"$(ev_of failed | jq -c '[.socket.kind,.socket.success,.socket.resolved,.socket.result,.socket.requested_path]')" \
		'["container_runtime",false,false,"ENOENT","/run/crio/crio.sock"]'
	check_eq "$m no drops" "$(jq -s '[.[]|select(.event=="agent_stats")][-1].drops.ringbuf_full' "$AGENT_OUT")" 0
	mv "$AGENT_OUT" "$AGENT_OUT.$mode"
}

for mode in "${modes[@]}"; do
	scenario "$mode" || exit 1
done
finish
