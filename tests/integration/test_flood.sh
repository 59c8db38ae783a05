#!/bin/bash
# Floods cannot hide findings (issue 13, "Flooding"), end to end with the real agent.
#
# A pod ("flood") runs two processes that open the pod's own service-account token in a loop
# (tests/progs/cw_openloop: open + close, the exact count of successful opens printed at
# exit). Those opens are audit events: no finding. Meanwhile two other pods attack: "irsa",
# configured for IRSA, fetches the node role's credentials from IMDS six times (agent_bypass,
# with imds_v1), and "thief" reads the flood pod's token six times (foreign_token_read).
#
# Scenario A, exactness (default ring buffer, a fold window shorter than the flood, so
# windows end during the flood and are re-armed, and the last ones are flushed at exit):
#   - all 12 attacks are reported with their findings: each attack is an event with its
#     finding, or a repeat counted in a finding_summary of the same rule and pod;
#   - every open of the flood pod is accounted for, exactly:
#       file_open lines of the flooders' pids + sum of repeat_summary.repeats for those pids
#       + drops (full + low_refused) of the flood pod's cgroup in the final agent_stats
#       == the sum of the opens the flooders counted themselves;
#   - the repeat_summary lines describe the flooders (pod, container, exe, file, cgroup),
#     count == repeats + 1, windows that ended ("window") and windows flushed at exit;
#   - most opens were counted in the kernel, not sent.
# Scenario B, priority under pressure (a 64 KiB ring, the agent SIGSTOPped while the two
# flooders start, the 12 attacks made while it is stopped, then SIGCONT):
#   - all 12 attacks are still reported with their findings, and no record of the attackers'
#     cgroups was dropped;
#   - agent_stats.drops.by_cgroup names the flood pod's cgroup, with low_refused > 0;
#   - one event_flood finding names the flood pod, none names the attackers' pods;
#   - the same exact accounting of the flooders' opens as in A.
# Both: every line validates against tests/schema/events.schema.json, and no secret (the
# fixture tokens, the credentials the simulator handed out) appears in anything written.
# Measured rates are printed as "test_flood: ..." lines (information, not checks).
#
# Network: every IMDS request runs through fn_in_pod inside the irsa pod's own network
# namespace, built by fakenode.sh, where credsim serves 169.254.169.254 on lo. Nothing is
# sent from the host's network namespace.
#
# Environment: CW_TIME_SCALE (slower machines: the emulated VM of the kernel matrix) scales
# the flood, the fold window and the waits; CW_FLOOD_SECONDS overrides the flood's length,
# CW_FLOOD_RING the ring buffer of scenario B.
# POD_*/SIM_* variables come from fakenode.sh (fn_load), a_bg*/b_bg* from flooders (eval);
# single-quoted scripts are sh -c programs
# shellcheck disable=SC2154,SC2016
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh

