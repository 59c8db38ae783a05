#!/bin/sh
# Install the named Debian packages that are not installed yet; do nothing
# (and touch no network) when all are present.
set -eu
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages:$missing — run as root (or apt-get install them)" >&2
	exit 1
fi
echo "installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# another apt-get (a parallel suite, unattended upgrades) may hold the lock: wait for it
lock="-o DPkg::Lock::Timeout=300"
# shellcheck disable=SC2086
apt-get $lock update -qq >&2 || { echo "apt-get update failed: is a Debian mirror reachable?" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get $lock install -y -qq --no-install-recommends $missing >&2
