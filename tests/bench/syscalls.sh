#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The "unrelated syscalls" figure of `make bench` (issue 19): what a workload that never
# touches a credential pays per syscall for credwatch being on the node. One run, on the
# kernel this runs on: tests/bench/run.sh runs it on the host, tests/kernels/bench-vm.sh in
# the Debian 6.1 VM (init.sh cw.bench=1). Variants, in interleaved rounds (the order rotates
# each round):
#
#   none       nothing of ours attached
#   tp1        ONE empty program on tp/syscalls/sys_exit_openat (floor --hooks): any syscall
#              tracepoint puts every task on the syscall slow path; the floor of any agent
#              that keeps one
#   floor      empty programs on exactly the hooks credwatch attached (floor --hooks, the
#              list from credwatch's agent_ready); skipped, and said so, when floor.bpf.c has
#              no program for one of them
#   stopped    credwatch loaded and attached, its process stopped (SIGSTOP): the in-kernel
#              cost alone
#   credwatch  credwatch running (run --output /dev/null: these loops make no event)
#
# stopped and credwatch share one agent start per round (their order alternates); the first
# start, in round 0, writes to a file instead of /dev/null, for its agent_ready line. Every
# variant measures `cwbench unrelated ITERS REPS`: getppid(), a 1-byte read() of /dev/zero
# and fstat() of an open fd, ns per call, the median of REPS loops: wall time (<env>.<syscall>.
# <variant>) and the calling thread's CPU time (<env>.<syscall>_cpu.<variant>: without the
# time it waited for a CPU, which on a busy machine is most of the noise).
#
# Usage: syscalls.sh ENV SAMPLES   (ENV: host or vm; samples appended to SAMPLES as
# "fig6<TAB>key<TAB>value", the format of run.sh; a round's values are written only when
# every variant of it was measured)
# Environment: SB_CW, SB_CWBENCH, SB_FLOOR (the binaries; default build/...), SB_ROUNDS (7),
# SB_ITERS (100000), SB_REPS (3), SB_SETTLE (seconds between a start and the measurement,
# 0.3), SB_WAIT_MS (how long a start may take, 30000), SB_DIR (scratch directory, default a
# new one under /tmp), SB_ECHO (a prefix: each sample is also printed on stdout with it;
# the VM's console protocol), SB_FOREIGN (1: before each round, look for BPF programs of
# others on syscall tracepoints with bpftool and wait for them to go, at most 20 s in all;
# each round records how many there were), SB_VARIANTS (default "agent none tp1 floor";
# agent always comes first in round 0).
# Progress on stderr. Cleanup (EXIT/INT/TERM): the processes started here, by pid.
set -u
env_name=${1:?usage: syscalls.sh host|vm SAMPLES}
samples=${2:?usage: syscalls.sh host|vm SAMPLES}
CW=${SB_CW:-build/credwatch}
BB=${SB_CWBENCH:-build/bench/cwbench}
FLOOR=${SB_FLOOR:-build/bench/floor}
ROUNDS=${SB_ROUNDS:-7}
ITERS=${SB_ITERS:-100000}
REPS=${SB_REPS:-3}
SETTLE=${SB_SETTLE:-0.3}
WAIT_MS=${SB_WAIT_MS:-30000}
FOREIGN=${SB_FOREIGN:-0}
read -r -a UNITS <<<"${SB_VARIANTS:-agent none tp1 floor}"
SYSCALLS=(getppid read fstat)
T0=$SECONDS

own_dir=0
if [[ -n ${SB_DIR:-} ]]; then
	D=$SB_DIR
	mkdir -p "$D" || exit 1
else
	D=$(mktemp -d /tmp/cw-sysbench.XXXXXX) || exit 1
	own_dir=1
fi
for f in "$CW" "$BB" "$FLOOR"; do
	[[ -x $f ]] || { echo "syscalls: $f missing" >&2; exit 1; }
done

log() { echo "syscalls [$env_name $((SECONDS - T0))s]: $*" >&2; }
sample() {
	printf 'fig6\t%s.%s\t%s\n' "$env_name" "$1" "$2" >>"$samples"
	[[ -n ${SB_ECHO:-} ]] && printf '%s fig6\t%s.%s\t%s\n' "$SB_ECHO" "$env_name" "$1" "$2"
	return 0
}
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# --- processes we start: ended by pid at exit ---------------------------------------------
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || continue
		kill -CONT "$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	((own_dir)) && rm -rf -- "$D"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# stop_pid PID: SIGTERM (after SIGCONT, should it be stopped) and wait; the exit status
