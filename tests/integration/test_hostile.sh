#!/bin/bash
# Hostile process names and argv (newline, quotes, backslash, invalid UTF-8,
# a 4 KiB argument, 40 arguments) come out escaped and bounded: one valid
# JSON line per event, never a broken or split line.
# Network: the one connect is made by fn_in_pod inside the pod's own netns
# (ip netns, built by fakenode.sh), where the endpoint address is local.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh

fn_init || exit 1
fn_pod evil || exit 1
agent_start || exit 1

bad=$(printf '%s/bad\n"q\\\xff' "$FN_RUN")
cp build/tests/cw_connect "$bad"
big=$(head -c 4096 /dev/zero | tr '\0' 'A')
many=()
for i in $(seq 1 40); do many+=("arg$i"); done
odd=$(printf 'x\ny"z\\\xc3\x28\xed\xa0\x80')
fn_in_pod evil sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/evil.pid" "$bad" \
	169.254.169.254 80 "$odd" "$big" "${many[@]}" >/dev/null 2>&1
pid=$(cat "$FN_RUN/evil.pid")
agent_stop

check_eq "one event from the hostile-named process" "$(count_events ".process.pid==$pid")" 1
ev=$(events ".process.pid==$pid")
check_eq "comm decoded: newline, quote, backslash kept; invalid byte replaced" \
	"$(jq -ac .process.comm <<<"$ev")" '"bad\n\"q\\\ufffd"'
check "the event is one line of JSON with no raw control bytes, under 16 KiB" \
	/usr/bin/python3 -c 'import sys,json; l=sys.argv[1]; assert len(l.encode()) < 16384 and all(ord(c)>=0x20 for c in l); json.loads(l)' "$ev"
check_eq "exe: the hostile file name, escaped" "$(jq -r '.process.exe | endswith("/bad\n\"q\\\ufffd")' <<<"$ev")" true
check_eq "args: at most 8, marked truncated" "$(jq -c '[(.process.args|length) <= 8, .process.args_truncated]' <<<"$ev")" '[true,true]'
check_eq "args[3]: control bytes escaped, invalid UTF-8 replaced" \
	"$(jq -ac '.process.args[3]' <<<"$ev")" '"x\ny\"z\\\ufffd(\ufffd\ufffd\ufffd"'
check "args[4] (4 KiB of A) is cut by the 512-byte argv bound" \
	test "$(jq -r '.process.args[4] | length' <<<"$ev")" -lt 512
check "every line of the run validates (schema, UTF-8, line bound)" "$VALIDATE" "$AGENT_OUT" --complete
finish
