#!/bin/bash
# The output path under bad conditions (issue 15 item 6, issue 17 item 4):
#   - --output FILE.jsonl.gz of an agent killed with SIGKILL decompresses (zcat), with every
#     event made before its last flush; `credwatch health` then says the agent is gone;
#   - --output-max-size / --output-keep rotate and keep exactly N files, plain and gzip;
#   - mv FILE, SIGHUP: a new FILE starts with config_reloaded; the lines of both files are
#     the final agent_stats' output.lines_written (+ itself), no event lost; plain and gzip;
#   - a small tmpfs filled up: lines are counted as lost, never silently; health says the
#     output fails; when space is back an output_recovered line says how many were lost;
#     lines in the file + lines lost = lines the pipeline produced; exit 1 with the count;
#   - stdout closed by its reader (| head -1): exit 1 at once, "closed by its reader";
#   - --config naming a FIFO is refused at once; an unbounded socket glob is refused at start
#     with file:line:col; a bounded one over /proc becomes ready, warns that it was cut, and
#     SIGTERM still ends the agent promptly.
# Network: connects run in the pod's own network namespace (fakenode.sh) only.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
CONNECT=$PWD/build/tests/cw_connect

fn_init || exit 1
fn_pod out || { fail "pod setup"; exit 1; }
D=$FN_RUN/out
mkdir -p "$D"

