#!/bin/bash
# --metrics-listen (issue 15 item 4): Prometheus text on 127.0.0.1 (port chosen by the kernel,
# read from the status file) and on a unix socket, scraped while the agent runs and sees
# events: `promtool check metrics` accepts it; findings by rule and severity and events by type
# are there and agree with the agent's own lines; no label but event, rule, severity, reason
# (and version on build_info); no pod name or uid anywhere; other paths 404; off by default;
# a bad address is refused at start. Scrapes go to 127.0.0.1 / a unix socket only.
# Network: the IMDS fetch and connects run in the pod's own network namespace (fakenode.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/fakenode.sh
. tests/lib/agent.sh
CONNECT=$PWD/build/tests/cw_connect
CREDP=/latest/meta-data/iam/security-credentials/credwatch-sim-node-role

if ! command -v promtool >/dev/null; then
	echo "SKIP: promtool not installed (Debian package prometheus; make test installs it)"
	fail "promtool missing"
	exit 1
fi

fn_init || exit 1
fn_root
{ fn_pod mp && fn_pod_state mp --namespace metrics-ns --name metrics-pod-1 && fn_volumes mp --sa &&
	fn_sim mp; } || { fail "pod setup"; exit 1; }
ST=$FN_RUN/status.json

# fold repeats (a short window) so that finding_summary and repeats show up too
printf '{"policy": {"fold_window_seconds": 5}}\n' >"$FN_RUN/cfg.json"
agent_start --metrics-listen 127.0.0.1:0 --status-file "$ST" --config "$FN_RUN/cfg.json" \
	--host-root "$FN_ROOT" || exit 1
addr=$(jq -r .metrics_listen "$ST")
check "the status file names the bound address ($addr)" grep -qE '^127\.0\.0\.1:[0-9]+$' <<<"$addr"
check "stderr names the endpoint" grep -q "metrics: http://$addr/metrics" "$AGENT_ERR"
check "ss shows the agent listening there (the control for 'off by default' below)" \
	bash -c 'ss -ltnp 2>/dev/null | grep -F "$1" | grep -q "pid=$2,"' _ "$addr" "$AGENT_PID"

fn_in_pod mp "$CONNECT" -u -n 25 169.254.169.254 80 >/dev/null
for i in 1 2 3; do
	fn_in_pod mp curl -s -m 3 -o /dev/null "http://169.254.169.254$CREDP"
done
sleep 6 # the fold window (5 s) closes: a finding_summary with the repeats
curl -s -m 5 -o "$FN_RUN/m1.txt" -w '%{http_code} %{content_type}' "http://$addr/metrics" >"$FN_RUN/m1.code"
check_eq "scrape: 200, the Prometheus text content type" "$(cat "$FN_RUN/m1.code")" "200 text/plain; version=0.0.4; charset=utf-8"
check "promtool check metrics accepts it ($(promtool check metrics <"$FN_RUN/m1.txt" 2>&1 | head -3))" \
	bash -c 'promtool check metrics <"$1" >/dev/null 2>&1' _ "$FN_RUN/m1.txt"
val() { awk -v k="$1" '$1 == k { print $2 }' "${2:-$FN_RUN/m1.txt}"; }
check "events_total{endpoint_connect} counts the 25 connects ($(val 'credwatch_events_total{event="endpoint_connect"}'))" \
	test "$(val 'credwatch_events_total{event="endpoint_connect"}')" -ge 25
check_eq "findings_total{imds_credential_fetch,high}: the one written event (repeats are folded)" \
	"$(val 'credwatch_findings_total{rule="imds_credential_fetch",severity="high"}')" 1
check_eq "finding_repeats_total{imds_credential_fetch,high}: the two folded repeats" \
	"$(val 'credwatch_finding_repeats_total{rule="imds_credential_fetch",severity="high"}')" 2
