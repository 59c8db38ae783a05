#!/bin/bash
# Runs the unit-test binaries (built with ASan/UBSan) and sums their
# "unit NAME: N passed, N failed" lines. A binary that crashes or reports a
# sanitizer error counts as a failure.
set -u
passed=0 failed=0
for bin in "$@"; do
	out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$bin" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(unit |FAIL)' || true
	line=$(echo "$out" | grep -E '^unit .*: [0-9]+ passed, [0-9]+ failed$' | tail -1)
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	[ -z "$line" ] && p=0 f=0
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $bin exited $rc"
		echo "$out" | tail -20
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
