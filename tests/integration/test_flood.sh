#!/bin/bash
# Floods cannot hide findings (issue 13, "Flooding"), end to end with the real agent.
#
# A pod ("flood") runs two processes that open the pod's own service-account token in a loop
# (tests/progs/cw_openloop: open + close, the exact count of successful opens printed at
# exit). Those opens are audit events: no finding. Meanwhile two other pods attack: "irsa",
# configured for IRSA, fetches the node role's credentials from IMDS six times (agent_bypass,
# with imds_v1), and "thief" reads the flood pod's token six times (foreign_token_read).
#
# Scenario A, exactness (default ring buffer; a fold window of 2/5 of the flood, so windows
# end during the flood and are armed again):
#   - all 12 attacks are reported with their findings: each attack is an event with its
#     finding, or a repeat counted in the finding_summary of the same rule and pod;
#   - every open of the flood pod is accounted for, exactly:
#       file_open lines of the flooders' pids + sum of repeat_summary.repeats for those pids
#       + drops (full + low_refused) of the flood pod's cgroup in the final agent_stats
#       == the sum of the opens the flooders counted themselves;
#   - the repeat_summary lines describe the flooders (pod, container, exe, file, cgroup),
#     count == repeats + 1, the window holds the repeats, windows that ran their length
#     end with reason "window", and their line is written when the window ends (+1 s grace;
#     checked with 3 s of slack: no line of a later kernel time is written before it);
#   - most opens were counted in the kernel, not sent.
# Scenario B, priority under pressure (a 128 KiB ring, default fold window; the agent
# SIGSTOPped before the two flooders start, the 12 attacks made at once while it is stopped,
# then SIGCONT; the flooders end on SIGTERM a few seconds later). The flood alone would fill
# any ring: the size only sets the room left to other records. 12 attacks take ~12 KiB; the
# rest of the 64 KiB that low-priority records may not take is for whatever else the machine
# does meanwhile (other tests' fake pods reading tokens: ~20 KiB of them were seen in one run,
# which with a 64 KiB ring and a 13 s stop crowded attack records out):
#   - all 12 attacks are still reported with their findings, and no record of the attackers'
#     cgroups was dropped;
#   - agent_stats.drops.by_cgroup names the flood pod's cgroup, with low_refused > 0;
#   - one event_flood finding names the flood pod, none names the attackers' pods;
#   - the same exact accounting of the flooders' opens as in A; their windows, still open
#     when the agent stops, end with reason "flushed".
# Both: the output validates against tests/schema/events.schema.json (every line, or, when
# the flooders' file_open lines are many, every other line and a sample of those), and no
# secret (the fixture tokens, the credentials the simulator handed out) appears in anything
# written. Measured rates are printed as "test_flood: ..." lines (information, not checks).
#
# Network: every IMDS request runs through fn_in_pod inside the irsa pod's own network
# namespace, built by fakenode.sh, where credsim serves 169.254.169.254 on lo. Nothing is
# sent from the host's network namespace.
#
# Environment: CW_TIME_SCALE (slower machines: the emulated VM of the kernel matrix) scales
# the flood, the fold window and the waits; CW_FLOOD_SECONDS overrides the flood's length,
# CW_FLOOD_RING the ring buffer of scenario B; CWTEST_DEBUG_KEEP=DIR keeps the outputs there.
# POD_*/SIM_* variables come from fakenode.sh (fn_load), a_bg*/b_bg* from flooders (eval);
# single-quoted scripts are sh -c programs
# shellcheck disable=SC2154,SC2016
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh

