#!/bin/bash
# Bad input to the agent: unknown options, invalid values, missing output
# directory, missing/malformed config, missing privileges. Each gets a clear
# one-line error (naming the option, file:line:column, or what is missing)
# and the documented exit code, before anything is loaded.
# Network: sends nothing; the endpoint addresses here are config-file input only.
# (Tests that talk to an endpoint do it inside a pod netns built by fakenode.sh.)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh

fn_init || exit 1

# expect_fail DESC WANT_RC GREP_PATTERN ARGS...
expect_fail() {
	local desc=$1 want=$2 pat=$3 rc=0 err
	shift 3
	err=$(timeout 20 "$CREDWATCH" "$@" 2>&1 >"$FN_RUN/stdout") || rc=$?
	check_eq "$desc: exit code" "$rc" "$want"
	if grep -qE -- "$pat" <<<"$err"; then
		pass "$desc: message names the problem"
	else
		fail "$desc: message '$err' does not match /$pat/"
	fi
	check_eq "$desc: nothing on stdout" "$(cat "$FN_RUN/stdout")" ""
}

expect_fail "no command" 2 "usage: credwatch"
expect_fail "unknown command" 2 "unknown command 'frobnicate'" frobnicate
expect_fail "unknown option" 2 "unknown option '--frob'.*" run --frob
expect_fail "unknown option usage line" 2 "^usage: credwatch run" run --frob
expect_fail "missing value" 2 "option '--duration' needs a value" run --duration
expect_fail "bad duration" 2 "invalid value for --duration: 'abc'" run --duration abc
expect_fail "negative duration" 2 "invalid value for --duration: '-1'" run --duration -1
expect_fail "bad ringbuf size" 2 "invalid value for --ringbuf-size: '5000'.*power of two" run --ringbuf-size 5000
expect_fail "ringbuf too small" 2 "invalid value for --ringbuf-size: '1024'" run --ringbuf-size 1024
expect_fail "bad hook family" 2 "invalid value for --hooks: 'net=foo'" run --hooks net=foo
expect_fail "bad hook in a list" 2 "invalid value for --hooks: 'file=tracepoint,socket=kprobe'" \
	run --hooks file=tracepoint,socket=kprobe
expect_fail "empty hook item" 2 "invalid value for --hooks: 'file=tracepoint,'" run --hooks file=tracepoint,
# both families forced in one option: both are what agent_ready reports
"$CREDWATCH" run --duration 0.5 --output "$FN_RUN/hooks.json" --hooks file=tracepoint,socket=tracepoint 2>/dev/null
check_eq "--hooks file=tracepoint,socket=tracepoint: both forced" \
	"$(jq -c 'select(.event=="agent_ready") | [.hook_selection.file.chosen,.hook_selection.socket.chosen,.hook_selection.socket.reason]' "$FN_RUN/hooks.json")" \
	'["tracepoint","tracepoint","forced with --hooks"]'
# socket=connect_unix forced: an error naming the reason before 6.7 (from uname, not the agent)
if kernel_has_connect_unix; then
	"$CREDWATCH" run --duration 0.5 --output "$FN_RUN/hooks2.json" --hooks socket=connect_unix 2>/dev/null
	check_eq "--hooks socket=connect_unix on $(uname -r): chosen, forced" \
		"$(jq -c 'select(.event=="agent_ready") | [.hook_selection.socket.chosen,.hook_selection.socket.reason]' "$FN_RUN/hooks2.json")" \
		'["connect_unix","forced with --hooks"]'
else
	expect_fail "--hooks socket=connect_unix on $(uname -r)" 1 \
		"refuses cgroup/connect_unix programs: Invalid argument \(it needs kernel 6.7 or later\)" \
		run --duration 0.5 --hooks socket=connect_unix
fi
expect_fail "stray argument" 2 "unexpected argument 'extra'" run extra
expect_fail "missing output dir" 1 "--output /nonexistent-cw/x.json: directory /nonexistent-cw does not exist" \
	run --output /nonexistent-cw/x.json --duration 1
expect_fail "missing config" 2 "invalid configuration: $FN_RUN/none.json" run --config "$FN_RUN/none.json"

printf '{\n  "endpoints": [\n    {"address": "169.254.169.254", "port": 80,}\n  ]\n}\n' >"$FN_RUN/bad.json"
expect_fail "malformed config names line and column" 2 "bad.json:3:[0-9]+: " run --config "$FN_RUN/bad.json"
printf '{"endpoints": [], "frobs": 1}\n' >"$FN_RUN/unknown.json"
expect_fail "unknown config key" 2 'unknown key "frobs"' run --config "$FN_RUN/unknown.json"
printf '{"extra_endpoints": [{"address": "10.1.2.3", "port": "80"}]}\n' >"$FN_RUN/type.json"
expect_fail "wrong type in config" 2 'extra_endpoints\[0\]\.port: must be an integer' run --config "$FN_RUN/type.json"
printf '{"extra_endpoints": [{"address": "not-an-ip"}]}\n' >"$FN_RUN/addr.json"
expect_fail "bad address in config" 2 'extra_endpoints\[0\]\.address: not an IPv4/IPv6 address' run --config "$FN_RUN/addr.json"

# not root: an unprivileged user gets told which capabilities are missing
if command -v setpriv >/dev/null; then
	rc=0
	err=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$CREDWATCH" run --duration 1 2>&1 >/dev/null) || rc=$?
	check_eq "unprivileged: exit code" "$rc" 1
	if grep -q "missing capabilities: CAP_BPF" <<<"$err"; then pass "unprivileged: names the missing capabilities"; else fail "unprivileged: '$err'"; fi
fi

# a valid config is accepted and its endpoints are reported in agent_ready
printf '{"extra_endpoints": [{"address": "10.99.0.1", "port": 8080, "kind": "other", "name": "vault"}]}\n' >"$FN_RUN/good.json"
AGENT_OUT=$FN_RUN/good.out
if "$CREDWATCH" run --config "$FN_RUN/good.json" --duration 0.5 --output "$AGENT_OUT" 2>"$FN_RUN/good.err"; then
	pass "valid config accepted"
else
	fail "valid config rejected: $(cat "$FN_RUN/good.err")"
fi
check_eq "user endpoint listed in agent_ready" \
	"$(jq -c 'select(.event=="agent_ready") | .config.endpoints[] | select(.name=="vault") | [.kind,.addr,.port]' "$AGENT_OUT")" \
	'["other","10.99.0.1",8080]'
check "--duration run output validates" "$VALIDATE" "$AGENT_OUT" --complete
finish
