# shellcheck shell=bash
# Helpers for integration tests: run the real agent, check its output.
# Source after tests/lib/fakenode.sh (uses fn_on_cleanup and $FN_RUN).

CREDWATCH=${CREDWATCH:-$PWD/build/credwatch}
VALIDATE=${VALIDATE:-$PWD/tests/lib/validate_events.py}
CHECKS_FAILED=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; CHECKS_FAILED=$((CHECKS_FAILED + 1)); }

# check DESC CMD...: PASS if CMD succeeds
check() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# jqtrue FILTER: the JSON on stdin makes FILTER true (for check DESC jqtrue FILTER <<<"$json")
jqtrue() {
	jq -e "$1" >/dev/null
}

# check_eq DESC GOT WANT
check_eq() {
	if [ "$2" == "$3" ]; then pass "$1"; else fail "$1 (got '$2', want '$3')"; fi
}

# kernel_has_connect_unix: is the running kernel 6.7 or later (cgroup/connect_unix)? From
# uname, not from the agent, so the tests can check the agent's own choice against it.
kernel_has_connect_unix() {
	local maj min
	IFS=. read -r maj min _ <<<"$(uname -r)"
	((maj > 6 || (maj == 6 && min >= 7)))
}

# kernel_trampolines: does the running kernel attach BPF trampolines (fexit) to the syscalls'
# entry functions? "yes" or "no: <why>", from the tests' own probe (build/tests/cw_fexit_probe),
# not from the agent, so the tests can check the agent's choice against it (issue 19: where they
# work, the agent attaches no syscall tracepoint).
kernel_trampolines() {
	build/tests/cw_fexit_probe 2>&1
}

# syscall_fn NAME: the 64-bit syscall NAME's entry function on this architecture
syscall_fn() {
	case $(uname -m) in
	x86_64) echo "__x64_sys_$1" ;;
	aarch64) echo "__arm64_sys_$1" ;;
	*) echo "unknown-arch_sys_$1" ;;
	esac
}

# agent_start [credwatch run args...]: start the agent writing to $AGENT_OUT,
# wait for agent_ready.
agent_start() {
	AGENT_OUT=${AGENT_OUT:-$FN_RUN/events.json}
	AGENT_ERR=$FN_RUN/agent.err
	: >"$AGENT_OUT"
	"$CREDWATCH" run --output "$AGENT_OUT" "$@" 2>"$AGENT_ERR" &
	AGENT_PID=$!
	fn_on_cleanup agent_kill
	local i
	for i in $(seq 1 100); do
		if grep -q '"event":"agent_ready"' "$AGENT_OUT" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$AGENT_PID" 2>/dev/null; then
			echo "agent exited before agent_ready:" >&2
			cat "$AGENT_ERR" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "agent not ready after 10 s" >&2
	cat "$AGENT_ERR" >&2
	return 1
}

agent_kill() {
	if [ -n "${AGENT_PID:-}" ] && kill -0 "$AGENT_PID" 2>/dev/null; then
		kill -TERM "$AGENT_PID" 2>/dev/null
		wait "$AGENT_PID" 2>/dev/null
	fi
	AGENT_PID=
}

# agent_stop: SIGTERM, wait, check exit status 0 and a schema-valid complete output.
agent_stop() {
	local rc=0
	kill -TERM "$AGENT_PID"
	wait "$AGENT_PID" || rc=$?
	AGENT_PID=
	check_eq "agent exits 0 on SIGTERM" "$rc" 0
	if "$VALIDATE" "$AGENT_OUT" --complete; then
		pass "every output line validates against the schema"
	else
		fail "output does not validate against the schema"
	fi
}

# events [JQ-FILTER]: the event lines (compact JSON) matching a jq select()
events() {
	jq -c "select(${1:-true})" "$AGENT_OUT"
}

count_events() {
	jq -c "select(${1:-true})" "$AGENT_OUT" | wc -l
}

# finish: exit status for the test script
finish() {
	[ "$CHECKS_FAILED" -eq 0 ]
}
