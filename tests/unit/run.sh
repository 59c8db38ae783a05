#!/bin/bash
# Runs the unit-test binaries (built with ASan/UBSan) and sums their
# "unit NAME: N passed, N failed" lines. A binary that crashes or reports a
# sanitizer error counts as a failure.
#
# Cross-built binaries (make unit ARCH=arm64) run under an emulator:
#   UNIT_EXEC    command put before each binary (e.g. qemu-aarch64-static)
#   UNIT_NAME    suite name on the result line (default "unit"; "unit-arm64")
#   UNIT_LEAKS   1 (default) or 0: LeakSanitizer on or off. Under qemu-user it
#                cannot work (it stops the other threads with ptrace, which
#                qemu-user does not emulate) and aborts every binary, so
#                make unit ARCH=arm64 runs ASan and UBSan without it.
#   UNIT_SANCHECK a binary with a planted heap overflow and a planted signed
#                overflow (tests/unit/sancheck.c): it must be caught, by ASan
#                and by UBSan, under the same UNIT_EXEC, or the suite fails
#                (proves the sanitizers work where the tests run).
set -u
name=${UNIT_NAME:-unit}
read -r -a exe <<<"${UNIT_EXEC-}"
leaks=${UNIT_LEAKS:-1}
asan="detect_leaks=$leaks:abort_on_error=1"
ubsan="print_stacktrace=1:halt_on_error=1"
passed=0 failed=0
[ ${#exe[@]} -gt 0 ] && echo "$name: running under ${exe[*]}$([ "$leaks" = 0 ] && echo ", LeakSanitizer off")"

if [ -n "${UNIT_SANCHECK-}" ]; then
	for kind in asan ubsan; do
		case $kind in
		asan) want='ERROR: AddressSanitizer: heap-buffer-overflow' ;;
		ubsan) want='runtime error: signed integer overflow' ;;
		esac
		out=$(ASAN_OPTIONS=$asan UBSAN_OPTIONS=$ubsan "${exe[@]}" "$UNIT_SANCHECK" "$kind" 2>&1)
		rc=$?
		if [ "$rc" -ne 0 ] && grep -q "$want" <<<"$out"; then
			echo "PASS: $kind catches its planted error${exe:+ under ${exe[0]}}"
			passed=$((passed + 1))
		else
			echo "FAIL: $kind did not catch its planted error (exit $rc)"
			tail -5 <<<"$out"
			failed=$((failed + 1))
		fi
	done
fi

for bin in "$@"; do
	out=$(ASAN_OPTIONS=$asan UBSAN_OPTIONS=$ubsan "${exe[@]}" "$bin" 2>&1)
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
echo "$name: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
