#!/bin/bash
# make install (PREFIX, DESTDIR) installs the binary and the man page; the man page is built
# from its one source with the version from VERSION, renders without warnings, and documents
# every option the commands' --help texts name.
# single-quoted scripts are bash -c programs
# shellcheck disable=SC2016
set -u
cd "$(dirname "$0")/../.." || exit 1
CHECKS_FAILED=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; CHECKS_FAILED=$((CHECKS_FAILED + 1)); }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
VERSION=$(cat VERSION)

check "make install DESTDIR=... PREFIX=/usr" make --no-print-directory -s install DESTDIR="$T/pkg" PREFIX=/usr
check "binary installed, executable" test -x "$T/pkg/usr/bin/credwatch"
check "man page installed" test -f "$T/pkg/usr/share/man/man1/credwatch.1"
check "the installed binary's --version is VERSION ($VERSION)" \
	bash -c '"$1" --version | grep -qF "credwatch $2 "' _ "$T/pkg/usr/bin/credwatch" "$VERSION"
check "the man page carries VERSION" grep -qF "\"credwatch $VERSION\"" "$T/pkg/usr/share/man/man1/credwatch.1"
check "the man page renders without groff warnings" \
	bash -c '[ -z "$(groff -man -ww -z "$1" 2>&1)" ]' _ "$T/pkg/usr/share/man/man1/credwatch.1"
MANWIDTH=100 man -l "$T/pkg/usr/share/man/man1/credwatch.1" >"$T/man.txt" 2>/dev/null
check "man -l shows the four commands" bash -c 'for c in run trace view scan; do grep -qE "^       $c " "$1" || exit 1; done' _ "$T/man.txt"
# every long option of every --help is in the man page
for cmd in "" view scan health; do
	# shellcheck disable=SC2086
	build/credwatch $cmd --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]+' | sort -u >"$T/opts"
	missing=$(while read -r o; do grep -qF -- "$o" "$T/man.txt" || echo "$o"; done <"$T/opts")
	check "every option of 'credwatch ${cmd:-run/trace} --help' is in the man page ($(wc -l <"$T/opts") options)${missing:+; missing: $missing}" test -z "$missing"
done
# the default PREFIX is /usr/local
check "default PREFIX /usr/local" bash -c 'make --no-print-directory -n install DESTDIR=/x | grep -qF "/x/usr/local/bin/credwatch"'
check "make uninstall removes both" bash -c 'make --no-print-directory -s uninstall DESTDIR="$1" PREFIX=/usr && ! test -e "$1/usr/bin/credwatch" && ! test -e "$1/usr/share/man/man1/credwatch.1"' _ "$T/pkg"
[ "$CHECKS_FAILED" -eq 0 ]