stop_pid() {
	kill -CONT "$1" 2>/dev/null
	kill -TERM "$1" 2>/dev/null
	wait "$1"
}

# wait_for FILE STRING PID MS: until FILE holds STRING (0), PID has ended or MS ms have
# passed (1)
wait_for() {
	local end=$((${EPOCHREALTIME/./} / 1000 + $4))
	while :; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		((${EPOCHREALTIME/./} / 1000 < end)) || return 1
		sleep 0.02
	done
}

# agent_start [--output FILE]: credwatch run; APID; waits for its heartbeat file, which it
# writes right after agent_ready (with --output /dev/null there is no line to wait for)
AGENT_N=0
agent_start() {
	local out=/dev/null t0 t1
	[[ ${1-} == --output ]] && out=$2
	AGENT_N=$((AGENT_N + 1))
	rm -f "$D/status.json"
	t0=${EPOCHREALTIME/./}
	"$CW" run --output "$out" --status-file "$D/status.json" 2>>"$D/agent.err" &
	APID=$!
	PIDS+=("$APID")
	if wait_for "$D/status.json" '"pid"' "$APID" "$WAIT_MS"; then
		t1=${EPOCHREALTIME/./}
	else
		log "credwatch not ready after $WAIT_MS ms: $(tail -5 "$D/agent.err")"
		stop_pid "$APID"
		return 1
	fi
	READY_MS=$(((t1 - t0) / 1000))
}

# floor_start HOOKS: the empty programs on HOOKS; FPID
floor_start() {
	: >"$D/floor.out"
	"$FLOOR" --hooks "$1" >"$D/floor.out" 2>&1 &
	FPID=$!
	PIDS+=("$FPID")
	if ! wait_for "$D/floor.out" floor_ready "$FPID" "$WAIT_MS"; then
		FLOOR_ERR=$(tr '\n' ' ' <"$D/floor.out")
		stop_pid "$FPID" 2>/dev/null
		return 1
	fi
}

# BPF programs of other processes on syscall tracepoints (sys_enter*/sys_exit*, and the raw
# sys_enter/sys_exit): while one is attached, "none" is not the fast path. Ours excluded.
foreign_syscall_tps() {
	local n=0 pid rest
	command -v bpftool >/dev/null || { echo -1; return; }
	while read -r pid rest; do
		[[ " ${PIDS[*]} " == *" $pid "* ]] || n=$((n + 1))
	done < <(bpftool perf list 2>/dev/null |
		awk '$1 == "pid" && $NF ~ /^sys_(enter|exit)/ { print $2 }')
	echo "$n"
}
QUIET_BUDGET=40	# half-seconds, for the whole run
quiet_wait() {
	local n
	n=$(foreign_syscall_tps)
	while ((n > 0 && QUIET_BUDGET > 0)); do
		sleep 0.5
		QUIET_BUDGET=$((QUIET_BUDGET - 1))
		n=$(foreign_syscall_tps)
	done
	FOREIGN_N=$n
}

# measure VARIANT: one `cwbench unrelated` into the round's buffer
declare -A RV
measure() {
	local line s
	sleep "$SETTLE"
	line=$("$BB" unrelated "$ITERS" "$REPS") || { log "cwbench unrelated failed"; return 1; }
	for s in "${SYSCALLS[@]}" "${SYSCALLS[@]/%/_cpu}"; do
		RV[$s.$1]=$(kv "$s" "$line")
		[[ -n ${RV[$s.$1]} ]] || { log "no $s in: $line"; return 1; }
	done
}

# --- rounds --------------------------------------------------------------------------------
sample kernel "$(uname -r)"
sample nproc "$(nproc)"
sample load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
sample rounds "$ROUNDS"
sample iters "$ITERS"
sample reps "$REPS"

