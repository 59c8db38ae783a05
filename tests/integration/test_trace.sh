#!/bin/bash
# credwatch trace on a real terminal: the agent runs in tmux (a private server) on the fake
# node while pods act, and the test reads the screen (capture-pane -e: with the colours).
#   window "all":  no filter, colours on (a TTY, NO_COLOR unset)
#   window "flt":  --namespace payments,web --findings-only, NO_COLOR=1
#   a third agent: stdout to a file (not a TTY): no colour
# Scenario (all traffic inside the pods' own network namespaces, where credsim answers):
#   payments/api-1 (IRSA) fetches node-role credentials from IMDS with curl (IMDSv1)
#     -> HIGH agent_bypass, "IMDS GET /latest/meta-data/iam/security-credentials/<role> (v1, 200)"
#   web/front-1 reads api-1's IRSA token -> CRITICAL foreign_token_read, "read irsa_token of
#     payments/api-1"
#   quiet/q-1 asks IMDS for its instance id -> MEDIUM imds_v1 (hidden by the filters)
#   evil/<hostile name> reads an AWS credentials file under a hostile path: escaped on screen
# Then Ctrl-C in "all": the summary (findings by rule and pod, counts, drops).
# POD_* variables come from fakenode.sh; single-quoted scripts are bash -c programs
# shellcheck disable=SC2154,SC2016
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh

command -v tmux >/dev/null || { fail "tmux is not installed (Debian package tmux)"; exit 1; }
fn_init || exit 1
fn_root

