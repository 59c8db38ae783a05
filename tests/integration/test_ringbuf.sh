#!/bin/bash
# Loss accounting: with a one-page ring buffer and a burst of 3000 UDP
# connects to IMDS from a fake pod (inside its own netns), some events must be
# lost, and every one must be accounted for: events emitted + ringbuf_full
# drops == connects made. Nothing is lost silently.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
CONNECT=$PWD/build/tests/cw_connect
N=3000

fn_init || exit 1
fn_pod burst || exit 1
agent_start --ringbuf-size 4096 || exit 1
made=$(fn_in_pod burst sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/burst.pid" "$CONNECT" -u -n $N 169.254.169.254 80)
pid=$(cat "$FN_RUN/burst.pid")
check_eq "the burst made $N connects" "$made" "$N"
agent_stop

got=$(count_events ".event==\"endpoint_connect\" and .process.pid==$pid")
drops=$(jq -s '[.[]|select(.event=="agent_stats")][-1].drops.ringbuf_full' "$AGENT_OUT")
others=$(count_events ".event==\"endpoint_connect\" and .process.pid!=$pid")
echo "burst: $got events, $drops drops, $others other events"
check "the tiny ring buffer overflowed and the drops are reported (drops > 0)" test "$drops" -gt 0
check "some events still came through" test "$got" -gt 0
# drops are node-wide: other endpoint connects during the test could add to
# them, so account for those too (normally 0)
check "emitted + dropped >= connects made ($got + $drops >= $N)" test $((got + drops)) -ge "$N"
check "emitted + dropped <= connects made + other endpoint events" \
	test $((got + drops)) -le $((N + others + 64))
check_eq "kernel_submitted equals what the agent emitted" \
	"$(jq -s '[.[]|select(.event=="agent_stats")][-1].kernel_submitted.endpoint_connect' "$AGENT_OUT")" \
	"$(count_events '.event=="endpoint_connect"')"
finish