SCALE=${CW_TIME_SCALE:-1}
FLOOD_S=${CW_FLOOD_SECONDS:-$((10 * SCALE))}
# ends twice during the flood (+1 s grace each), so windows end and are re-armed
FOLD_S=$((FLOOD_S * 2 / 5))
((FOLD_S >= 1)) || FOLD_S=1
STOP_S=$((5 * SCALE))
RING_B=${CW_FLOOD_RING:-65536}
OPENLOOP=$PWD/build/tests/cw_openloop
ROLE=credwatch-sim-node-role
CREDP=/latest/meta-data/iam/security-credentials/$ROLE
SA_TOKEN=/var/run/secrets/kubernetes.io/serviceaccount/token
IRSA_ENV=(--env "AWS_ROLE_ARN=arn:aws:iam::000000000000:role/cwtest-irsa"
	--env "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
NATTACK=6
T_START=$SECONDS
info() { echo "test_flood: $*"; }

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
# the cgroup id the kernel reports for the flood pod's container (its cgroup2 inode)
FLOOD_CGID=$(stat -c %i "$POD_flood_CG")
info "pods ready at $((SECONDS - T_START)) s; flood cgroup $FLOOD_CGID; flood ${FLOOD_S} s, fold window ${FOLD_S} s"

printf '{"policy": {"fold_window_seconds": %d}}\n' "$FOLD_S" >"$FN_RUN/policy-a.json"

# the agent may be stopped (scenario B) when a check fails: let cleanup continue it first, so
# that agent_kill's SIGTERM is delivered (registered after agent_start: runs before agent_kill)
agent_cont() {
	[ -n "${AGENT_PID:-}" ] && kill -CONT "$AGENT_PID" 2>/dev/null
	return 0
}

# agent_int: stop the agent with SIGINT (by pid), check it exits 0 and that its output
# validates against the schema
agent_int() {
	local rc=0 what=$1
	kill -CONT "$AGENT_PID" 2>/dev/null
	kill -INT "$AGENT_PID"
	wait "$AGENT_PID" || rc=$?
	AGENT_PID=
	check_eq "$what: the agent exits 0 on SIGINT" "$rc" 0
	check "$what: every output line ($(wc -l <"$AGENT_OUT")) validates against the schema" \
		"$VALIDATE" "$AGENT_OUT" --complete
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

# flooders PREFIX SECONDS: start two cw_openloop in the flood pod, each waiting for
# $FN_RUN/PREFIX.go; returns once both have exec'ed (their --ready files exist)
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

# attacks PREFIX INTERVAL: NATTACK times, INTERVAL seconds apart: an IMDS node-credential
# fetch (IMDSv1, curl) from the IRSA pod, and a read of the flood pod's token by the thief
attacks() {
	local pre=$1 gap=$2 i
	for i in $(seq "$NATTACK"); do
		sleep "$gap"
		run "${pre}imds$i" irsa curl -s -m 5 -o /dev/null -w '%{http_code}' \
			"http://169.254.169.254$CREDP"
		RUN_OUT=/dev/null run "${pre}steal$i" ctr:thief cat "$POD_flood_VOL_SA/token"
	done
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
# pid, or a repeat counted in a finding_summary (count includes the event it follows) of the
# same rule and attacking pod; exactly NATTACK per kind
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
	# foreign token reads: file_open events with foreign_token_read/critical of the flood pod's token
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

# check_accounting SCEN PREFIX: the flooders' opens, exactly accounted for; sets LINES,
# REPEATS, DROPS_FULL, DROPS_LOW, OPENS and STATS (the final agent_stats) for the caller
check_accounting() {
	local scen=$1 pre=$2 i o f p1 p2 cg
	p1=$(pid_of "${pre}f1")
	p2=$(pid_of "${pre}f2")
	OPENS=0
	for i in 1 2; do
		o=$(sed -n 's/^opens=\([0-9]*\) .*/\1/p' "$FN_RUN/${pre}f$i.out")
		f=$(sed -n 's/.* failed=\([0-9]*\) .*/\1/p' "$FN_RUN/${pre}f$i.out")
		if [ -z "$o" ]; then
			fail "$scen: flooder $i printed no count: $(cat "$FN_RUN/${pre}f$i.out")"
			o=0
		fi
		check_eq "$scen: flooder $i: no open failed" "${f:-?}" 0
		info "$scen: flooder $i (pid $(pid_of "${pre}f$i")): $(cat "$FN_RUN/${pre}f$i.out") ($(awk -v l="$(cat "$FN_RUN/${pre}f$i.out")" 'BEGIN { split(l, a, /[= ]/); if (a[6] > 0) printf "%d opens/s", a[2] / a[6] }'))"
		OPENS=$((OPENS + o))
	done
	# the flooders' file_open lines: what they are (kind, result, finding) and how many
	jq -c "select(.event==\"file_open\" and (.process.pid==$p1 or .process.pid==$p2)) |
		[.file.kind, .file.result, has(\"finding\"), .pod.uid == \"$POD_flood_UID\"]" \
		"$AGENT_OUT" | sort | uniq -c >"$FN_RUN/$pre-lines.txt"
	LINES=$(awk '{ n += $1 } END { print n + 0 }' "$FN_RUN/$pre-lines.txt")
	check_eq "$scen: the flooders' file_open lines are audit events of the pod's own sa_token (kind, ok, no finding, the flood pod)" \
		"$(awk '{ print $2 }' "$FN_RUN/$pre-lines.txt" | sort -u | tr '\n' ' ')" \
		"$( ((LINES)) && echo '["sa_token","ok",false,true] ')"
	REPEATS=$(jq -s "[.[] | select(.event==\"repeat_summary\" and (.subject.pid==$p1 or .subject.pid==$p2)) | .repeats] | add // 0" "$AGENT_OUT")
	STATS=$(jq -c 'select(.event=="agent_stats")' "$AGENT_OUT" | tail -1)
	cg=$(jq -c "[.drops.by_cgroup[]? | select(.cgroup_id==$FLOOD_CGID)]" <<<"$STATS")
	DROPS_FULL=$(jq '[.[].full] | add // 0' <<<"$cg")
	DROPS_LOW=$(jq '[.[].low_refused] | add // 0' <<<"$cg")
	info "$scen: opens $OPENS = file_open lines $LINES + repeats $REPEATS + drops (full $DROPS_FULL, low_refused $DROPS_LOW) = $((LINES + REPEATS + DROPS_FULL + DROPS_LOW))"
	check "$scen: the final agent_stats has drops.low_priority_refused, drops.by_cgroup and drops.cgroups_dropping" \
		jqtrue '(.drops.low_priority_refused | type) == "number" and (.drops.by_cgroup | type) == "array" and (.drops.cgroups_dropping | type) == "number"' <<<"$STATS"
	check "$scen: the final agent_stats has quiet {armed, summaries, repeats, full, errors, active, capacity}" \
		jqtrue '.quiet | [has("armed", "summaries", "repeats", "full", "errors", "active", "capacity")] | all' <<<"$STATS"
	check "$scen: the flooders opened the token ($OPENS times)" test "$OPENS" -gt 0
	check_eq "$scen: every open accounted for: file_open lines + repeats + drops of the flood cgroup == opens counted by the flooders" \
		"$((LINES + REPEATS + DROPS_FULL + DROPS_LOW))" "$OPENS"
}

# check_secrets SCEN: no fixture token, no credential the simulator handed out, in any file
# of the test except the secret stores and the token volumes themselves
check_secrets() {
	sort -u "$SIM_irsa_SECRETS" "$FN_RUN/secrets" | grep -v '^$' >"$FN_RUN/all-secrets.txt"
	check "$1: secrets recorded for the leak check ($(wc -l <"$FN_RUN/all-secrets.txt"))" \
		test "$(wc -l <"$FN_RUN/all-secrets.txt")" -ge 4
	local leaky
	leaky=$(find "$FN_RUN" -type f ! -name '*.secrets' ! -name secrets ! -name all-secrets.txt \
		! -path "$FN_ROOT/var/lib/kubelet/pods/*" -print0 |
		xargs -0 grep -lF -f "$FN_RUN/all-secrets.txt" 2>/dev/null)
	check_eq "$1: no secret in the agent's output, its stderr or any other file of the test" "$leaky" ""
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
agent_int A
cp "$AGENT_ERR" "$FN_RUN/a.err"

check_attacks A a
check_accounting A a
A_REPEATS=$REPEATS
# the repeat_summary lines of the flooders
pa1=$(pid_of af1)
pa2=$(pid_of af2)
RS=".event==\"repeat_summary\" and (.subject.pid==$pa1 or .subject.pid==$pa2)"
nrs=$(count_events "$RS")
info "A: $nrs repeat_summary lines for the flooders: $(events "$RS" | jq -r '"\(.subject.pid) \(.reason) repeats=\(.repeats)"' | tr '\n' ';')"
for p in "$pa1" "$pa2"; do
	check "A: flooder pid $p has repeat_summary lines" \
		test "$(count_events ".event==\"repeat_summary\" and .subject.pid==$p")" -ge 1
done
check_eq "A: every flooder repeat_summary names the flood pod, its container, cw_openloop, the sa_token, the cgroup" \
	"$(events "$RS" | jq -c '[.subject.host, .subject.pod_uid, .subject.namespace, .subject.pod_name, .subject.container, (.subject.exe | endswith("/cw_openloop")), .file.kind, .file.result, .cgroup_id]' | sort -u)" \
	"[false,\"$POD_flood_UID\",\"default\",\"flood\",\"app\",true,\"sa_token\",\"ok\",$FLOOD_CGID]"
check_eq "A: in every repeat_summary, repeats >= 1 and count == repeats + 1" \
	"$(events "$RS" | jq -c 'select(.repeats < 1 or .count != .repeats + 1) | {repeats, count}')" ""
check_eq "A: in every repeat_summary, window.start <= first_repeat <= last_repeat <= window.end" \
	"$(events "$RS" | jq -c 'select((.window.start <= .first_repeat and .first_repeat <= .last_repeat and .last_repeat <= .window.end) | not) | {window, first_repeat, last_repeat}')" ""
check_eq "A: windows that ran their ${FOLD_S} s ended during the ${FLOOD_S} s flood (reason window), the open ones at exit (reason flushed)" \
	"$(events "$RS" | jq -r .reason | sort -u | tr '\n' ' ')" "flushed window "
check "A: most opens were counted in the kernel, not sent (repeats $A_REPEATS of $OPENS)" \
	test "$((A_REPEATS * 2))" -gt "$OPENS"
check "A: agent_stats.quiet counts at least the flooders' windows and repeats" \
	jqtrue ".quiet.summaries >= $nrs and .quiet.repeats >= $A_REPEATS and .quiet.armed >= $nrs" <<<"$STATS"
info "A: $((OPENS / FLOOD_S)) opens/s in all; the agent wrote $(wc -l <"$AGENT_OUT") lines; final stats: $(jq -c '{drops: (.drops | {ringbuf_full, low_priority_refused, cgroups_dropping}), quiet}' <<<"$STATS")"
check_eq "A: no event_flood finding (the default ring did not overflow for seconds)" \
	"$(count_events '.event=="event_flood"')" 0

# =============================================================================================
# Scenario B: a small ring, the agent stopped while the flood starts and the attacks happen
# =============================================================================================
AGENT_OUT=$FN_RUN/b.json
agent_start --host-root "$FN_ROOT" --ringbuf-size "$RING_B" --stats-interval 1 || exit 1
fn_on_cleanup agent_cont
check_eq "B: agent_ready shows the ring buffer size" \
	"$(jq -c 'select(.event=="agent_ready") | .config.ringbuf_size' "$AGENT_OUT")" "$RING_B"
B_FLOOD_S=$((STOP_S + 3 * SCALE))
flooders b "$B_FLOOD_S" || { fail "B: the flooders did not start"; exit 1; }
kill -STOP "$AGENT_PID"
for _ in $(seq 50); do
	[[ $(_fn_stat_rest "$AGENT_PID") == T* ]] && break
	sleep 0.1
done
check "B: the agent is stopped" test "$(_fn_stat_rest "$AGENT_PID" | cut -c1)" = T
T_STOP=$SECONDS
touch "$FN_RUN/b.go"
# the flood fills the free half of the ring at once; the attacks come after it
sleep 1
attacks b 0.2
left=$((STOP_S - (SECONDS - T_STOP)))
info "B: attacks done $((SECONDS - T_STOP)) s after SIGSTOP; $left s more stopped"
((left > 0)) && sleep "$left"
kill -CONT "$AGENT_PID"
info "B: SIGCONT after $((SECONDS - T_STOP)) s"
wait "$b_bg1" "$b_bg2"
# two periodic stats (every 1 s), where the agent raises event_flood from the drop counters
sleep $((2 * SCALE))
agent_int B
cp "$AGENT_ERR" "$FN_RUN/b.err"

check_attacks B b
check_accounting B b
info "B: $((OPENS / B_FLOOD_S)) opens/s in all; the agent wrote $(wc -l <"$AGENT_OUT") lines; final stats: $(jq -c '{drops: (.drops | {ringbuf_full, low_priority_refused, cgroups_dropping}), quiet}' <<<"$STATS")"
info "B: drops.by_cgroup: $(jq -c .drops.by_cgroup <<<"$STATS")"
FCG=$(jq -c "[.drops.by_cgroup[]? | select(.cgroup_id==$FLOOD_CGID)]" <<<"$STATS")
check_eq "B: drops.by_cgroup names the flood pod's cgroup once (path, pod, container)" \
	"$(jq -c '[.[] | [.cgroup_path, .host, .namespace, .pod_name, .container]]' <<<"$FCG")" \
	"[[\"$POD_flood_CGREL\",false,\"default\",\"flood\",\"app\"]]"
check "B: the flood pod's cgroup had low-priority records refused (low_refused $DROPS_LOW)" \
	test "$DROPS_LOW" -gt 0
check "B: its last_pid is one of the flooders" \
	jqtrue ".[0].last_pid == $(pid_of bf1) or .[0].last_pid == $(pid_of bf2)" <<<"$FCG"
check "B: drops.low_priority_refused counts at least the flood pod's ($DROPS_LOW)" \
	jqtrue ".drops.low_priority_refused >= $DROPS_LOW and .drops.cgroups_dropping >= 1" <<<"$STATS"
check_eq "B: no record of the attackers' cgroups was dropped" \
	"$(jq -c "[.drops.by_cgroup[]? | select(.cgroup_id==$(stat -c %i "$POD_irsa_CG") or .cgroup_id==$(stat -c %i "$POD_thief_CG"))]" <<<"$STATS")" "[]"
FL='.event=="event_flood"'
info "B: event_flood lines: $(events "$FL" | jq -c '{pod: .pod.name, cgroup: .cgroup.id, flood, finding: .finding.rule}' | tr '\n' ' ')"
check_eq "B: one event_flood finding names the flood pod" \
	"$(count_events "$FL and .pod.uid==\"$POD_flood_UID\"")" 1
check_eq "B: it is event_flood/high, T1562.006, on the flood pod's container and cgroup" \
	"$(events "$FL and .pod.uid==\"$POD_flood_UID\"" | jq -c '[.finding.rule, .finding.severity, .finding.mitre, .pod.namespace, .pod.name, .container.name, .cgroup.id, .host]')" \
	"[\"event_flood\",\"high\",\"T1562.006\",\"default\",\"flood\",\"app\",$FLOOD_CGID,false]"
check "B: its flood part says low-priority records were refused over >= 3 s" \
	jqtrue '.flood.low_refused > 0 and .flood.seconds >= 3 and (.flood.full | type) == "number" and (.flood.episode_start | type) == "string"' \
	<<<"$(events "$FL and .pod.uid==\"$POD_flood_UID\"" | head -1)"
check_eq "B: no event_flood names an attacker's pod" \
	"$(count_events "$FL and (.pod.uid==\"$POD_irsa_UID\" or .pod.uid==\"$POD_thief_UID\")")" 0
check "B: periodic agent_stats lines were written (--stats-interval 1)" \
	test "$(count_events '.event=="agent_stats"')" -ge 2

check_secrets "A and B"
info "done in $((SECONDS - T_START)) s"
finish