ROLE=credwatch-sim-node-role
CREDP=/latest/meta-data/iam/security-credentials/$ROLE
IRSA_ENV=(--env "AWS_ROLE_ARN=arn:aws:iam::000000000000:role/cwtrace-irsa"
	--env "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
setup() {
	fn_pod irsa && fn_pod_state irsa --namespace payments --name api-1 "${IRSA_ENV[@]}" &&
		fn_volumes irsa --sa --irsa && fn_sim irsa &&
	fn_pod web && fn_pod_state web --namespace web --name front-1 && fn_volumes web --sa &&
	fn_pod quiet && fn_pod_state quiet --namespace quiet --name q-1 && fn_sim quiet &&
	fn_pod evil && fn_pod_state evil --namespace evil && fn_volumes evil --sa
}
setup || { fail "setting up the fake node"; exit 1; }
# the hostile pod name, in both specs
HOSTILE=$'evil\n\e[2J\e]0;pwned\a\u202e'"$(head -c 600 /dev/zero | tr '\0' x)"
for cfg in "$POD_evil_CONFIG" "$POD_evil_SANDBOX_CONFIG"; do
	jq --arg n "$HOSTILE" '.annotations["io.kubernetes.cri.sandbox-name"] = $n' "$cfg" >"$cfg.tmp" &&
		mv "$cfg.tmp" "$cfg"
done
HPATH=$FN_RUN/$(printf 'h\033]0;t\a\xff')/.aws
mkdir -p "$HPATH" && printf '[default]\n' >"$HPATH/credentials"

SOCK=cwtest-trace-$$
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
fn_on_cleanup tmux -L "$SOCK" kill-server
# screen WINDOW: the visible screen with attributes, wrapped lines joined
screen() { T capture-pane -p -e -J -t "cw:$1" -S - 2>/dev/null; }
plain() { T capture-pane -p -J -t "cw:$1" -S - 2>/dev/null; }
# wait_for WINDOW FIXED-STRING [SECONDS]
wait_for() {
	local i
	for ((i = 0; i < ${3:-30} * 5; i++)); do
		plain "$1" | grep -qF -- "$2" && return 0
		sleep 0.2
	done
	return 1
}

CW=$(readlink -f "$CREDWATCH")
T new-session -d -s cw -n all -x 400 -y 80 \
	"env -u NO_COLOR TERM=xterm-256color $CW trace --host-root $FN_ROOT 2>$FN_RUN/all.err; sleep 600"
T new-window -d -t cw -n flt \
	"env NO_COLOR=1 TERM=xterm-256color $CW trace --host-root $FN_ROOT --namespace payments,web,evil --findings-only 2>$FN_RUN/flt.err; sleep 600"
T set-option -t cw history-limit 5000 >/dev/null
"$CW" trace --host-root "$FN_ROOT" >"$FN_RUN/file.out" 2>"$FN_RUN/file.err" &
FILE_PID=$!
fn_track_pid "$FILE_PID"

# run with the same filters, as output filters of its JSON lines
"$CW" run --host-root "$FN_ROOT" --namespace web,quiet --findings-only --output "$FN_RUN/run.jsonl" 2>"$FN_RUN/run.err" &
RUN_PID=$!
fn_track_pid "$RUN_PID"

check "window all: the agent is ready" wait_for all "-- credwatch " 30
check "window flt: the agent is ready" wait_for flt "-- credwatch " 30
for _ in $(seq 150); do grep -qF -- "-- credwatch " "$FN_RUN/file.out" && break; sleep 0.2; done
check "file: the agent is ready" grep -qF -- "-- credwatch " "$FN_RUN/file.out"

# the scenario
rec() { local f=$1; shift; sh -c 'echo $$ >"$0"; exec "$@"' "$f" "$@"; }
fn_in_pod irsa sh -c 'echo $$ >"$0"; exec curl -s -o /dev/null "$1"' "$FN_RUN/fetch.pid" "http://169.254.169.254$CREDP"
fn_in_container web sh -c 'echo $$ >"$0"; exec cat "$1"' "$FN_RUN/read.pid" "$POD_irsa_VOL_IRSA/token" >/dev/null
fn_in_pod quiet sh -c 'echo $$ >"$0"; exec curl -s -o /dev/null "$1"' "$FN_RUN/quiet.pid" \
	http://169.254.169.254/latest/meta-data/instance-id
fn_in_pod evil sh -c 'echo $$ >"$0"; exec cat "$1"' "$FN_RUN/evil.pid" "$HPATH/credentials" >/dev/null
FETCH=$(cat "$FN_RUN/fetch.pid") READ=$(cat "$FN_RUN/read.pid") QUIET=$(cat "$FN_RUN/quiet.pid")
EVIL=$(cat "$FN_RUN/evil.pid")
CURL=$(readlink -f "$(command -v curl)")
CAT=$(readlink -f "$(command -v cat)")
export CURL CAT FETCH READ QUIET

# the expected lines, from the scenario
TS='[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}'
L_FETCH="HIGH      payments/api-1  app  ${CURL}[$FETCH]  IMDS GET $CREDP (v1, 200)  agent_bypass: "
L_READ="CRITICAL  web/front-1  app  ${CAT}[$READ]  read irsa_token of payments/api-1  foreign_token_read: "
L_QUIET="MEDIUM    quiet/q-1  app  ${CURL}[$QUIET]  IMDS GET /latest/meta-data/instance-id (v1, 200)  imds_v1: "
L_EVIL='evil/evil\n\e[2J\e]0;pwned\x07\u{202e}xxx'
L_EVILPATH='h\e]0;t\x07\xff/.aws/credentials'

check "all: the IMDS credential fetch line" wait_for all "$L_FETCH" 30
check "all: the foreign token read line" wait_for all "$L_READ" 30
check "all: the quiet pod's IMDSv1 line" wait_for all "$L_QUIET" 30
check "all: the hostile pod name, escaped" wait_for all "$L_EVIL" 30
check "all: the hostile path, escaped" wait_for all "$L_EVILPATH" 30
check "all: the hostile pod's line names its process" wait_for all "${CAT}[$EVIL]  read aws_credentials " 30
check "all: the connect before the fetch (an audit line, no finding)" \
	bash -c 'grep -qE "^$1  -         payments/api-1  app  ${2//[/\\[}\\[$3\\]  connect IMDS 169\\.254\\.169\\.254:80$" <<<"$4"' _ \
	"$TS" "$CURL" "$FETCH" "$(plain all)"
check "all: each line starts with the time" bash -c 'grep -F "$2" <<<"$3" | grep -qE "^$1  "' _ "$TS" "$L_FETCH" "$(plain all)"
check "all: the agent_bypass line names the pod in its summary" \
	bash -c 'grep -F "$1" <<<"$2" | grep -qF "pod payments/api-1 container app is configured for IRSA"' _ "$L_FETCH" "$(plain all)"
# nothing from the hostile names reached the terminal raw: the screen was not cleared (the
# ready line is still in the history), and the lines around are whole
check "all: the screen was not cleared by the hostile name" bash -c 'grep -qF -- "-- credwatch " <<<"$1"' _ "$(plain all)"
check "all: the hostile name is bounded (the line is under 1200 columns)" \
	bash -c 'grep -F "$1" <<<"$2" | awk "length(\$0) >= 1200 {bad=1} END {exit bad}"' _ "$L_EVIL" "$(plain all)"

# colours on the terminal: HIGH in red, CRITICAL in bold red, MEDIUM in yellow
ESC=$'\e'
check "all: HIGH is red" bash -c 'grep -F "$CURL[$FETCH]" <<<"$1" | grep -qE "${2}\[[0-9;]*31m(${2}\[[0-9;]*m)*HIGH"' _ "$(screen all)" "$ESC"
check "all: CRITICAL is bold red" bash -c 'grep -F "$CAT[$READ]" <<<"$1" | grep -qE "${2}\[([0-9;]*;)?1(;[0-9;]*)?m(${2}\[[0-9;]*m)*CRITICAL|${2}\[[0-9;]*31m(${2}\[[0-9;]*m)*CRITICAL" && grep -F "$CAT[$READ]" <<<"$1" | grep -qE "${2}\[1m|${2}\[1;|;1m"' _ "$(screen all)" "$ESC"
check "all: MEDIUM is yellow" bash -c 'grep -F "$CURL[$QUIET]" <<<"$1" | grep -qE "${2}\[[0-9;]*33m(${2}\[[0-9;]*m)*MEDIUM"' _ "$(screen all)" "$ESC"

# the filtered window: only payments/web/evil findings, no colour (NO_COLOR)
check "flt: the IMDS credential fetch line" wait_for flt "$L_FETCH" 30
check "flt: the foreign token read line" wait_for flt "$L_READ" 30
check "flt: the hostile pod's finding" wait_for flt "$L_EVILPATH" 30
check "flt: the quiet pod is hidden" bash -c '! grep -qF "quiet/q-1" <<<"$1"' _ "$(plain flt)"
check "flt: audit lines (no finding) are hidden" bash -c '! grep -qE "  -         " <<<"$1"' _ "$(plain flt)"
check "flt: no colour with NO_COLOR set" bash -c '! grep -F "$CAT[$READ]" <<<"$1" | grep -qE "${2}\[[0-9;]*3[0-9]m"' _ "$(screen flt)" "$ESC"

# the file (not a TTY): the same lines, no escape sequence at all
for _ in $(seq 150); do grep -qF "$L_READ" "$FN_RUN/file.out" && break; sleep 0.2; done
check "file: the foreign token read line" grep -qF "$L_READ" "$FN_RUN/file.out"
check "file: no raw ESC or other control byte (not a TTY: no colour)" \
	bash -c '! LC_ALL=C grep -aq "[[:cntrl:]]" <(tr -d "\n" <"$1")' _ "$FN_RUN/file.out"

# Ctrl-C: the summary
T send-keys -t cw:all C-c
check "all: the summary after Ctrl-C" wait_for all "-- summary: " 20
SUM=$(plain all | sed -n '/^-- summary: /,$p')
check "summary: findings by severity" grep -qE "^findings  [0-9]+: critical [0-9]+, high [0-9]+, medium [0-9]+" <<<"$SUM"
check "summary: foreign_token_read by web/front-1" grep -qE "^  CRITICAL  foreign_token_read +web/front-1 +1$" <<<"$SUM"
check "summary: agent_bypass by payments/api-1" grep -qE "^  HIGH      agent_bypass +payments/api-1 +[0-9]+$" <<<"$SUM"
check "summary: imds_v1 by quiet/q-1" grep -qE "^  MEDIUM    imds_v1 +quiet/q-1 +1$" <<<"$SUM"
check "summary: event counts" grep -qE "^events    [0-9]+ shown, 0 hidden by the filters" <<<"$SUM"
check "summary: drops none" grep -qE "^drops     none$" <<<"$SUM"
check "summary fits one screen (at most 24 lines)" test "$(wc -l <<<"$SUM")" -le 24

# drops: a one-page ring buffer and a burst of 3000 UDP connects to IMDS from a pod (in its
# own network namespace): the status line shows the drops while the agent runs, the summary
# at the end has the same count
fn_pod burst || fail "setting up pod burst"
"$CW" trace --ringbuf-size 4096 >"$FN_RUN/drops.out" 2>"$FN_RUN/drops.err" &
DROPS_PID=$!
fn_track_pid "$DROPS_PID"
for _ in $(seq 150); do grep -qF -- "-- credwatch " "$FN_RUN/drops.out" && break; sleep 0.2; done
fn_in_pod burst "$PWD/build/tests/cw_connect" -u -n 3000 169.254.169.254 80 >/dev/null
for _ in $(seq 50); do grep -q '^-- DROPPED: ringbuf_full [1-9]' "$FN_RUN/drops.out" && break; sleep 0.2; done
check "drops: a status line while running" grep -qE '^-- DROPPED: ringbuf_full [1-9][0-9]*, bad_record 0, output_error 0$' "$FN_RUN/drops.out"
sleep 1.5 # one more status tick: the count is final
kill -INT "$DROPS_PID"
wait "$DROPS_PID" 2>/dev/null
last=$(grep -E '^-- DROPPED: ' "$FN_RUN/drops.out" | tail -1 | sed -E 's/^-- DROPPED: (ringbuf_full [0-9]+).*/\1/')
check "drops: the summary's drops line has the last status line's count ($last)" \
	grep -qE "^drops     $last, bad_record 0, output_error 0$" "$FN_RUN/drops.out"

# no planted secret on any screen
sort -u "$FN_RUN"/sim-*.secrets "$FN_RUN/secrets" 2>/dev/null | grep -v '^$' >"$FN_RUN/all-secrets.txt"
{ plain all; plain flt; cat "$FN_RUN/file.out" "$FN_RUN"/*.err; } >"$FN_RUN/screens.txt"
# the filtered window's trace: its terminal goes away (SIGHUP, as when a tmux or ssh session
# ends): it stops, it does not take the hangup for a reload and run on unseen
FLT_PID=$(pgrep -f -- "--namespace payments,web,evil --findings-only" | while read -r p; do
	[ "$(readlink -f "/proc/$p/exe" 2>/dev/null)" = "$CW" ] && echo "$p"; done | head -n 1)
if [ -n "$FLT_PID" ]; then
	fn_track_pid "$FLT_PID"
	T kill-window -t cw:flt
	for _ in $(seq 1 $((50 * ${CW_TIME_SCALE:-1}))); do kill -0 "$FLT_PID" 2>/dev/null || break; sleep 0.1; done
	check "trace stops when its terminal hangs up (SIGHUP)" sh -c "! kill -0 $FLT_PID 2>/dev/null"
else
	fail "the filtered trace (in tmux window flt) is running"
fi
check "secrets were recorded for the leak check" test -s "$FN_RUN/all-secrets.txt"
check "no secret on the screens or in the files" bash -c '! grep -aqFf "$1" "$2"' _ "$FN_RUN/all-secrets.txt" "$FN_RUN/screens.txt"
kill -INT "$FILE_PID" 2>/dev/null
wait "$FILE_PID" 2>/dev/null

# run's output filters: only findings of web and quiet, plus the agent's own lines
kill -TERM "$RUN_PID"
rc=0
wait "$RUN_PID" || rc=$?
check_eq "run with filters: exit 0" "$rc" 0
check "run with filters: every line validates" "$VALIDATE" "$FN_RUN/run.jsonl" --complete
check_eq "run with filters: the foreign read and the quiet pod's IMDSv1 request, nothing else" \
	"$(jq -c 'select(.event != "agent_ready" and .event != "agent_stats") | [.pod.namespace, .finding.rule]' "$FN_RUN/run.jsonl" | sort | uniq | tr '\n' ' ')" \
	'["quiet","imds_v1"] ["web","foreign_token_read"] '
check_eq "run with filters: agent_ready and agent_stats written" \
	"$(jq -r 'select(.event == "agent_ready" or .event == "agent_stats") | .event' "$FN_RUN/run.jsonl" | tr '\n' ' ')" 'agent_ready agent_stats '
finish
