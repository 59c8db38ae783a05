#!/bin/bash
# The whole test suite, as `make test` runs it: formatting, unit tests (with
# ASan/UBSan), integration tests with the real agent on a fake node, the kernel matrix,
# real AWS clients, and a real container runtime (cri). Prints
# each suite's summary and a final "total: N passed, N failed" line.
set -u
cd "$(dirname "$0")/.." || exit 1
MAKE=${MAKE:-make}
total_p=0 total_f=0

last_p=0 last_f=0
run_suite() {
	local name=$1 log p f line start=$SECONDS
	shift
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
	rm -f "$log"
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	else
		p=0 f=0
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: suite $name exited $rc"
		f=1
	fi
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	last_p=$p last_f=$f
	echo "suite $name: $p passed, $f failed, $((SECONDS - start)) s"
}

run_suite check-format $MAKE --no-print-directory check-format-count
run_suite unit $MAKE --no-print-directory unit
run_suite golden $MAKE --no-print-directory golden
run_suite bpf-unit $MAKE --no-print-directory bpf-unit
# libFuzzer on the parsers of untrusted input, FUZZ_SECONDS (10) per target (tests/fuzz)
run_suite fuzz $MAKE --no-print-directory fuzz
run_suite integration $MAKE --no-print-directory integration
# the kernel matrix: the integration suite above was the host kernel's run; the VM runs the
# same suites on 6.1, and both result lines are printed
CW_HOST_RESULT="$last_p $last_f" run_suite kernels $MAKE --no-print-directory test-kernels KERNELS_FLAGS=--vm-only
run_suite e2e $MAKE --no-print-directory e2e
run_suite cri $MAKE --no-print-directory test-cri
run_suite cloudwatch $MAKE --no-print-directory test-cloudwatch
echo
echo "total: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