# the first start of credwatch writes its lines to a file: what it attached, from its
# agent_ready line (every later start writes to /dev/null). The agent unit comes first in
# round 0, so the floor of its hooks knows them.
CW_HOOKS=
first_agent() {
	local ready
	ready=$(grep -m1 '"event":"agent_ready"' "$D/first.json")
	[[ -n $ready ]] || { log "no agent_ready line in credwatch's output"; return 1; }
	CW_HOOKS=$(jq -r '[.hooks[].hook] | join(",")' <<<"$ready")
	sample cw_hooks "$CW_HOOKS"
	sample cw_syscall_tracepoints "$(jq -r '[.hooks[].hook | select(test("^(tp/syscalls/|tp_btf/sys_(enter|exit)$|raw_tp/sys_(enter|exit)$)"))] | join(",")' <<<"$ready")"
	sample hook_selection "$(jq -c '.hook_selection | with_entries(.value |= .chosen)' <<<"$ready")"
	sample hook_selection_file_reason "$(jq -r '.hook_selection.file.reason' <<<"$ready")"
	log "credwatch attached: $CW_HOOKS"
}
units=(agent)
for u in "${UNITS[@]}"; do [[ $u == agent ]] || units+=("$u"); done
floor_state=unknown	# in_sync (floor attached credwatch's hooks) or skipped
log "$ROUNDS rounds of: ${units[*]} (agent = stopped + credwatch); $ITERS calls x $REPS per syscall"
done_rounds=0
for ((r = 0; r < ROUNDS; r++)); do
	((FOREIGN)) && quiet_wait
	RV=()
	order=()
	ok=1
	n=${#units[@]}
	for ((i = 0; i < n; i++)); do
		u=${units[(i + r) % n]}
		case $u in
		none)
			order+=(none)
			measure none || ok=0 ;;
		tp1)
			order+=(tp1)
			if floor_start tp/syscalls/sys_exit_openat; then
				measure tp1 || ok=0
				stop_pid "$FPID"
			else
				log "tp1 did not start: $FLOOR_ERR"
				ok=0
			fi ;;
		floor)
			[[ $floor_state == skipped ]] && continue
			if floor_start "$CW_HOOKS"; then
				if [[ $floor_state == unknown ]]; then
					floor_state=in_sync
					sample floor_status in_sync
				fi
				order+=(floor)
				measure floor || ok=0
				stop_pid "$FPID"
			elif [[ $floor_state == unknown ]]; then
				# a hook floor.bpf.c has no program for: this figure goes without it
				floor_state=skipped
				sample floor_status "skipped: $FLOOR_ERR"
				log "floor of credwatch's hooks skipped: $FLOOR_ERR"
			else
				log "floor did not start: $FLOOR_ERR"
				ok=0
			fi ;;
		agent)
			out=
			[[ -z $CW_HOOKS ]] && out=$D/first.json
			if agent_start ${out:+--output "$out"}; then
				sample start_ready_ms "$READY_MS"
				if [[ -n $out ]]; then
					first_agent || { stop_pid "$APID"; exit 1; }
				fi
				if ((r % 2)); then
					kill -STOP "$APID"
					order+=(stopped)
					measure stopped || ok=0
					kill -CONT "$APID"
					order+=(credwatch)
					measure credwatch || ok=0
				else
					order+=(credwatch)
					measure credwatch || ok=0
					kill -STOP "$APID"
					order+=(stopped)
					measure stopped || ok=0
				fi
				t=${EPOCHREALTIME/./}
				stop_pid "$APID" || { log "credwatch exited $?"; ok=0; }
				sample stop_ms "$(((${EPOCHREALTIME/./} - t) / 1000))"
			else
				((r == 0)) && exit 1
				ok=0
			fi ;;
		esac
		((ok)) || break
	done
	if ((!ok)); then
		log "round $r incomplete: not counted"
		continue
	fi
	for k in "${!RV[@]}"; do sample "$k" "${RV[$k]}"; done
	sample round_order "$(IFS=,; echo "${order[*]}")"
	sample round_load1 "$(load1)"
	((FOREIGN)) && sample round_foreign_syscall_tps "$FOREIGN_N"
	done_rounds=$((done_rounds + 1))
	log "round $r: $(for s in "${SYSCALLS[@]}"; do
		printf '%s %s/%s/%s ' "$s" "${RV[$s.none]}" "${RV[$s.tp1]-}" "${RV[$s.credwatch]}"
	done)(ns: none/tp1/credwatch)"
done
sample rounds_done "$done_rounds"
sample load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
sample duration_s "$((SECONDS - T0))"
[[ -s $D/agent.err ]] && log "agent stderr: $(tail -3 "$D/agent.err" | tr '\n' ' ')"
((done_rounds > 0))
