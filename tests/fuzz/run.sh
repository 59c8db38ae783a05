#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The fuzz suite (make fuzz): runs each libFuzzer target given as an argument for
# FUZZ_SECONDS (default 10), two at a time, and prints one PASS/FAIL line per target, then
# "fuzz: N passed, N failed".
#
# A target FAILs on a crash, a sanitizer report (ASan, UBSan, LeakSanitizer), a broken
# invariant of its own, an input slower than FUZZ_TIMEOUT seconds (default 10), running out
# of memory, or running no input at all; the failure shows the reproducer (kept under
# build/fuzz/artifacts/<target>/) and the report with its stack (the whole log is in
# build/fuzz/logs/<target>.log). Reproduce with: build/fuzz/bin/<target> <reproducer>.
#
# Each target starts from its seeds (tests/fuzz/corpus/<target>/, read only) and its working
# corpus (build/fuzz/corpus/<target>/, where new inputs go and stay for the next run), with
# its dictionary from tests/fuzz/dict/ when there is one. Nothing is written into
# the source tree.
#
# First the runner checks itself: build/fuzz/bin/selftest has one planted bug per seed in
# tests/fuzz/selftest/ (heap overflow, signed overflow, leak, a planted secret in an output,
# a hang); each must come out as a failure of this runner, or the suite fails.
#
#   FUZZ_SECONDS  seconds per target (make fuzz FUZZ_SECONDS=600 for a long run)
#   FUZZ_JOBS     targets run at the same time, 1 or 2 (default 2; each is one process)
#   FUZZ_TIMEOUT  seconds one input may take
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=${FUZZ_SECONDS:-10}
jobs=${FUZZ_JOBS:-2}
per_input=${FUZZ_TIMEOUT:-10}
out=build/fuzz
[[ $secs =~ ^[0-9]+$ && $secs -ge 1 ]] || { echo "fuzz: bad FUZZ_SECONDS '$secs'" >&2; exit 2; }
[[ $jobs == 1 || $jobs == 2 ]] || { echo "fuzz: FUZZ_JOBS must be 1 or 2" >&2; exit 2; }
mkdir -p "$out/logs" "$out/corpus" "$out/artifacts" "$out/results" || exit 1
passed=0 failed=0

# the dictionary of a target (tests/fuzz/dict/)
dict_of() {
	case $1 in
	fuzz_http | fuzz_httpmsg | fuzz_conns) echo tests/fuzz/dict/http.dict ;;
	fuzz_config | fuzz_jsonpos) echo tests/fuzz/dict/config.dict ;;
	*) echo "tests/fuzz/dict/${1#fuzz_}.dict" ;;
	esac
}

# the largest input each target is given (bytes)
max_len() {
	case $1 in
	fuzz_conns | fuzz_httpmsg | fuzz_config | fuzz_ocispec) echo 16384 ;;
	fuzz_jwt) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

