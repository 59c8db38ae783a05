#!/bin/bash
# Periodic stats and `credwatch health` (issue 15 items 1 and 2):
#   - --stats-interval 1 --duration 5: at least 4 schema-valid agent_stats lines; the
#     cumulative counters never decrease; each line's "interval" is the change since the
#     previous line (events, drops, errors) and about a second long;
#   - health: exit 0 while the agent runs; under SIGSTOP it turns to 1 (stale heartbeat), after
#     SIGCONT back to 0; a hook detached with `bpftool link detach` turns it to 1 naming the
#     hook; a ring buffer that drops records in 3 consecutive intervals turns it to 1 (not
#     --liveness), and one clean interval turns it back; after the agent stops: 1;
#   - health's bad usage: exit 2.
# Network: connects run in the pod's own network namespace (fakenode.sh) only.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
CONNECT=$PWD/build/tests/cw_connect

fn_init || exit 1
fn_pod hp || { fail "pod setup"; exit 1; }
burst() { fn_in_pod hp "$CONNECT" -u -n "$1" 169.254.169.254 80 >/dev/null; }
# health ARGS...: prints "RC MESSAGE"
health() {
	local rc=0 msg
	msg=$("$CREDWATCH" health "$@" 2>&1) || rc=$?
	echo "$rc $msg"
}

# --- periodic stats -----------------------------------------------------------------------------
AGENT_OUT=$FN_RUN/stats.json
"$CREDWATCH" run --output "$AGENT_OUT" --stats-interval 1 --duration 5 --status-file "$FN_RUN/s0.json" 2>"$FN_RUN/stats.err" &
spid=$!
fn_track_pid "$spid"
for _ in $(seq 100); do grep -q agent_ready "$AGENT_OUT" 2>/dev/null && break; sleep 0.1; done
for _ in 1 2 3 4 5 6 7 8; do
	burst 20
	sleep 0.5
done
rc=0
wait "$spid" || rc=$?
check_eq "--duration 5: exit 0" "$rc" 0
check "every line schema-valid, agent_ready first, agent_stats last" "$VALIDATE" "$AGENT_OUT" --complete
n=$(count_events '.event=="agent_stats"')
check "--stats-interval 1 --duration 5: at least 4 agent_stats lines ($n)" test "$n" -ge 4
check "the cumulative counters never decrease, each interval is the change since the previous line" \
	/usr/bin/python3 - "$AGENT_OUT" <<'EOF'
import json, sys
stats = [e for e in map(json.loads, open(sys.argv[1])) if e["event"] == "agent_stats"]
bad = []
def leaves(o, p=""):
    for k, v in o.items():
        if isinstance(v, dict):
            yield from leaves(v, p + k + ".")
        elif isinstance(v, int) and not isinstance(v, bool):
            yield p + k, v
# cumulative: everything in these objects (open_windows is a gauge)
CUM = ("events", "drops", "errors", "kernel_submitted", "truncations", "http", "finding_counts")
prev = None
for i, s in enumerate(stats):
    cur = {k: v for k, v in leaves({c: s.get(c, {}) for c in CUM}) if not k.endswith("open_windows")}
    # interval.drops: the records lost (ring full, bad, output); the flood counters
    # (low_priority_refused, by_cgroup) are drops.* of their own
    d = s["drops"]
    sums = {"events": sum(s["events"].values()),
            "drops": d["ringbuf_full"] + d["bad_record"] + d["output_error"],
            "errors": sum(s["errors"].values())}
    iv = s["interval"]
    if prev:
        for k, v in cur.items():
            if v < prev[0].get(k, 0):
                bad.append("line %d: %s went down %d -> %d" % (i, k, prev[0][k], v))
        for k in sums:
            if iv[k] != sums[k] - prev[1][k]:
                bad.append("line %d: interval.%s %d != %d" % (i, k, iv[k], sums[k] - prev[1][k]))
        if i < len(stats) - 1 and not 500 <= iv["ms"] <= 3000:
            bad.append("line %d: interval.ms %d" % (i, iv["ms"]))
    elif any(iv[k] != sums[k] for k in sums):
        bad.append("first line: interval %s != totals %s" % (iv, sums))
    prev = (cur, sums)
if sum(s["interval"]["events"] for s in stats) < 160:
    bad.append("the 160 connects are not in the intervals")
print("\n".join(bad) or "ok: %d lines" % len(stats))
sys.exit(1 if bad else 0)
EOF

# --- health: SIGSTOP / SIGCONT ------------------------------------------------------------------
ST=$FN_RUN/status.json
AGENT_OUT=$FN_RUN/health.json
agent_start --status-file "$ST" --stats-interval 1 || exit 1
r=$(health --status-file "$ST")
check "running: health 0 ($r)" test "${r%% *}" = 0
# without CAP_SYS_ADMIN (the README's least-privilege set) links are looked up in the agent's
# /proc/PID/fdinfo instead of by id
health_noadmin() {
	local rc=0 msg
	msg=$(setpriv --bounding-set -sys_admin --inh-caps -sys_admin "$CREDWATCH" health "$@" 2>&1) || rc=$?
	echo "$rc $msg"
}
r=$(health_noadmin --status-file "$ST")
check "running, no CAP_SYS_ADMIN: health 0 through fdinfo ($r)" \
	bash -c '[ "${1%% *}" = 0 ] && grep -q "(hooks checked in /proc/PID/fdinfo)$" <<<"$1"' _ "$r"
