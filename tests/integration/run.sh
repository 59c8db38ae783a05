#!/bin/bash
# Runs every tests/integration/test_*.sh (or those named) as root, each in its
# own process; counts PASS/FAIL lines. A script that exits non-zero without a
# FAIL line counts as one failure. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ]; then
	echo "integration tests need root (BPF, cgroups, network namespaces)" >&2
	exit 1
fi
scripts=("$@")
[ ${#scripts[@]} -eq 0 ] && scripts=(tests/integration/test_*.sh)
passed=0 failed=0
for t in "${scripts[@]}"; do
	echo "=== $t"
	log=$(mktemp)
	start=$(date +%s)
	bash "$t" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $t exited $rc"
		f=1
	fi
	echo "=== $t: $p passed, $f failed ($(($(date +%s) - start)) s)"
	passed=$((passed + p))
	failed=$((failed + f))
	rm -f "$log"
done
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