SCALE=${CW_TIME_SCALE:-1}
FLOOD_S=${CW_FLOOD_SECONDS:-$((10 * SCALE))}
FOLD_S=$((FLOOD_S * 2 / 5))
((FOLD_S >= 1)) || FOLD_S=1
STOP_S=$((5 * SCALE))
# how late after its end + grace a window's repeat_summary may be written
LATE_S=$((3 * SCALE))
RING_B=${CW_FLOOD_RING:-131072}
OPENLOOP=$PWD/build/tests/cw_openloop
ROLE=credwatch-sim-node-role
CREDP=/latest/meta-data/iam/security-credentials/$ROLE
SA_TOKEN=/var/run/secrets/kubernetes.io/serviceaccount/token
IRSA_ENV=(--env "AWS_ROLE_ARN=arn:aws:iam::000000000000:role/cwtest-irsa"
	--env "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
NATTACK=6
# above this many lines, the schema check reads every line but the flooders' file_open
# lines, and SAMPLE of those from each end (python's jsonschema is slow on 10^5 lines)
VALIDATE_ALL_MAX=20000
SAMPLE=1000
T_START=$SECONDS
info() { echo "test_flood: $*"; }

# jqt FILTER: the JSON on stdin is there and makes FILTER true (jq -e alone is true on no input)
jqt() {
	local in
	in=$(cat)
	[ -n "$in" ] && jq -e "$1" >/dev/null <<<"$in"
}

if [ ! -x "$OPENLOOP" ]; then
	fail "build/tests/cw_openloop is not built (make build/tests/cw_openloop)"
	exit 1
fi

fn_init || exit 1
fn_root

# --- the fake node: three pods, set up in parallel ------------------------------------------
setup_flood() { fn_pod flood && fn_pod_state flood && fn_volumes flood --sa; }
setup_irsa() {
	fn_pod irsa && fn_pod_state irsa "${IRSA_ENV[@]}" && fn_volumes irsa --sa --irsa &&
		fn_sim irsa
}
setup_thief() { fn_pod thief && fn_pod_state thief && fn_volumes thief --sa; }
PODS=(flood irsa thief)
for p in "${PODS[@]}"; do
	("setup_$p" >"$FN_RUN/setup-$p.log" 2>&1 && touch "$FN_RUN/setup-$p.ok") &
done
wait
for p in "${PODS[@]}"; do
	if [ ! -e "$FN_RUN/setup-$p.ok" ]; then
		cat "$FN_RUN/setup-$p.log" >&2
		fail "setting up pod $p"
		exit 1
	fi
	fn_load "$p" || exit 1
done
# the cgroup ids the kernel reports for the pods' containers (their cgroup2 inodes)
FLOOD_CGID=$(stat -c %i "$POD_flood_CG")
ATTACKER_CGIDS="$(stat -c %i "$POD_irsa_CG"),$(stat -c %i "$POD_thief_CG")"
info "pods ready at $((SECONDS - T_START)) s; flood cgroup $FLOOD_CGID; flood ${FLOOD_S} s, fold window ${FOLD_S} s"

printf '{"policy": {"fold_window_seconds": %d}}\n' "$FOLD_S" >"$FN_RUN/policy-a.json"

# the agent may be stopped (scenario B) when the test ends early: cleanup continues it first,
# so that agent_kill's SIGTERM is acted on (registered after agent_start: runs before it)
agent_cont() {
	[ -n "${AGENT_PID:-}" ] && kill -CONT "$AGENT_PID" 2>/dev/null
	return 0
}

# run TAG WHERE CMD...: WHERE is a pod name (fn_in_pod: cgroup and network namespace) or
# ctr:POD (fn_in_container: also the pod's volumes at the in-container paths). The pid goes to
# $FN_RUN/TAG.pid, the output to $FN_RUN/TAG.out, or to $RUN_OUT (/dev/null for readers of
# tokens, so that no file of the test holds one).
run() {
	local tag=$1 where=$2
	shift 2
	local rec=(sh -c 'echo $$ >"$0"; exec "$@"' "$FN_RUN/$tag.pid")
	case $where in
	ctr:*) fn_in_container "${where#ctr:}" "${rec[@]}" "$@" ;;
	*) fn_in_pod "$where" "${rec[@]}" "$@" ;;
	esac >"${RUN_OUT:-$FN_RUN/$tag.out}" 2>&1
}
pid_of() { local p; { read -r p <"$FN_RUN/$1.pid"; } 2>/dev/null && echo "$p" || echo -1; }
# proc_state PID: its state letter (T: stopped), empty when gone
proc_state() {
	local s=
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null
	s=${s##*) }
	echo "${s:0:1}"
}

# flooders PREFIX SECONDS: start two cw_openloop in the flood pod's container, each waiting
# for $FN_RUN/PREFIX.go; returns once both have exec'ed (their --ready files exist). The
# background jobs are PREFIX_bg1 and PREFIX_bg2, the processes' pids in PREFIXf1/2.pid.
flooders() {
	local pre=$1 secs=$2 i
	rm -f "$FN_RUN/$pre.go"
	for i in 1 2; do
		run "${pre}f$i" ctr:flood "$OPENLOOP" "$SA_TOKEN" "$secs" --go "$FN_RUN/$pre.go" \
			--ready "$FN_RUN/${pre}f$i.ready" &
		eval "${pre}_bg$i=\$!"
	done
	for i in $(seq $((100 * SCALE))); do
		[ -e "$FN_RUN/${pre}f1.ready" ] && [ -e "$FN_RUN/${pre}f2.ready" ] && return 0
		sleep 0.1
	done
	return 1
}

# attack PREFIX I: attack pair I: an IMDS node-credential fetch (IMDSv1, curl) from the IRSA
# pod, and a read of the flood pod's token by the thief
attack() {
	run "$1imds$2" irsa curl -s -m 5 -o /dev/null -w '%{http_code}' "http://169.254.169.254$CREDP"
	RUN_OUT=/dev/null run "$1steal$2" ctr:thief cat "$POD_flood_VOL_SA/token"
}
# attacks PREFIX INTERVAL: NATTACK pairs, INTERVAL seconds apart
attacks() {
	local i
	for i in $(seq "$NATTACK"); do
		sleep "$2"
		attack "$1" "$i"
	done
}
# attacks_at_once PREFIX: NATTACK pairs at the same time
attacks_at_once() {
	local i jobs=()
	for i in $(seq "$NATTACK"); do
		attack "$1" "$i" &
		jobs+=($!)
	done
	wait "${jobs[@]}"
}

# agent_int SCEN: stop the agent with SIGINT (by pid), check that it exits 0
agent_int() {
	local rc=0
	kill -CONT "$AGENT_PID" 2>/dev/null
	kill -INT "$AGENT_PID"
	wait "$AGENT_PID" || rc=$?
	AGENT_PID=
	check_eq "$1: the agent exits 0 on SIGINT" "$rc" 0
	cp "$AGENT_ERR" "$FN_RUN/$2.err"
	if [ -n "${CWTEST_DEBUG_KEEP:-}" ]; then
		mkdir -p "$CWTEST_DEBUG_KEEP" && cp "$AGENT_OUT" "$AGENT_ERR" "$CWTEST_DEBUG_KEEP/" &&
			mv "$CWTEST_DEBUG_KEEP/${AGENT_ERR##*/}" "$CWTEST_DEBUG_KEEP/$2.err"
	fi
}

# collect SCEN PREFIX: split the agent's output into the flooders' file_open lines
# ($FN_RUN/PREFIX-flooders.json, up to 10^5 or more) and this test's other lines
# ($FN_RUN/PREFIX-rest.json, then $AGENT_OUT for events/count_events); check the schema. The
# agent watches the whole machine: lines of other tests' fake pods (cgroups cwtest-*, not
# ours) are left out of the rest, as in test_findings.
collect() {
	local scen=$1 pre=$2 raw=$AGENT_OUT p1 p2 n nf
	p1=$(pid_of "${pre}f1")
	p2=$(pid_of "${pre}f2")
	FLOODERS_OUT=$FN_RUN/$pre-flooders.json
	AGENT_OUT=$FN_RUN/$pre-rest.json
	: >"$FLOODERS_OUT"
	: >"$AGENT_OUT"
	awk -v a="\"process\":{\"pid\":$p1," -v b="\"process\":{\"pid\":$p2," \
		-v fl="$FLOODERS_OUT" -v rest="$AGENT_OUT" -v mine="\"path\":\"$FN_CGREL/" '
		index($0, "\"event\":\"file_open\"") && (index($0, a) || index($0, b)) { print > fl; next }
		index($0, mine) || !index($0, "\"path\":\"cwtest-") { print > rest }' "$raw"
	n=$(wc -l <"$raw")
	nf=$(wc -l <"$FLOODERS_OUT")
	if [ "$n" -le "$VALIDATE_ALL_MAX" ]; then
		check "$scen: every output line ($n) validates against the schema" \
			"$VALIDATE" "$raw" --complete
	else
		check "$scen: every line of this test but the flooders' file_open lines ($(wc -l <"$AGENT_OUT") of $n) validates against the schema" \
			"$VALIDATE" "$AGENT_OUT" --complete
		{ head -n "$SAMPLE" "$FLOODERS_OUT" && tail -n "$SAMPLE" "$FLOODERS_OUT"; } >"$FN_RUN/$pre-sample.json"
		check "$scen: the first and last $SAMPLE of the flooders' $nf file_open lines validate against the schema" \
			"$VALIDATE" "$FN_RUN/$pre-sample.json"
	fi
}

# --- checks shared by both scenarios ----------------------------------------------------------
# pidsel PREFIX KIND: a jq test that .process.pid is one of the attack pids of that kind
pidsel() {
	local i l=()
	for i in $(seq "$NATTACK"); do l+=("$(pid_of "$1$2$i")"); done
	local IFS=,
	echo "(.process.pid as \$p | [${l[*]}] | index(\$p) != null)"
}

# check_attacks SCEN PREFIX: every attack reported with its finding - an event of the attack's
# pid, or a repeat counted in a finding_summary (whose count includes the event it follows) of
# the same rule and attacking pod; exactly NATTACK of each kind
check_attacks() {
	local scen=$1 pre=$2 i out sel n bad sumx
	for i in $(seq "$NATTACK"); do
		out=$(<"$FN_RUN/${pre}imds$i.out")
		[ "$out" = 200 ] || fail "$scen: IMDS fetch $i: curl got '$out', not 200"
	done
	# IMDS: imds_request events with agent_bypass/high (and imds_v1) from the IRSA pod
	sel=".event==\"imds_request\" and $(pidsel "$pre" imds)"
	n=$(count_events "$sel")
	bad=$(events "$sel" | jq -c 'select([.finding.rule, .finding.severity, ([.findings[]?.rule] | sort | join(",")), .pod.uid] != ["agent_bypass", "high", "agent_bypass,imds_v1", "'"$POD_irsa_UID"'"]) | {pid: .process.pid, finding, findings, pod: .pod.name}')
	sumx=$(events ".event==\"finding_summary\" and .finding.rule==\"agent_bypass\" and .subject.pod_uid==\"$POD_irsa_UID\"" |
		jq -s '[.[].count - 1] | add // 0')
	info "$scen: IMDS attacks: $n events, $sumx more in finding_summary counts"
	check "$scen: at least one IMDS attack is its own event ($n)" test "$n" -ge 1
	check_eq "$scen: every IMDS attack event carries agent_bypass/high with imds_v1, attributed to the IRSA pod" "$bad" ""
	check_eq "$scen: all $NATTACK IMDS node-credential fetches reported (events + folded repeats)" \
		"$((n + sumx))" "$NATTACK"
	# foreign token reads: file_open events with foreign_token_read/critical of the flood
	# pod's token
	sel=".event==\"file_open\" and $(pidsel "$pre" steal)"
	n=$(count_events "$sel")
	bad=$(events "$sel" | jq -c 'select([.finding.rule, .finding.severity, .file.kind, .file.owner.pod_uid, .pod.uid] != ["foreign_token_read", "critical", "sa_token", "'"$POD_flood_UID"'", "'"$POD_thief_UID"'"]) | {pid: .process.pid, finding, kind: .file.kind, owner: .file.owner}')
	sumx=$(events ".event==\"finding_summary\" and .finding.rule==\"foreign_token_read\" and .subject.pod_uid==\"$POD_thief_UID\"" |
		jq -s '[.[].count - 1] | add // 0')
	info "$scen: foreign token reads: $n events, $sumx more in finding_summary counts"
	check "$scen: at least one foreign token read is its own event ($n)" test "$n" -ge 1
	check_eq "$scen: every foreign read event carries foreign_token_read/critical, the flood pod's token, the thief pod" "$bad" ""
	check_eq "$scen: all $NATTACK reads of the flood pod's token by another pod reported (events + folded repeats)" \
		"$((n + sumx))" "$NATTACK"
}

# check_accounting SCEN PREFIX: the flooders' opens, exactly accounted for. Sets OPENS, NLINES,
# REPEATS, DROPS_FULL, DROPS_LOW, STATS (the final agent_stats) and RS (a jq test for the
# flooders' repeat_summary lines).
check_accounting() {
	local scen=$1 pre=$2 i o f out p1 p2 cg
	p1=$(pid_of "${pre}f1")
	p2=$(pid_of "${pre}f2")
	OPENS=0
	for i in 1 2; do
		out=$(<"$FN_RUN/${pre}f$i.out")
		o=$(sed -n 's/^opens=\([0-9]*\) .*/\1/p' <<<"$out")
		f=$(sed -n 's/.* failed=\([0-9]*\) .*/\1/p' <<<"$out")
		if [ -z "$o" ]; then
			fail "$scen: flooder $i printed no count: $out"
			o=0
		fi
		check_eq "$scen: flooder $i: no open failed" "${f:-?}" 0
		info "$scen: flooder $i (pid $(pid_of "${pre}f$i")): $out ($(awk -v l="$out" 'BEGIN { split(l, a, /[= ]/); if (a[6] > 0) printf "%d", a[2] / a[6] }') opens/s)"
		OPENS=$((OPENS + o))
	done
	# the flooders' file_open lines: what they are (pid, kind, result, finding, pod)
	jq -c "[.process.pid == $p1 or .process.pid == $p2, .file.kind, .file.result, has(\"finding\"), .pod.uid == \"$POD_flood_UID\"]" \
		"$FLOODERS_OUT" | sort | uniq -c >"$FN_RUN/$pre-lines.txt"
	NLINES=$(wc -l <"$FLOODERS_OUT")
	check_eq "$scen: the flooders' file_open lines ($NLINES) are audit events of the pod's own sa_token (pid, kind, ok, no finding, the flood pod)" \
		"$(awk '{ print $2 }' "$FN_RUN/$pre-lines.txt" | sort -u | tr '\n' ' ')" \
		"$( ((NLINES)) && echo '[true,"sa_token","ok",false,true] ')"
	check_eq "$scen: no file_open line of the flooders was left out of that count" \
		"$(count_events ".event==\"file_open\" and (.process.pid == $p1 or .process.pid == $p2)")" 0
	RS=".event==\"repeat_summary\" and (.subject.pid==$p1 or .subject.pid==$p2)"
	REPEATS=$(events "$RS" | jq -s '[.[].repeats] | add // 0')
	STATS=$(jq -c 'select(.event=="agent_stats")' "$AGENT_OUT" | tail -1)
	cg=$(jq -c "[.drops.by_cgroup[]? | select(.cgroup_id==$FLOOD_CGID)]" <<<"$STATS")
	DROPS_FULL=$(jq '[.[].full] | add // 0' <<<"$cg")
	DROPS_LOW=$(jq '[.[].low_refused] | add // 0' <<<"$cg")
	info "$scen: opens $OPENS = file_open lines $NLINES + repeats $REPEATS + drops (full $DROPS_FULL, low_refused $DROPS_LOW) = $((NLINES + REPEATS + DROPS_FULL + DROPS_LOW))"
	check "$scen: the final agent_stats has drops.low_priority_refused, drops.by_cgroup and drops.cgroups_dropping" \
		jqt '(.drops.low_priority_refused | type) == "number" and (.drops.by_cgroup | type) == "array" and (.drops.cgroups_dropping | type) == "number"' <<<"$STATS"
	check "$scen: the final agent_stats has quiet {armed, summaries, repeats, full, errors, active, capacity}" \
		jqt '.quiet | [has("armed", "summaries", "repeats", "full", "errors", "active", "capacity")] | all' <<<"$STATS"
	check "$scen: the flooders opened the token ($OPENS times)" test "$OPENS" -gt 0
	check_eq "$scen: every open accounted for: file_open lines + repeats + drops of the flood cgroup == opens counted by the flooders" \
		"$((NLINES + REPEATS + DROPS_FULL + DROPS_LOW))" "$OPENS"
	# the repeat_summary lines of the flooders
	info "$scen: repeat_summary lines of the flooders: $(events "$RS" | jq -r '"\(.subject.pid) \(.reason) repeats=\(.repeats)"' | tr '\n' ';')"
	for i in "$p1" "$p2"; do
		check "$scen: flooder pid $i has repeat_summary lines" \
			test "$(count_events ".event==\"repeat_summary\" and .subject.pid==$i")" -ge 1
	done
	check_eq "$scen: every flooder repeat_summary names the flood pod, its container, cw_openloop, the sa_token, the cgroup" \
		"$(events "$RS" | jq -c '[.subject.host, .subject.pod_uid, .subject.namespace, .subject.pod_name, .subject.container, (.subject.exe | endswith("/cw_openloop")), .file.kind, .file.result, .cgroup_id]' | sort -u)" \
		"[false,\"$POD_flood_UID\",\"default\",\"flood\",\"app\",true,\"sa_token\",\"ok\",$FLOOD_CGID]"
	check_eq "$scen: in every repeat_summary, repeats >= 1 and count == repeats + 1" \
		"$(events "$RS" | jq -c 'select(.repeats < 1 or .count != .repeats + 1) | {repeats, count}')" ""
	# (RFC 3339 with nanoseconds, all UTC: the strings compare as the times do)
	check_eq "$scen: in every repeat_summary, window.start <= first_repeat <= last_repeat <= window.end" \
		"$(events "$RS" | jq -c 'select((.window.start <= .first_repeat and .first_repeat <= .last_repeat and .last_repeat <= .window.end) | not) | {window, first_repeat, last_repeat}')" ""
	check "$scen: agent_stats.quiet counts at least the flooders' windows and repeats" \
		jqt ".quiet.summaries >= $(count_events "$RS") and .quiet.armed >= $(count_events "$RS") and .quiet.repeats >= $REPEATS" <<<"$STATS"
}