kill -STOP "$AGENT_PID"
sleep 3.5
r=$(health --status-file "$ST" --max-age 2)
check "SIGSTOP: health 1, stale heartbeat ($r)" bash -c '[ "${1%% *}" = 1 ] && grep -q "heartbeat is [0-9.]* s old (limit 2.0 s)" <<<"$1"' _ "$r"
r=$(health --status-file "$ST" --max-age 2 --liveness)
check "SIGSTOP: --liveness too ($r)" test "${r%% *}" = 1
kill -CONT "$AGENT_PID"
ok=
for _ in $(seq 50); do
	r=$(health --status-file "$ST" --max-age 2)
	[ "${r%% *}" = 0 ] && { ok=1; break; }
	sleep 0.1
done
check "SIGCONT: health back to 0 ($r)" test -n "$ok"

# --- health: a hook detached ---------------------------------------------------------------------
id=$(jq -r '.links[] | select(.hook=="cgroup/connect4") | .id' "$ST")
check "the status file names the connect4 link ($id)" test -n "$id"
check_eq "bpftool sees that link on the agent's program" \
	"$(bpftool link show id "$id" -j | jq -r .prog_id)" "$(jq -r '.links[] | select(.hook=="cgroup/connect4") | .prog_id' "$ST")"
bpftool link detach id "$id"
r=$(health --status-file "$ST" --liveness)
check "detached: health 1, names the hook ($r)" \
	bash -c '[ "${1%% *}" = 1 ] && grep -q "hook cgroup/connect4 (BPF link $2) is detached" <<<"$1"' _ "$r" "$id"
r=$(health_noadmin --status-file "$ST" --liveness)
check "detached, no CAP_SYS_ADMIN: fdinfo shows it too ($r)" \
	bash -c '[ "${1%% *}" = 1 ] && grep -q "hook cgroup/connect4 (BPF link $2) is detached" <<<"$1"' _ "$r" "$id"
agent_stop

r=$(health --status-file "$ST")
check "stopped: health 1, no status file ($r)" bash -c '[ "${1%% *}" = 1 ] && grep -q "no status file" <<<"$1"' _ "$r"
check "stopped: the agent removed its status file" test ! -e "$ST"

# --- health: ring-buffer drops in consecutive intervals -------------------------------------------
AGENT_OUT=$FN_RUN/drops.json
agent_start --status-file "$ST" --stats-interval 1 --ringbuf-size 4096 || exit 1
fn_in_pod hp sh -c 'while [ ! -e "$1" ]; do "$2" -u -n 3000 169.254.169.254 80 >/dev/null; done' \
	_ "$FN_RUN/flood.stop" "$CONNECT" >/dev/null 2>&1 &
flood=$!
bad=
for _ in $(seq 100); do
	r=$(health --status-file "$ST")
	[ "${r%% *}" = 1 ] && { bad=1; break; }
	sleep 0.2
done
check "flood: health 1 after 3 intervals with drops ($r)" \
	bash -c '[ -n "$1" ] && grep -q "the ring buffer dropped records in [0-9]* consecutive intervals of 1 s (limit 3)" <<<"$2"' _ "$bad" "$r"
r=$(health --status-file "$ST" --liveness)
check "flood: --liveness stays 0 ($r)" test "${r%% *}" = 0
r=$(health --status-file "$ST" --max-drop-intervals 0)
check "flood: --max-drop-intervals 0 ignores drops ($r)" test "${r%% *}" = 0
touch "$FN_RUN/flood.stop"
wait "$flood"
ok=
for _ in $(seq 50); do
	r=$(health --status-file "$ST")
	[ "${r%% *}" = 0 ] && { ok=1; break; }
	sleep 0.2
done
check "flood over: health back to 0 after a clean interval ($r)" test -n "$ok"
agent_stop
check "agent_stats reported the drop streak (max $(jq -s '[.[] | select(.event=="agent_stats") | .ringbuf_drop_intervals] | max' "$AGENT_OUT"))" \
	test "$(jq -s '[.[] | select(.event=="agent_stats") | .ringbuf_drop_intervals] | max' "$AGENT_OUT")" -ge 3
check "and per-interval drops" test "$(jq -s '[.[] | select(.event=="agent_stats") | .interval.drops] | max' "$AGENT_OUT")" -gt 0

# --- usage --------------------------------------------------------------------------------------
r=$(health --max-age abc)
check "health --max-age abc: exit 2" test "${r%% *}" = 2
r=$(health --frob)
check "health --frob: exit 2, names it ($r)" bash -c '[ "${1%% *}" = 2 ] && grep -q "unknown option .--frob." <<<"$1"' _ "$r"
finish
