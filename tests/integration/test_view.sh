#!/bin/bash
# credwatch view over recorded events (tests/golden/expected.jsonl: the golden scenario's
# events). The expected text is derived by the test, not taken from credwatch: by
# tests/lib/humanview.py, an independent implementation of the documented line format and
# filters, and, for a few events, written out here from the scenario (tests/golden/scenario.c).
# Also: .gz files, stdin, a cut .gz (an agent killed mid-write), prefixed lines (kubectl logs
# --timestamps, CRI log files, CloudWatch exports), malformed and foreign lines (counted and
# reported, never fatal), hostile strings (escaped and bounded), colours, --summary.
# Needs no root, BPF or network.
# single-quoted scripts are bash -c programs
# shellcheck disable=SC2016
set -u
cd "$(dirname "$0")/../.." || exit 1
CREDWATCH=${CREDWATCH:-$PWD/build/credwatch}
REC=tests/golden/expected.jsonl
ORACLE=tests/lib/humanview.py
CHECKS_FAILED=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; CHECKS_FAILED=$((CHECKS_FAILED + 1)); }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
check_eq() { if [ "$2" == "$3" ]; then pass "$1"; else fail "$1 (got '$2', want '$3')"; fi; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# same_as DESC FILE [FILTERS...]: view's output equals the oracle's
same_as() {
	local desc=$1 f=$2 rc=0
	shift 2
	python3 "$ORACLE" "$f" "$@" >"$T/want" || { fail "$desc: the oracle failed"; return; }
	NO_COLOR='' "$CREDWATCH" view "$f" "$@" >"$T/got" 2>"$T/err" || rc=$?
	if [ "$rc" -eq 0 ] && cmp -s "$T/want" "$T/got"; then
		pass "$desc ($(wc -l <"$T/got") lines)"
	else
		fail "$desc (exit $rc): $(diff "$T/want" "$T/got" | head -5)"
	fi
}

same_as "the whole recording" "$REC"
same_as "--severity high" "$REC" --severity high
same_as "--severity critical" "$REC" --severity critical
same_as "--namespace payments" "$REC" --namespace payments
same_as "--namespace web,evil" "$REC" --namespace web,evil
same_as "--pod plain (prefix)" "$REC" --pod plain
same_as "--container log-shipper" "$REC" --container log-shipper
same_as "--event file_open,socket_connect" "$REC" --event file_open,socket_connect
same_as "--event finding_summary" "$REC" --event finding_summary
same_as "--findings-only" "$REC" --findings-only
same_as "--findings-only --namespace default --severity medium" "$REC" --findings-only --namespace default --severity medium
check "the filters select something and hide something" test "$(python3 "$ORACLE" "$REC" --severity high | wc -l)" -lt "$(wc -l <"$REC")"

# lines written out from the scenario (scenario.c: curl pid 2001 of pod payments/api-7d9f,
# configured for IRSA, fetches node-role credentials with IMDSv1 22 ms in; busybox pid 2201
# of default/plain-1 reads the IRSA token of payments/api-7d9f; the hostile pod's exe has a
# newline, a quote and two invalid bytes; the host's cat reads web/front-1's Pod Identity token)
"$CREDWATCH" view "$REC" >"$T/all" 2>/dev/null
for want in \
	'00:00:00.022  HIGH      payments/api-7d9f  app  /usr/bin/curl[2001]  IMDS GET /latest/meta-data/iam/security-credentials/node-role (v1, 200)  agent_bypass: pod payments/api-7d9f container app is configured for IRSA but fetched node-role credentials from IMDS (+1 more)' \
	'00:00:00.305  CRITICAL  default/plain-1  app  /bin/busybox[2201]  read irsa_token of payments/api-7d9f  foreign_token_read: pod default/plain-1 container app read the IRSA token of another pod, pod payments/api-7d9f' \
	'00:00:00.307  HIGH      host  -  /usr/bin/cat[1101]  read pod_identity_token of web/front-1  host_token_read: host process /usr/bin/cat read the Pod Identity token of pod web/front-1' \
	'00:00:00.320  HIGH      default/plain-1  app  /bin/busybox[2201]  connect /run/containerd/containerd.sock  credential_socket_access: pod default/plain-1 container app connected to a credential socket (container_runtime)' \
	'-- credwatch 0.1.0 watching node ip-10-0-1-23.ec2.internal (3 hooks; file: tracepoint, socket: tracepoint)'; do
	check "scenario line: ${want:0:70}..." grep -qxF -- "$want" "$T/all"
done
check "scenario: the hostile exe, escaped" grep -qF '  evil/hostile-1  app  /tmp/evil\n"x��.bin[2401]  read aws_credentials /home/u\n"�\\/.aws/credentials  ' "$T/all"
check "scenario: the recording's bad records show as a drop status line" \
	grep -qxF -- '-- DROPPED: ringbuf_full 0, bad_record 2, output_error 0' "$T/all"

# .gz, stdin, prefixes
gzip -c "$REC" >"$T/rec.jsonl.gz"
python3 "$ORACLE" "$REC" >"$T/want"
check "a .gz file reads the same" cmp -s "$T/want" <("$CREDWATCH" view "$T/rec.jsonl.gz" 2>/dev/null)
check "stdin ('-') reads the same" cmp -s "$T/want" <("$CREDWATCH" view - <"$REC" 2>/dev/null)
# shellcheck disable=SC2002 # the point is a pipe
check "stdin (no FILE) reads the same, from a pipe" cmp -s "$T/want" <(cat "$REC" | "$CREDWATCH" view 2>/dev/null)
check "gzip on stdin reads the same" cmp -s "$T/want" <("$CREDWATCH" view <"$T/rec.jsonl.gz" 2>/dev/null)
sed 's/^/2026-11-30T00:00:05.000000000Z stdout F /' "$REC" >"$T/cri.log"
check "CRI / kubectl --timestamps prefixed lines read the same" cmp -s "$T/want" <("$CREDWATCH" view "$T/cri.log" 2>/dev/null)
sed 's/^/2026-11-30T00:00:05.000Z /' "$REC" >"$T/cwexport"
check "CloudWatch export lines (time, space, message) read the same" cmp -s "$T/want" <("$CREDWATCH" view "$T/cwexport" 2>/dev/null)
# a live stream (kubectl logs -f | credwatch view): lines are shown as they come, before the
# input ends
(cat "$REC"; sleep 4) | "$CREDWATCH" view >"$T/live.out" 2>/dev/null &
LIVE=$!
sleep 2
check "a live stream is shown before its input ends" test "$(wc -l <"$T/live.out")" -eq "$(wc -l <"$T/want")"
wait "$LIVE"
# an agent killed mid-write: the gzip stream stops; what is there is shown
head -c $(($(stat -c %s "$T/rec.jsonl.gz") * 2 / 3)) "$T/rec.jsonl.gz" >"$T/cut.gz"
rc=0
"$CREDWATCH" view "$T/cut.gz" >"$T/cut.out" 2>"$T/cut.err" || rc=$?
check_eq "a cut .gz: exit 0" "$rc" 0
check "a cut .gz: its first lines are shown" test "$(wc -l <"$T/cut.out")" -ge 10
check "a cut .gz: every line shown is a line of the whole" bash -c 'head -n -1 "$1" | grep -vxFf "$2" | wc -l | grep -qx 0' _ "$T/cut.out" "$T/want"
check "a cut .gz from a pipe: its first lines are shown" test "$("$CREDWATCH" view <"$T/cut.gz" 2>/dev/null | wc -l)" -ge 10
check "a cut .gz from a pipe: said on stderr" bash -c '"$1" view <"$2" 2>&1 >/dev/null | grep -qF "ends early"' _ "$CREDWATCH" "$T/cut.gz"

# malformed and foreign lines: counted, reported, never fatal
{
	head -5 "$REC"
	echo 'this is not json'
	head -c 200 <(sed -n 10p "$REC"); echo
	printf '\x00\xff\xfe binary\n'
	echo '[1, 2, 3]'
	head -c 2200000 /dev/zero | tr '\0' '{'; echo
	echo '{"level":"info","msg":"another program"}'
	echo
	tail -n +6 "$REC"
} >"$T/mixed"
rc=0
"$CREDWATCH" view "$T/mixed" >"$T/mixed.out" 2>"$T/mixed.err" || rc=$?
check_eq "malformed lines: exit 0" "$rc" 0
check "malformed lines: the good lines all shown" cmp -s "$T/want" "$T/mixed.out"
check "malformed lines: counted and reported with the first one's line number" \
	grep -qE "^credwatch view: $T/mixed: 5 malformed lines skipped \(first: line 6: " "$T/mixed.err"
check "foreign JSON lines: counted and reported" grep -qF "1 line not from credwatch skipped" "$T/mixed.err"

# hostile strings in a recording: escaped for the terminal, bounded
python3 - "$T/hostile.jsonl" <<'PY'
import json, sys
ev = {"schema": "credwatch/v1", "time": "2026-11-30T01:02:03.456000000Z", "event": "file_open",
      "node": {"name": "n"}, "host": False,
      "process": {"pid": 7, "comm": "x", "exe": "/bin/\u001b[2J\u009b31m\u202eexe\r\n"},
      "pod": {"uid": "11111111-1111-4111-8111-111111111111", "namespace": "ns\u0007",
              "name": "p" + "\u001b]0;title\u0007" * 3 + "y" * 5000},
      "container": {"name": "c\u0000d"},
      "file": {"kind": "aws_credentials", "result": "ok", "path": "/root/\u2028/.aws/credentials" + "z" * 3000},
      "finding": {"rule": "static_credentials_read", "severity": "medium", "summary": "s\u001b[1m" + "w" * 2000},
      "findings": [{}]}
open(sys.argv[1], "w").write(json.dumps(ev) + "\n")
PY
"$CREDWATCH" view "$T/hostile.jsonl" >"$T/hostile.out" 2>&1
check "hostile: no raw control byte reaches the terminal" bash -c '! LC_ALL=C grep -aq "[[:cntrl:]]" <(tr -d "\n" <"$1")' _ "$T/hostile.out"
check "hostile: no C1 control, line separator or bidi override raw" bash -c '! grep -aqP "[\x{80}-\x{9f}\x{2028}\x{202e}]" "$1"' _ "$T/hostile.out"
check "hostile: escapes visible" grep -qF '/bin/\e[2J\u{009b}31m\u{202e}exe\r\n[7]' "$T/hostile.out"
check "hostile: NUL, BEL visible" grep -qF 'ns\x07/p\e]0;title\x07' "$T/hostile.out"
check "hostile: container with NUL" grep -qF '  c\x00d  ' "$T/hostile.out"
check "hostile: the line is bounded (< 1500 bytes) and cut values end with ..." \
	bash -c 'awk "length(\$0) >= 1500 {bad=1} END {exit bad}" "$1" && grep -qF "yyy...  " "$1"' _ "$T/hostile.out"
check "hostile: same as the oracle" cmp -s <(python3 "$ORACLE" "$T/hostile.jsonl") "$T/hostile.out"

# colours: never on a pipe unless asked; NO_COLOR is honoured by auto
check "not a TTY: no colour" bash -c '! grep -q $'"'"'\e'"'"' <("$1" view "$2")' _ "$CREDWATCH" "$REC"
check "--color always: CRITICAL in bold red" bash -c 'grep -F "foreign_token_read" <("$1" view --color always "$2") | grep -qF $'"'"'\e[1;31mCRITICAL\e[0m'"'"'' _ "$CREDWATCH" "$REC"
check "--color always: HIGH in red" bash -c '"$1" view --color always "$2" | grep -qF $'"'"'\e[31mHIGH    \e[0m'"'"'' _ "$CREDWATCH" "$REC"

# --summary: findings by rule and pod, from the recording (counted here with jq: each event
# with a finding once, each fold summary for its repeats, count - 1)
"$CREDWATCH" view --summary "$REC" >"$T/sum" 2>/dev/null
total=$(jq -s '[.[] | select(.finding != null) | if .event == "finding_summary" then .count - 1 else 1 end] | add' "$REC")
check "summary: findings total $total" grep -qE "^findings  $total: " "$T/sum"
n=$(jq -s '([.[] | select(.finding.rule == "agent_bypass" and .event != "finding_summary" and .pod.name == "api-7d9f")] | length) as $ev | ([.[] | select(.event == "finding_summary" and .finding.rule == "agent_bypass" and .subject.pod_name == "api-7d9f") | .count - 1] | add) as $rep | $ev + $rep' "$REC")
check "summary: agent_bypass by payments/api-7d9f: $n" grep -qE "^  HIGH      agent_bypass +payments/api-7d9f +$n$" "$T/sum"
check "summary: drops from the recording's agent_stats" grep -qxF "drops     ringbuf_full 0, bad_record 2, output_error 0" "$T/sum"

# trace's renderer and view agree: the golden scenario through the pipeline with the human
# renderer next to the JSON one (tests/golden/pipeline.c, CW_GOLDEN_HUMAN), then view over the
# JSON lines. One known difference: the JSON lines replace invalid UTF-8 by U+FFFD (lossy), the
# live view shows the bytes (\xff); the comparison maps the latter to the former.
REPLAY=${REPLAY:-build/tests/golden/replay}
if [ -x "$REPLAY" ] && [ "$(id -u)" = 0 ]; then
	if CW_GOLDEN_HUMAN=$T/golden.human "$REPLAY" "$T/golden.subst" >"$T/golden.jsonl" 2>"$T/golden.err"; then
		"$CREDWATCH" view "$T/golden.jsonl" 2>/dev/null | grep -v '^-- credwatch \|^-- DROPPED' >"$T/golden.view"
		sed -E 's/\\x[89a-f][0-9a-f]/\xef\xbf\xbd/g' "$T/golden.human" >"$T/golden.human.u"
		check "trace's renderer = view of the JSON lines, on the golden scenario ($(wc -l <"$T/golden.human") lines)" \
			cmp -s "$T/golden.view" "$T/golden.human.u"
		check "trace's renderer shows invalid bytes as they were" grep -qF '/tmp/evil\n"x\xff\xfe.bin[2401]' "$T/golden.human"
	else
		fail "golden replay ran: $(head -3 "$T/golden.err")"
	fi
else
	echo "SKIP: trace's renderer vs view on the golden scenario ($REPLAY not built, or not root)"
fi

# usage
rc=0
"$CREDWATCH" view --frob "$REC" >/dev/null 2>"$T/e" || rc=$?
check_eq "unknown option: exit 2" "$rc" 2
check "unknown option: named" grep -qF "unknown option '--frob'" "$T/e"
rc=0
"$CREDWATCH" view --severity urgent "$REC" >/dev/null 2>"$T/e" || rc=$?
check_eq "bad --severity: exit 2" "$rc" 2
rc=0
"$CREDWATCH" view --event imds "$REC" >/dev/null 2>"$T/e" || rc=$?
check_eq "bad --event: exit 2" "$rc" 2
rc=0
"$CREDWATCH" view "$T/none.jsonl" >/dev/null 2>"$T/e" || rc=$?
check_eq "missing file: exit 1" "$rc" 1
check "missing file: named" grep -qF "$T/none.jsonl: No such file or directory" "$T/e"
[ "$CHECKS_FAILED" -eq 0 ]