jq_true() { jq -e "$@" >/dev/null; }
# connects TAG N: N UDP connects to IMDS from the pod, one process (pid in $FN_RUN/TAG.pid)
connects() {
	local made
	made=$(fn_in_pod out sh -c 'echo $$ >"$0"; exec "$1" -u -n "$2" 169.254.169.254 80' \
		"$FN_RUN/$1.pid" "$CONNECT" "$2")
	[ "$made" = "$2" ] || echo "connects $1: made '$made' of $2" >&2
}
# lines FILE...: lines of the files (gzip or not)
lines() { zcat -f "$@" 2>/dev/null | wc -l; }
# pid_events TAG FILE...: endpoint_connect lines of that process
pid_events() {
	local pid
	pid=$(cat "$FN_RUN/$1.pid")
	shift
	zcat -f "$@" 2>/dev/null | jq -c "select(.event==\"endpoint_connect\" and .process.pid==$pid)" | wc -l
}
# start_agent ARGS...: agent_start for any output (gzip too): waits for agent_ready via zcat
start_agent() {
	AGENT_ERR=$FN_RUN/agent.err
	: >"$AGENT_OUT"
	"$CREDWATCH" run --output "$AGENT_OUT" "$@" 2>"$AGENT_ERR" &
	AGENT_PID=$!
	fn_on_cleanup agent_kill
	wait_line "$AGENT_OUT" '.event=="agent_ready"' && return 0
	echo "agent not ready after 10 s:" >&2
	cat "$AGENT_ERR" >&2
	return 1
}
# stop_check DESC FILE...: SIGTERM, exit 0, the files (oldest first, gzip or not) together
# are a complete schema-valid run
stop_check() {
	local desc=$1 rc=0
	shift
	kill -TERM "$AGENT_PID"
	wait "$AGENT_PID" || rc=$?
	AGENT_PID=
	check_eq "$desc: exit 0 on SIGTERM" "$rc" 0
	zcat -f "$@" >"$FN_RUN/joined.jsonl"
	check "$desc: every line schema-valid" "$VALIDATE" "$FN_RUN/joined.jsonl"
}
wait_line() { # FILE JQ-FILTER [TENTHS]
	for _ in $(seq "${3:-100}"); do
		# (not jq -e: jq 1.6 exits 0 on empty input)
		zcat -f "$1" 2>/dev/null | jq -c "select($2)" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# --- gzip, SIGKILL ------------------------------------------------------------------------------
AGENT_OUT=$D/kill.jsonl.gz
start_agent --status-file "$FN_RUN/kill.status" || exit 1
connects k1 200
sleep 2.5 # more than two gzip flush periods (1 s)
check "gzip: health is ok while it runs" "$CREDWATCH" health --status-file "$FN_RUN/kill.status"
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
zcat "$AGENT_OUT" >"$D/kill.txt" 2>"$D/kill.zcat-err"
check "gzip after SIGKILL: zcat reads it ($(head -c 200 "$D/kill.zcat-err"))" test -s "$D/kill.txt"
check "gzip after SIGKILL: every line is schema-valid" "$VALIDATE" "$D/kill.txt"
check_eq "gzip after SIGKILL: agent_ready is there" "$(jq -c 'select(.event=="agent_ready") | .event' "$D/kill.txt")" '"agent_ready"'
check_eq "gzip after SIGKILL: all 200 connects made before the last flush are there" "$(pid_events k1 "$AGENT_OUT")" 200
check "gzip after SIGKILL: the file is even complete gzip (a member per flush)" gzip -t "$AGENT_OUT"
rc=0
msg=$("$CREDWATCH" health --status-file "$FN_RUN/kill.status") || rc=$?
check_eq "health after SIGKILL: exit 1" "$rc" 1
check "health after SIGKILL: says the agent is not running ($msg)" grep -q "is not running" <<<"$msg"

# --- rotation --------------------------------------------------------------------------------------
for f in rot.jsonl rot.jsonl.gz; do
	AGENT_OUT=$D/$f
	# gzip: the same lines take about a tenth of the bytes
	max=16K
	[ "$f" != "${f%.gz}" ] && max=4K
	start_agent --output-max-size "$max" --output-keep 3 --status-file "$FN_RUN/rot.status" || exit 1
	for i in 1 2 3 4 5 6; do
		connects "r$i" 300
		sleep 0.3
	done
	stop_check "$f" "$AGENT_OUT"
	rot=$(jq -c 'select(.event=="agent_stats") | .output.rotations' <(zcat -f "$AGENT_OUT") | tail -1)
	base=${f%.gz}
	if [ "$f" = "$base" ]; then n() { echo "$D/$base.$1"; }; else n() { echo "$D/$base.$1.gz"; }; fi
	check "$f: rotated more often than it keeps files ($rot > 3)" test "${rot:-0}" -gt 3
	check "$f: exactly 3 rotated files kept" bash -c '[ -e "$1" ] && [ -e "$2" ] && [ -e "$3" ] && [ ! -e "$4" ]' _ "$(n 1)" "$(n 2)" "$(n 3)" "$(n 4)"
	for i in 1 2 3; do
		sz=$(stat -c %s "$(n $i)")
		lim=$((${max%K} * 1024))
		check "$f: rotated file $i is about the limit ($lim <= $sz <= $lim + one 64 KiB chunk)" \
			test "$sz" -ge "$lim" -a "$sz" -le $((lim + 65536 + 64))
		check "$f: rotated file $i is whole JSON lines" bash -c 'zcat -f "$1" | jq -e . >/dev/null' _ "$(n $i)"
	done
	[ "$f" != "$base" ] && check "$f: rotated gzip files are complete" gzip -t "$(n 1)" "$(n 2)" "$(n 3)"
	kept=$(lines "$(n 3)" "$(n 2)" "$(n 1)" "$AGENT_OUT")
	written=$(jq -c 'select(.event=="agent_stats") | .output.lines_written' <(zcat -f "$AGENT_OUT") | tail -1)
	check "$f: the kept files hold the newest lines only ($kept of $((written + 1)))" test "$kept" -lt $((written + 1))
	check_eq "$f: the last line of the newest file is the final agent_stats" \
		"$(zcat -f "$AGENT_OUT" | tail -1 | jq -r .event)" agent_stats
done

# --- logrotate: mv, then SIGHUP ---------------------------------------------------------------------
for f in hup.jsonl hup.jsonl.gz; do
	AGENT_OUT=$D/$f
	start_agent --status-file "$FN_RUN/hup.status" || exit 1
	connects h1 150
	sleep 0.3
	mv "$AGENT_OUT" "$AGENT_OUT.moved"
	connects h2 150 # still written to the moved file (same descriptor)
	sleep 0.3
	kill -HUP "$AGENT_PID"
	wait_line "$AGENT_OUT" '.event=="config_reloaded"' || fail "$f: no config_reloaded after SIGHUP"
	connects h3 150
	stop_check "$f" "$AGENT_OUT.moved" "$AGENT_OUT"
	check "$f: both files together are one complete run" "$VALIDATE" "$FN_RUN/joined.jsonl" --complete
	check_eq "$f: the new file starts with config_reloaded, output reopened" \
		"$(zcat -f "$AGENT_OUT" | head -1 | jq -c '[.event, .reload.output_reopened]')" '["config_reloaded",true]'
	total=$(lines "$AGENT_OUT.moved" "$AGENT_OUT")
	written=$(zcat -f "$AGENT_OUT" | jq -c 'select(.event=="agent_stats") | .output.lines_written' | tail -1)
	check_eq "$f: lines in both files = final output.lines_written + the final line" "$total" $((written + 1))
	echo "$f: per batch: h1 $(pid_events h1 "$AGENT_OUT.moved" "$AGENT_OUT") h2 $(pid_events h2 "$AGENT_OUT.moved" "$AGENT_OUT") h3 $(pid_events h3 "$AGENT_OUT.moved" "$AGENT_OUT")"
	check_eq "$f: every connect is in one of the files" \
		"$(($(pid_events h1 "$AGENT_OUT.moved" "$AGENT_OUT") + $(pid_events h2 "$AGENT_OUT.moved" "$AGENT_OUT") + $(pid_events h3 "$AGENT_OUT.moved" "$AGENT_OUT")))" 450
	check_eq "$f: the batch after the SIGHUP is all in the new file" "$(pid_events h3 "$AGENT_OUT")" 150
	check_eq "$f: nothing lost" "$(zcat -f "$AGENT_OUT" | jq -c 'select(.event=="agent_stats") | .drops.output_error' | tail -1)" 0
	[ "$f" = hup.jsonl.gz ] && check "$f: both gzip files are complete" gzip -t "$AGENT_OUT.moved" "$AGENT_OUT"
done

# --- a full filesystem ------------------------------------------------------------------------------
SMALL=$D/small
fn_tmpfs "$SMALL" 512k
AGENT_OUT=$SMALL/ev.jsonl
: >"$AGENT_OUT"
"$CREDWATCH" run --output "$AGENT_OUT" --stats-interval 0 --status-file "$FN_RUN/full.status" 2>"$FN_RUN/full.err" &
AGENT_PID=$!
fn_on_cleanup agent_kill
wait_line "$AGENT_OUT" '.event=="agent_ready"' || { fail "full: agent not ready"; cat "$FN_RUN/full.err"; exit 1; }
dd if=/dev/zero of="$SMALL/fill" bs=4k 2>/dev/null # until ENOSPC
check "full: the filesystem is full" bash -c '! echo x >>"$1/probe" 2>/dev/null' _ "$SMALL"
connects f1 2000
sleep 1.5
check "full: the agent keeps running" kill -0 "$AGENT_PID"
rc=0
msg=$("$CREDWATCH" health --status-file "$FN_RUN/full.status") || rc=$?
check "full: health is 1 and says the output fails ($msg)" \
	bash -c '[ "$1" = 1 ] && grep -q "the output is failing (No space left on device)" <<<"$2"' _ "$rc" "$msg"
rm -f "$SMALL/fill" "$SMALL/probe"
connects f2 20
wait_line "$AGENT_OUT" '.event=="output_recovered"' 50 || fail "full: no output_recovered line"
sleep 0.5
rc=0
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || rc=$?
AGENT_PID=
check_eq "full: exit 1 (lines were lost)" "$rc" 1
check "full: every line in the file is whole and schema-valid, agent_ready first, agent_stats last" \
	"$VALIDATE" "$AGENT_OUT" --complete
stats=$(jq -c 'select(.event=="agent_stats")' "$AGENT_OUT" | tail -1)
lost=$(jq .drops.output_error <<<"$stats")
rec=$(jq -c 'select(.event=="output_recovered") | .output' "$AGENT_OUT")
file_lines=$(wc -l <"$AGENT_OUT")
nrec=$(jq -c 'select(.event=="output_recovered")' "$AGENT_OUT" | wc -l)
# lines produced, from the pipeline's own counts (not the output's): events by type, fold
# summaries, agent_ready, the final agent_stats, and the output_recovered lines
produced=$(jq '[.events[]] + [.finding_counts.summaries] | add' <<<"$stats")
produced=$((produced + 2 + nrec))
echo "full: $file_lines lines in the file, $lost lost, $produced produced; recovered: $rec"
echo "full: final stats: $(jq -c '[.events, .kernel_submitted, .drops, .output]' <<<"$stats")"
check "full: lines were lost (the filesystem was full)" test "$lost" -gt 0
check_eq "full: lines in the file + lines lost = lines produced" $((file_lines + lost)) "$produced"
check_eq "full: output_recovered says how many were lost" "$(jq .lines_lost <<<"$rec")" "$lost"
check_eq "full: and why" "$(jq -r .error <<<"$rec")" "No space left on device"
check "full: the exit message gives the same count" grep -q "^credwatch: error: $lost lines did not reach the output $AGENT_OUT" "$FN_RUN/full.err"
check_eq "full: all 20 connects after the recovery are in the file" "$(pid_events f2 "$AGENT_OUT")" 20
check "full: the connects while full were partly lost ($(pid_events f1 "$AGENT_OUT") of 2000 written)" \
	test "$(pid_events f1 "$AGENT_OUT")" -lt 2000

# --- stdout closed by its reader ------------------------------------------------------------------
start=$SECONDS
{
	"$CREDWATCH" run --status-file "$FN_RUN/pipe.status" 2>"$FN_RUN/pipe.err"
	echo $? >"$FN_RUN/pipe.rc"
} | head -1 >"$FN_RUN/pipe.first"
for _ in $(seq 100); do [ -s "$FN_RUN/pipe.rc" ] && break; sleep 0.1; done
check_eq "closed stdout: the reader got agent_ready" "$(jq -r .event "$FN_RUN/pipe.first")" agent_ready
check_eq "closed stdout: exit 1" "$(cat "$FN_RUN/pipe.rc" 2>/dev/null)" 1
check "closed stdout: within 10 s ($((SECONDS - start)) s)" test $((SECONDS - start)) -le 10
check "closed stdout: a clear message ($(tail -1 "$FN_RUN/pipe.err"))" \
	grep -q "stopping: stdout was closed by its reader (SIGPIPE/EPIPE); [0-9]* lines did not reach it" "$FN_RUN/pipe.err"

# --- --config: a FIFO, globs -----------------------------------------------------------------------
mkfifo "$FN_RUN/fifo.json"
start=$SECONDS
rc=0
timeout 20 "$CREDWATCH" run --config "$FN_RUN/fifo.json" --duration 1 >/dev/null 2>"$FN_RUN/fifo.err" || rc=$?
check_eq "FIFO config: exit 2" "$rc" 2
check "FIFO config: refused at once ($((SECONDS - start)) s)" test $((SECONDS - start)) -le 3
check "FIFO config: says why" grep -q "$FN_RUN/fifo.json: not a regular file (a FIFO)" "$FN_RUN/fifo.err"

printf '{\n  "extra_sockets": [\n    {"path": "/proc/*/root/*/*/*/*/*/*/*/*.sock"}\n  ]\n}\n' >"$FN_RUN/glob9.json"
rc=0
timeout 20 "$CREDWATCH" run --config "$FN_RUN/glob9.json" --duration 1 >/dev/null 2>"$FN_RUN/glob9.err" || rc=$?
check_eq "unbounded glob: exit 2" "$rc" 2
check "unbounded glob: file:line:col and why ($(cat "$FN_RUN/glob9.err"))" \
	grep -q "glob9.json:3:[0-9]*: extra_sockets\[0\].path: 9 path components with glob characters: unbounded (at most 3)" "$FN_RUN/glob9.err"

printf '{"extra_sockets": [{"path": "/proc/*/root/*/*.sock"}]}\n' >"$FN_RUN/glob3.json"
AGENT_OUT=$FN_RUN/glob3.out
start=$SECONDS
agent_start --config "$FN_RUN/glob3.json" --status-file "$FN_RUN/glob3.status" || { fail "bounded glob: not ready"; exit 1; }
check "bounded glob over /proc: ready within 10 s ($((SECONDS - start)) s)" test $((SECONDS - start)) -le 10
sleep 2.5 # a periodic refresh runs the walk again
check "bounded glob: says it was cut" grep -q "socket glob /proc/\*/root/\*/\*.sock: stopped at its bound" "$AGENT_ERR"
check "bounded glob: health ok" "$CREDWATCH" health --status-file "$FN_RUN/glob3.status"
start=$SECONDS
agent_stop
check "bounded glob: SIGTERM ends it within 5 s ($((SECONDS - start)) s)" test $((SECONDS - start)) -le 5

# SIGTERM at some point of the start-up (loading, the glob walk, the /proc prefill): exit 0,
# promptly, and the output is whole lines (agent_ready and agent_stats, or nothing)
for d in 0.05 0.3 0.6; do
	"$CREDWATCH" run --config "$FN_RUN/glob3.json" --output "$FN_RUN/early.json" \
		--status-file "$FN_RUN/early.status" 2>"$FN_RUN/early.err" &
	p=$!
	sleep "$d"
	start=$SECONDS
	kill -TERM "$p"
	rc=0
	wait "$p" || rc=$?
	check "SIGTERM ${d} s after start: exit 0 within 5 s (rc $rc, $((SECONDS - start)) s; $(grep -c . "$FN_RUN/early.json") lines)" \
		test "$rc" = 0 -a $((SECONDS - start)) -le 5
	if [ -s "$FN_RUN/early.json" ]; then
		check "SIGTERM ${d} s after start: a complete run in the output" "$VALIDATE" "$FN_RUN/early.json" --complete
	fi
	rm -f "$FN_RUN/early.json"
done
finish
