#!/bin/bash
# The CloudWatch suite (make test-cloudwatch): the static checks of deploy/cloudwatch
# (check_static.py: fields against the event schema, the filter-pattern evaluator against the
# documented examples, CloudFormation consistency), then the pipeline with real events and the
# real Fluent Bit (test_pipeline.sh, as root). Counts PASS/FAIL/SKIP lines; a step that exits
# non-zero without a FAIL line counts as one failure. Ends with
# "cloudwatch: N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0 skipped=0
# what this suite uses beyond the build and test packages (Fluent Bit's own build packages are
# installed by build-fluent-bit.sh when it has to build)
tests/lib/ensure-debs.sh python3 python3-yaml python3-jsonschema openssl jq curl iproute2 util-linux || exit 1
step() {
	local name=$1 log rc p f s start=$SECONDS
	shift
	echo "=== $name"
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	s=$(grep -c '^SKIP: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name exited $rc"
		f=1
	fi
	echo "=== $name: $p passed, $f failed, $s skipped ($((SECONDS - start)) s)"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	rm -f "$log"
}
step static /usr/bin/python3 tests/cloudwatch/check_static.py
if [ "$(id -u)" = 0 ]; then
	step pipeline bash tests/cloudwatch/test_pipeline.sh
else
	echo "SKIP: the pipeline test needs root (fake node, namespaces)"
	skipped=$((skipped + 1))
fi
if [ "$skipped" -gt 0 ]; then
	echo "cloudwatch: $passed passed, $failed failed, $skipped skipped"
else
	echo "cloudwatch: $passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