check "events_total{finding_summary} >= 1" test "$(val 'credwatch_events_total{event="finding_summary"}')" -ge 1
check_eq "build_info has the version" "$(val "credwatch_build_info{version=\"$(cat VERSION)\"}")" 1
labels=$(grep -v '^#' "$FN_RUN/m1.txt" | grep -o '{[^}]*}' | grep -oE '[a-z_]+=' | sort -u | tr '\n' ' ')
check_eq "labels: only event, reason, rule, severity, version" "$labels" "event= reason= rule= severity= version= "
check "no pod name, namespace or uid in the metrics" \
	bash -c '! grep -qE "metrics-pod-1|metrics-ns|$1" "$2"' _ "$POD_mp_UID" "$FN_RUN/m1.txt"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$addr/other")
check_eq "another path: 404" "$code" 404
# a second scrape: counters move forward
fn_in_pod mp "$CONNECT" -u -n 5 169.254.169.254 80 >/dev/null
sleep 0.5
curl -s -m 5 -o "$FN_RUN/m2.txt" "http://$addr/metrics"
check "a later scrape: endpoint_connect grew by the 5 connects" \
	test "$(val 'credwatch_events_total{event="endpoint_connect"}' "$FN_RUN/m2.txt")" -ge $(($(val 'credwatch_events_total{event="endpoint_connect"}') + 5))
# clients that connect and say nothing do not stop the agent from answering others
idle=()
for i in 1 2 3; do
	exec {fd}<>"/dev/tcp/127.0.0.1/${addr##*:}"
	idle+=("$fd")
done
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$addr/metrics")
check_eq "idle clients open: a scrape still answers" "$code" 200
for fd in "${idle[@]}"; do
	exec {fd}>&-
done
agent_stop
final=$(jq -c 'select(.event=="agent_stats")' "$AGENT_OUT" | tail -1)
check "the scrape agrees with agent_stats: endpoint_connect (scrape <= final)" \
	test "$(val 'credwatch_events_total{event="endpoint_connect"}' "$FN_RUN/m2.txt")" -le "$(jq .events.endpoint_connect <<<"$final")"
check_eq "the scrape agrees with agent_stats: the summaries" \
	"$(val 'credwatch_events_total{event="finding_summary"}' "$FN_RUN/m2.txt")" "$(jq .finding_counts.summaries <<<"$final")"
check "port closed after exit" bash -c '! curl -s -m 2 -o /dev/null "http://$1/metrics"' _ "$addr"

# --- a unix socket ----------------------------------------------------------------------------------
SOCK=$FN_RUN/metrics.sock
AGENT_OUT=$FN_RUN/unix.json
agent_start --metrics-listen "$SOCK" --status-file "$ST" || exit 1
check "unix socket: created" test -S "$SOCK"
curl -s -m 5 --unix-socket "$SOCK" -o "$FN_RUN/m3.txt" http://localhost/metrics
check "unix socket: promtool accepts the scrape" bash -c 'promtool check metrics <"$1" >/dev/null 2>&1' _ "$FN_RUN/m3.txt"
agent_stop
check "unix socket: removed at exit" test ! -e "$SOCK"

# --- off by default, bad addresses -------------------------------------------------------------------
AGENT_OUT=$FN_RUN/off.json
agent_start --status-file "$ST" || exit 1
check_eq "off by default: no metrics address in the status file" "$(jq -r '.metrics_listen // "none"' "$ST")" none
check "off by default: no listening socket of the agent" \
	bash -c '! ss -ltnpx 2>/dev/null | grep -q "pid=$1,"' _ "$AGENT_PID"
agent_stop
for bad in nonsense 127.0.0.1 127.0.0.1:99999 "[::1:80" 10.255.255.1:80; do
	rc=0
	timeout 20 "$CREDWATCH" run --metrics-listen "$bad" --duration 1 >/dev/null 2>"$FN_RUN/bad.err" || rc=$?
	check "--metrics-listen '$bad': exit 1 with a message ($(head -1 "$FN_RUN/bad.err"))" \
		bash -c '[ "$1" != 0 ] && grep -q -- "--metrics-listen" "$2"' _ "$rc" "$FN_RUN/bad.err"
done
finish
