#!/bin/sh
# Install the Debian packages a make target needs, once.
# usage: scripts/deps.sh GROUP...   (build test browser bench perfsrc perfsrc612)
# As root: apt-get installs what is missing. Otherwise: one line naming the
# command to run, and exit 1.
set -u

pkgs_build="gcc make pkg-config libc6-dev linux-libc-dev linux-perf libelf-dev libdw-dev zlib1g-dev libtraceevent-dev libiberty-dev linux-source-6.1 xz-utils"
pkgs_test="libcmocka-dev libxml2-utils util-linux procps iproute2 gzip time openjdk-17-jdk-headless erlang-base golang-go clang libclang-rt-14-dev"
pkgs_browser="chromium nodejs"
pkgs_bench="wrk hey apache2-utils haproxy libgoogle-perftools-dev google-perftools iproute2 curl util-linux"
pkgs_perfsrc="linux-source-6.1 xz-utils git flex bison libelf-dev libdw-dev libslang2-dev libcap-dev libzstd-dev libnuma-dev libunwind-dev libbabeltrace-dev python3-dev libperl-dev libssl-dev"
pkgs_deb="dpkg-dev binutils gzip lintian man-db"
pkgs_perfsrc612="linux-source-6.12"

want=""
for g in "$@"; do
	eval "want=\"\$want \${pkgs_$g:?unknown package group $g}\""
done

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "perf-flame: missing Debian packages:$missing; run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "perf-flame: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends $missing >/tmp/perf-flame-apt.log 2>&1; then
	apt-get update -q >>/tmp/perf-flame-apt.log 2>&1
	if ! apt-get install -y -q --no-install-recommends $missing >>/tmp/perf-flame-apt.log 2>&1; then
		echo "perf-flame: apt-get install failed for:$missing (log: /tmp/perf-flame-apt.log)" >&2
		exit 1
	fi
fi
exit 0