# check_timely SCEN PREFIX RAW: a window's repeat_summary is written when the window ends
# (+1 s grace): no line written before it carries a kernel time more than LATE_S after that.
# (The lines are written in the order the agent handles them, so a file_open line of kernel
# time T before the summary means the agent was still busy with the flood at T without having
# retired the window.) RAW: the agent's whole output; RFC 3339 times of one run compare as
# strings.
check_timely() {
	local scen=$1 pre=$2 raw=$3 late
	awk -v a="\"pid\":$(pid_of "${pre}f1")," -v b="\"pid\":$(pid_of "${pre}f2")," '
		function field(k) {
			if (!match($0, "\"" k "\":\"[^\"]*\"")) return ""
			return substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
		}
		{ t = field("time") }
		index($0, "\"event\":\"file_open\"") { if (t > max) max = t; next }
		index($0, "\"event\":\"repeat_summary\"") && index($0, "\"reason\":\"window\"") &&
		    (index($0, a) || index($0, b)) { print field("end"), max }' "$raw" >"$FN_RUN/timely.txt"
	late=$(jq -R -s -c '
		def secs: capture("^(?<d>[^.]*)(\\.(?<f>[0-9]+))?Z$") |
			(.d + "Z" | fromdateiso8601) + ("0." + (.f // "0") | tonumber);
		[split("\n")[] | select(length > 0) | split(" ") |
		 {end: .[0], latest: .[1], late: (if .[1] == "" then 0 else (.[1] | secs) - (.[0] | secs) - 1 end)}] |
		map(select(.late > '"$LATE_S"'))' "$FN_RUN/timely.txt")
	info "$scen: windows' end -> the latest kernel time written before their repeat_summary: $(tr '\n' ';' <"$FN_RUN/timely.txt")"
	check "$scen: windows ended during the flood ($(wc -l <"$FN_RUN/timely.txt") repeat_summary lines with reason window)" \
		test "$(wc -l <"$FN_RUN/timely.txt")" -ge 1
	check_eq "$scen: each was written within $LATE_S s after its window's end + 1 s grace (not after lines of later kernel times)" "$late" "[]"
}

# stats_info SCEN SECONDS: the measured figures
stats_info() {
	info "$1: $((OPENS / $2)) opens/s in all; the agent wrote $(($(wc -l <"$AGENT_OUT") + NLINES)) lines"
	info "$1: events written $(jq -c .events <<<"$STATS")"
	info "$1: kernel_submitted $(jq -c .kernel_submitted <<<"$STATS")"
	info "$1: drops $(jq -c '.drops | {ringbuf_full, low_priority_refused, cgroups_dropping, by_cgroup: [.by_cgroup[]? | {cgroup_id, pod_name, full, low_refused}]}' <<<"$STATS")"
	info "$1: quiet $(jq -c .quiet <<<"$STATS")"
}

# check_secrets: no fixture token, no credential the simulator handed out, in any file of the
# test except the secret stores and the token volumes themselves
check_secrets() {
	sort -u "$SIM_irsa_SECRETS" "$FN_RUN/secrets" | grep -v '^$' >"$FN_RUN/all-secrets.txt"
	check "secrets recorded for the leak check ($(wc -l <"$FN_RUN/all-secrets.txt"))" \
		test "$(wc -l <"$FN_RUN/all-secrets.txt")" -ge 4
	local leaky
	leaky=$(find "$FN_RUN" -type f ! -name '*.secrets' ! -name secrets ! -name all-secrets.txt \
		! -path "$FN_ROOT/var/lib/kubelet/pods/*" -print0 |
		xargs -0 grep -lF -f "$FN_RUN/all-secrets.txt" 2>/dev/null)
	check_eq "no secret in the agent's outputs, its stderr or any other file of the test" "$leaky" ""
}

# =============================================================================================
# Scenario A: exactness with the default ring buffer
# =============================================================================================
AGENT_OUT=$FN_RUN/a.json
agent_start --host-root "$FN_ROOT" --config "$FN_RUN/policy-a.json" || exit 1
fn_on_cleanup agent_cont
flooders a "$FLOOD_S" || { fail "A: the flooders did not start"; exit 1; }
touch "$FN_RUN/a.go"
T_A=$SECONDS
attacks a "$(awk -v s="$FLOOD_S" -v n="$NATTACK" 'BEGIN { printf "%.2f", s / (n + 1) }')" &
ATT=$!
wait "$a_bg1" "$a_bg2" "$ATT"
info "A: flood and attacks done after $((SECONDS - T_A)) s"
# the last IMDS responses paired (the agent waits up to 1.5 s for one), then stop
sleep $((1 * SCALE))
agent_int A a
T_A=$SECONDS
collect A a
check_attacks A a
check_accounting A a
check_eq "A: the windows that ran their ${FOLD_S} s during the ${FLOOD_S} s flood ended with reason window (the others: flushed)" \
	"$(events "$RS" | jq -r .reason | sort -u | grep -vx flushed)" window
check "A: most opens were counted in the kernel, not sent (repeats $REPEATS of $OPENS)" \
	test "$((REPEATS * 2))" -gt "$OPENS"
check_timely A a "$FN_RUN/a.json"
info "A: event_flood lines: $(events '.event=="event_flood"' | jq -c '{pod: .pod.name, cgroup: .cgroup.id, flood}' | tr '\n' ' ')"
check_eq "A: no event_flood names an attacker's pod" \
	"$(count_events ".event==\"event_flood\" and (.pod.uid==\"$POD_irsa_UID\" or .pod.uid==\"$POD_thief_UID\")")" 0
stats_info A "$FLOOD_S"
info "A: checks took $((SECONDS - T_A)) s"

# =============================================================================================
# Scenario B: a small ring, the agent stopped while the flood starts and the attacks happen
# =============================================================================================
AGENT_OUT=$FN_RUN/b.json
agent_start --host-root "$FN_ROOT" --ringbuf-size "$RING_B" --stats-interval 1 || exit 1
fn_on_cleanup agent_cont
check_eq "B: agent_ready shows the ring buffer size" \
	"$(jq -c 'select(.event=="agent_ready") | .config.ringbuf_size' "$AGENT_OUT")" "$RING_B"
# the flooders run until SIGTERM, a few seconds after the agent is continued
flooders b 3600 || { fail "B: the flooders did not start"; exit 1; }
kill -STOP "$AGENT_PID"
for _ in $(seq 50); do
	[ "$(proc_state "$AGENT_PID")" = T ] && break
	sleep 0.1
done
check_eq "B: the agent is stopped" "$(proc_state "$AGENT_PID")" T
T_STOP=$SECONDS
touch "$FN_RUN/b.go"
# the flood fills the ring's free half at once; the attacks come after it
sleep 1
attacks_at_once b
left=$((STOP_S - (SECONDS - T_STOP)))
info "B: attacks done $((SECONDS - T_STOP)) s after SIGSTOP"
((left > 0)) && sleep "$left"
kill -CONT "$AGENT_PID"
T_CONT=$SECONDS
info "B: SIGCONT after $((T_CONT - T_STOP)) s"
sleep $((3 * SCALE))
kill -TERM "$(pid_of bf1)" "$(pid_of bf2)"
wait "$b_bg1" "$b_bg2"
B_FLOOD_S=$((SECONDS - T_STOP))
# two periodic ticks (every 1 s: stats, and the drop counters read for event_flood)
sleep $((2 * SCALE))
agent_int B b
collect B b
check_attacks B b
check_accounting B b
# Windows are aligned to multiples of the fold window (60 s here): a 60 s boundary may fall
# in the run. A window that ended before the agent stopped says "window"; one still open at
# exit (its end after the final agent_stats) is written at exit and says "flushed".
# (a window retired by its end is retired 1 s after it; one that ended within that second
# before exit is flushed: "flushed" means its end is at most 1 s before the stop)
B_END=$(events '.event=="agent_stats"' | tail -n 1 | jq -r .time)
check "B: the windows open at exit were flushed, the others ended by their window" \
	/usr/bin/python3 -c '
import json, sys, datetime
def t(s):
    d = datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return d.timestamp() + float("0." + (s[20:-1] or "0"))
end = t(sys.argv[1])
bad = [l for l in map(json.loads, sys.stdin)
       if (l["reason"] == "window") != (t(l["window"]["end"]) < end - 1.0)
       and not (l["reason"] == "window" and t(l["window"]["end"]) < end)]
bad and print(bad, file=sys.stderr)
sys.exit(1 if bad else 0)' "$B_END" < <(events "$RS")
check "B: at least one window was still open at exit (flushed)" \
	test "$(events "$RS" | jq -r 'select(.reason == "flushed") | .reason' | wc -l)" -ge 1
stats_info B "$B_FLOOD_S"
FCG=$(jq -c "[.drops.by_cgroup[]? | select(.cgroup_id==$FLOOD_CGID)]" <<<"$STATS")
check_eq "B: drops.by_cgroup names the flood pod's cgroup once (path, host, namespace, pod, container)" \
	"$(jq -c '[.[] | [.cgroup_path, .host, .namespace, .pod_name, .container]]' <<<"$FCG")" \
	"[[\"$POD_flood_CGREL\",false,\"default\",\"flood\",\"app\"]]"
check "B: the flood pod's cgroup had low-priority records refused (low_refused $DROPS_LOW)" \
	test "$DROPS_LOW" -gt 0
check "B: its last_pid is one of the flooders" \
	jqt ".[0].last_pid == $(pid_of bf1) or .[0].last_pid == $(pid_of bf2)" <<<"$FCG"
check "B: drops.low_priority_refused counts at least the flood pod's ($DROPS_LOW), cgroups_dropping >= 1" \
	jqt ".drops.low_priority_refused >= $DROPS_LOW and .drops.cgroups_dropping >= 1" <<<"$STATS"
check_eq "B: no record of the attackers' cgroups was dropped (not in drops.by_cgroup)" \
	"$(jq -c "[.drops.by_cgroup[]? | select(.cgroup_id as \$c | [$ATTACKER_CGIDS] | index(\$c) != null)]" <<<"$STATS")" "[]"
FL='.event=="event_flood"'
FLP="$FL and .pod.uid==\"$POD_flood_UID\""
info "B: event_flood lines: $(events "$FL" | jq -c '{pod: .pod.name, cgroup: .cgroup.id, flood}' | tr '\n' ' ')"
check_eq "B: one event_flood finding names the flood pod" "$(count_events "$FLP")" 1
check_eq "B: it is event_flood/high, T1562.006, on the flood pod's container and cgroup" \
	"$(events "$FLP" | jq -c '[.finding.rule, .finding.severity, .finding.mitre, .pod.namespace, .pod.name, .container.name, .cgroup.id, .host]')" \
	"[\"event_flood\",\"high\",\"T1562.006\",\"default\",\"flood\",\"app\",$FLOOD_CGID,false]"
check_eq "B: its flood part: low-priority records refused, for >= 3 s, full and episode_start given" \
	"$(events "$FLP" | jq -c '[.flood.low_refused > 0, .flood.seconds >= 3, (.flood.full | type), (.flood.episode_start | type)]')" \
	'[true,true,"number","string"]'
check_eq "B: no event_flood names an attacker's pod" \
	"$(count_events "$FL and (.pod.uid==\"$POD_irsa_UID\" or .pod.uid==\"$POD_thief_UID\")")" 0
check "B: periodic agent_stats lines were written (--stats-interval 1)" \
	test "$(count_events '.event=="agent_stats"')" -ge 2

check_secrets
info "done in $((SECONDS - T_START)) s"
finish
