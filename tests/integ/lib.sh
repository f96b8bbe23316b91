# Sourced by tests/integ/*.sh. Helpers for end-to-end tests.
set -u
# A pipeline fails when any command in it fails. Never end one whose status
# counts with grep -q or head: the writer before it may die of SIGPIPE. Write
# to a file and grep that, or use out_has (reads all of its input).
set -o pipefail
: "${BUILD:=build}"
: "${FLAME_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BUILD=$(cd "$BUILD" && pwd)
FLAME=$BUILD/flame
FLAME_SO=$BUILD/flame.so
PROGS=$BUILD/progs
T=$(mktemp -d /tmp/flame-test.XXXXXX)
cleanup_hooks=()
cleanup() {
	[ -n "${KEEP_T:-}" ] && { echo "kept $T"; return; }
	local h
	for h in "${cleanup_hooks[@]}"; do eval "$h"; done
	rm -rf "$T"
}
trap cleanup EXIT

# out_has GREP-ARGS...: true when stdin has a matching line; reads it all.
out_has() { [ "$(grep -c "$@")" -gt 0 ]; }
die() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root ($1)"; }
# check COND-DESCRIPTION CMD...: run CMD, fail with the description.
check() { local d=$1; shift; "$@" || die "$d"; echo "  ok: $d"; }
# cg_remove DIR: kill what is left in DIR's cgroups, then remove them,
# leaves first; tasks still exiting keep a cgroup busy for a moment, so
# retry for up to 5 s (CI machines are shared: leave no cgroup behind).
cg_remove() {
	local d try
	[ -d "$1" ] || return 0
	for try in $(seq 50); do
		for d in $(find "$1" -depth -type d 2>/dev/null); do
			[ -w "$d/cgroup.kill" ] && echo 1 >"$d/cgroup.kill" 2>/dev/null
			rmdir "$d" 2>/dev/null
		done
		[ -d "$1" ] || return 0
		sleep 0.1
	done
	echo "warning: cgroup $1 left behind" >&2
}

# patched_perfs: every perf built by `make perf-patched [PERF_SRC=6.12]` into
# the array perfs (skip when none); patched_version PP: its version, after
# checking it is a +flame build
patched_perfs() {
	local p
	perfs=()
	for p in "$BUILD/perf-patched/perf" "$BUILD"/perf-patched-*/perf; do
		[ -x "$p" ] && perfs+=("$p")
	done
	[ ${#perfs[@]} -gt 0 ] || skip "no $BUILD/perf-patched*/perf: run make perf-patched [PERF_SRC=6.12]"
}
patched_version() {
	local v
	v=$("$1" --version)
	case $v in *+flame*) echo "$v" ;; *) die "$1 is not a patched build: $v" ;; esac
}
# Sum of the weights in a folded file.
folded_total() { awk '{s += $NF} END {printf "%.0f\n", s}' "$1"; }
# Sum of the weights of lines matching a regex.
folded_match() { awk -v re="$2" '$0 ~ re {s += $NF} END {printf "%.0f\n", s}' "$1"; }
# perf's own sample count for a perf.data.
perf_samples() { perf script -i "$1" -F period 2>/dev/null | wc -l; }