# run_one NAME BIN SECONDS TIMEOUT SEEDDIR: fuzz, then write the verdict to results/NAME
# ("PASS|FAIL <line>" then the report lines). Returns 0 on PASS.
run_one() {
	local name=$1 bin=$2 s=$3 tmo=$4 seeds=$5
	local log=$out/logs/$name.log res=$out/results/$name art=$out/artifacts/$name/
	local corpus=$out/corpus/$name dict rc
	local -a opts=(-max_total_time="$s" -timeout="$tmo" -rss_limit_mb=2048
		-max_len="$(max_len "$name")" -print_final_stats=1 -artifact_prefix="$art")
	local -a dirs=("$corpus")
	dict=$(dict_of "$name")
	[[ -f $dict ]] && opts+=(-dict="$dict")
	[[ -d $seeds ]] && dirs+=("$seeds")
	mkdir -p "$corpus" "$art"
	# a hang of the whole process (not of one input) is cut off too
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		timeout -k 10 $((s + tmo + 120)) "$bin" "${opts[@]}" "${dirs[@]}" \
		>"$log" 2>&1
	rc=$?
	local runs eps cov repro
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
	repro=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log" | tail -1)
	if [[ $rc -eq 0 && ${runs:-0} -gt 0 ]] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|fuzz invariant failed' "$log"; then
		echo "PASS: $name: $s s, ${runs} inputs (${eps:-?}/s), ${cov:-no coverage line}, corpus $(find "$corpus" -type f | wc -l) files (+$(find "$seeds" -type f 2>/dev/null | wc -l) seeds)" >"$res"
		return 0
	fi
	{
		local why="exit $rc"
		[[ $rc -eq 124 || $rc -eq 137 ]] && why="the whole run hung (killed after $((s + tmo + 120)) s)"
		[[ $rc -eq 0 && ${runs:-0} -eq 0 ]] && why="no input was run"
		grep -q 'ERROR: libFuzzer: timeout' "$log" && why="an input ran longer than $tmo s"
		grep -q 'out-of-memory' "$log" && why="out of memory"
		grep -q 'ERROR: LeakSanitizer' "$log" && why="memory leak"
		grep -q 'runtime error:' "$log" && why="undefined behaviour (UBSan)"
		grep -q 'ERROR: AddressSanitizer' "$log" && why="memory error (ASan)"
		grep -q 'fuzz invariant failed' "$log" && why="invariant broken"
		echo "FAIL: $name: $why after ${runs:-?} inputs; reproducer: ${repro:-none}; log: $log"
		[[ -n $repro ]] && echo "  reproduce: $bin $repro"
		# the report: from its first line, with the stack, without libFuzzer's own frames
		grep -nE 'fuzz invariant failed|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==[0-9]+==ERROR' "$log" |
			head -1 | cut -d: -f1 | {
			read -r first || first=1
			tail -n "+$first" "$log" | grep -vE 'in fuzzer::|in __libc_start|in _start |in main .*fuzz|in __sanitizer_print_stack_trace|INFO:|NOTE: |Combine libFuzzer|^stat::|^MS: |^0x|^artifact_prefix|^Base64|^\\|^$' |
				sed '/Shadow bytes around the buggy address/,/ABORTING/d' | head -40 |
				sed 's/^/  /'
		}
	} >"$res"
	return 1
}

# --- the runner checks itself ---------------------------------------------------------------
selftest=$out/bin/selftest
declare -A expect=([asan]="memory error (ASan)" [ubsan]="undefined behaviour (UBSan)"
	[leak]="memory leak" [secret]="invariant broken" [hang]="an input ran longer than 2 s")
if [[ ! -x $selftest ]]; then
	echo "FAIL: fuzz runner self-test: $selftest is not built"
	failed=$((failed + 1))
else
	for kind in asan ubsan leak secret hang; do
		rm -rf "$out/corpus/selftest-$kind" "$out/artifacts/selftest-$kind"
		res=$out/results/selftest-$kind
		if CWFUZZ_SELFTEST=$kind run_one "selftest-$kind" "$selftest" 5 2 ""; then
			echo "FAIL: fuzz runner self-test: a planted $kind bug was not reported"
			failed=$((failed + 1))
		elif head -1 "$res" | grep -qF "${expect[$kind]} after" &&
			head -1 "$res" | grep -q "reproducer: $out/artifacts/selftest-$kind/" &&
			grep -q "^  reproduce: " "$res"; then
			echo "PASS: fuzz runner self-test: a planted $kind bug is reported as \"${expect[$kind]}\", with its reproducer"
			passed=$((passed + 1))
		else
			echo "FAIL: fuzz runner self-test: a planted $kind bug was not reported as \"${expect[$kind]}\" with a reproducer:"
			sed 's/^/  /' "$res"
			failed=$((failed + 1))
		fi
		rm -rf "$out/corpus/selftest-$kind"
	done
fi

# --- the targets, FUZZ_JOBS at a time -------------------------------------------------------
declare -A running=()
report() {
	local name=$1 rc=$2
	cat "$out/results/$name"
	if [[ $rc -eq 0 ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
}
start=$SECONDS
for bin in "$@"; do
	name=${bin##*/}
	if [[ ! -x $bin ]]; then
		echo "FAIL: $name: $bin is not built"
		failed=$((failed + 1))
		continue
	fi
	while ((${#running[@]} >= jobs)); do
		wait -n -p done_pid
		rc=$?
		report "${running[$done_pid]}" "$rc"
		unset "running[$done_pid]"
	done
	run_one "$name" "$bin" "$secs" "$per_input" "tests/fuzz/corpus/$name" &
	running[$!]=$name
done
while ((${#running[@]})); do
	wait -n -p done_pid
	rc=$?
	report "${running[$done_pid]}" "$rc"
	unset "running[$done_pid]"
done
echo "fuzz: $# targets, $secs s each, $jobs at a time, $((SECONDS - start)) s"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
