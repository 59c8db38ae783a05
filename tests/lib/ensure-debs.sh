#!/bin/sh
# Install the named Debian packages that are not installed yet; do nothing
# (and touch no network) when all are present. A name with an architecture
# qualifier (libelf-dev:arm64) is a Debian multiarch package: that
# architecture is added to dpkg first when it is missing.
set -eu
missing="" arches=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages:$missing — run as root (or apt-get install them)" >&2
	exit 1
fi
for p in $missing; do
	case $p in
	*:*) a=${p##*:}
	     [ "$a" = "$(dpkg --print-architecture)" ] && continue
	     dpkg --print-foreign-architectures | grep -qx "$a" && continue
	     case " $arches " in *" $a "*) ;; *) arches="$arches $a" ;; esac ;;
	esac
done
for a in $arches; do
	echo "adding dpkg architecture $a (Debian multiarch)" >&2
	dpkg --add-architecture "$a"
done
echo "installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# another apt-get (a parallel suite, unattended upgrades) may hold the lock: wait for it
lock="-o DPkg::Lock::Timeout=600"
# shellcheck disable=SC2086
apt-get $lock update -qq >&2 || { echo "apt-get update failed: is a Debian mirror reachable?" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get $lock install -y -qq --no-install-recommends $missing >&2
