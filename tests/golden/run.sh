#!/bin/bash
# The characterization test of the event pipeline: replay a fixed set of kernel records on a
# fixed node with a fixed clock (build/tests/golden/replay, tests/golden/scenario.c), put
# placeholders where the output depends on the machine (device and inode numbers of the
# fixture's tmpfs volumes and socket (devices by name, inodes all alike), the agent's pid, the
# fixture's paths, and the output's byte and line counts, which follow the paths' lengths),
# and compare with tests/golden/expected.jsonl, byte for byte. Also: every line is one JSON
# object valid against the event schema, and none of the secrets the scenario planted appears.
#
#   tests/golden/run.sh            compare
#   tests/golden/run.sh --update   rewrite expected.jsonl (then read the diff by hand)
set -u
cd "$(dirname "$0")/../.." || exit 1
REPLAY=${REPLAY:-build/tests/golden/replay}
EXPECTED=tests/golden/expected.jsonl
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$REPLAY" "$tmp/subst" >"$tmp/raw" 2>"$tmp/err"; then
	cat "$tmp/err"
	fail "replay ran"
	echo "golden: $passed passed, $failed failed"
	exit 1
fi
pass "replay ran"

# machine-dependent values -> placeholders (literal replacements listed by replay, then the
# fields that hold a pid, a duration or the time of writing)
cp "$tmp/raw" "$tmp/norm"
while read -r real sym; do
	python3 - "$tmp/norm" "$real" "$sym" <<'PY'
import sys
p, real, sym = sys.argv[1:]
s = open(p, 'rb').read().replace(real.encode(), sym.encode())
open(p, 'wb').write(s)
PY
done <"$tmp/subst"
sed -E -i \
	-e 's/("agent":\{"version":"[^"]*","pid":)[0-9]+/\1"<pid>"/' \
	-e 's/"cgroup2_mount":"[^"]*"/"cgroup2_mount":"<cgroup2>"/' \
	-e 's/"host_root":"[^"]*"/"host_root":"<root>"/' \
	-e 's/"ino":[0-9]+/"ino":"<ino>"/g' \
	-e 's/("output":\{"lines_written":)[0-9]+,"lines_pending":[0-9]+,("lines_lost":[0-9]+,"bytes_written":)[0-9]+/\1"<n>","lines_pending":"<n>",\2"<bytes>"/' \
	"$tmp/norm"

if [ "${1:-}" = --update ]; then
	cp "$tmp/norm" "$EXPECTED"
	echo "golden: wrote $EXPECTED ($(wc -l <"$EXPECTED") lines); review it: git diff $EXPECTED"
	exit 0
fi

if cmp -s "$tmp/norm" "$EXPECTED"; then
	pass "output identical to $EXPECTED ($(wc -l <"$EXPECTED") lines)"
else
	fail "output differs from $EXPECTED:"
	diff -u "$EXPECTED" "$tmp/norm" | head -80
fi

# every line one schema-valid JSON object (the raw output, before placeholders)
if python3 tests/lib/validate_events.py "$tmp/raw" >"$tmp/val" 2>&1; then
	pass "every line is a schema-valid event"
else
	fail "schema: $(head -5 "$tmp/val")"
fi

# planted secrets never appear (argv, IMDSv2 session token in headers and in the PUT's answer,
# Authorization, JWT signature, a static key in a container's environment, the secret key and
# session token of credentials responses)
for s in CWGOLDENSIGnotARealSignature AQAEAGOLDENSESSIONTOKEN GOLDENAUTHORIZATIONTOKEN \
	GOLDENARGVSECRET GOLDENENVSECRET AKIAGOLDENKEYID GOLDENSECRETACCESSKEY GOLDENSTSSESSIONTOKEN; do
	if grep -aq "$s" "$tmp/raw" "$tmp/err"; then
		fail "secret $s appears in the output"
	else
		pass "secret $s absent"
	fi
done
echo "golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
