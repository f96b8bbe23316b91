#!/bin/bash
# Build perf from Debian's linux-source-6.1 (or -6.12) with the series in
# perf-patches/ (or perf-patches/6.12/).
# usage: [PERF_SRC=6.12] perf-patches/build.sh SRC_DIR OUT_DIR
#        (make perf-patched [PERF_SRC=6.12] runs it)
#
# SRC_DIR receives only what perf needs from the tarball (tools/ and
# scripts/checkpatch.pl with its data files, about 35 MB); each patch of
# perf-patches/series is checked with `git apply --check`, then applied.
# OUT_DIR receives perf's objects and the binary, OUT_DIR/perf.
# Idempotent: the source is extracted again only when the series changed
# (SRC_DIR/.perf-flame-series holds the hash of what was applied); perf's
# own make then rebuilds only what changed.
set -eu -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# = 2 ] || { echo "usage: $0 SRC_DIR OUT_DIR" >&2; exit 2; }
mkdir -p "$1" "$2"
src=$(cd "$1" && pwd)
out=$(cd "$2" && pwd)
ver=${PERF_SRC:-6.1}
tarball=${PERF_TARBALL:-/usr/src/linux-source-$ver.tar.xz}
top_dir=linux-source-$ver
jobs=${PERF_JOBS:-$(nproc)}

die() { echo "perf-flame: perf-patched: $*" >&2; exit 1; }

# The series of each kernel version: perf-patches/series for 6.1, the
# default; perf-patches/<version>/series for others. Entries are paths
# relative to the series file's directory (../NAME: a patch shared with 6.1).
extra=()	# more of the kernel tree than tools/ that perf's build reads
case $ver in
6.1)	series=$top/perf-patches/series; groups=(perfsrc) ;;
6.12)	series=$top/perf-patches/6.12/series; groups=(perfsrc perfsrc612)
	extra=("$top_dir/arch/arm64/tools") ;;	# sysreg-defs.h
*)	die "PERF_SRC=$ver: no series for it (6.1 or 6.12)" ;;
esac
sdir=$(dirname "$series")

"$top"/scripts/deps.sh "${groups[@]}"
[ -r "$tarball" ] || die "$tarball: not found (apt-get install linux-source-$ver)"

patches=()
while read -r p; do
	p=${p%%#*}
	p=${p//[[:space:]]/}
	[ -n "$p" ] || continue
	[ -f "$sdir/$p" ] || die "${series#"$top"/} names $p, which does not exist"
	patches+=("$(cd "$(dirname "$sdir/$p")" && pwd)/$(basename "$p")")
done < "$series"

want=$( (basename "$tarball"; stat -c '%s %Y' "$tarball"
	[ ${#extra[@]} = 0 ] || echo "${extra[*]}"; cat "${patches[@]}") |
	sha256sum | cut -d' ' -f1)
have=$(cat "$src/.perf-flame-series" 2>/dev/null || true)

if [ "$want" != "$have" ]; then
	echo "  EXTRACT $tarball (tools/, scripts/checkpatch.pl) -> $src"
	# A different series: start from pristine source and clean objects,
	# so no file keeps an object built from an earlier patch.
	rm -rf "$src" "$out"
	mkdir -p "$src" "$out"
	tar -xJf "$tarball" -m -C "$src" --strip-components=1 \
		"$top_dir/Makefile" "$top_dir/tools/perf" "$top_dir/tools/arch" \
		"$top_dir/tools/scripts" "$top_dir/tools/build" \
		"$top_dir/tools/include" "$top_dir/tools/lib" \
		"$top_dir/scripts/checkpatch.pl" "$top_dir/scripts/spelling.txt" \
		"$top_dir/scripts/const_structs.checkpatch" "${extra[@]}"
	# Version: the kernel's, plus a mark that this perf carries the series.
	kver=$(sed -n 's/^\(VERSION\|PATCHLEVEL\|SUBLEVEL\) = \([0-9]*\)$/\2/p' \
		"$src/Makefile" | paste -sd.)
	echo "#define PERF_VERSION \"$kver+flame\"" > "$src/PERF-VERSION-FILE"
	# git apply must not mistake the enclosing checkout for the target.
	export GIT_CEILING_DIRECTORIES=$(dirname "$src")
	for p in "${patches[@]}"; do
		echo "  APPLY   ${p#"$top"/}"
		(cd "$src" && git apply --check "$p") ||
			die "${p#"$top"/} does not apply to $tarball"
		(cd "$src" && git apply "$p")
	done
	echo "$want" > "$src/.perf-flame-series"
fi

# Libraries Debian does not ship, or that perf script -s FILE.so does not
# need: libbfd (license), JVMTI (needs a JDK), BPF (builds libbpf and
# skeletons). Debian's python3-config, not one earlier in PATH (pyenv).
flags=(NO_LIBBFD=1 NO_JVMTI=1 NO_LIBBPF=1 NO_LIBPFM4=1 WERROR=0)
if [ -x /usr/bin/python3-config ]; then
	flags+=(PYTHON=/usr/bin/python3 PYTHON_CONFIG=/usr/bin/python3-config)
fi
echo "  PERF    make -C $src/tools/perf O=$out (log: $out/build.log)"
start=$(date +%s)
if ! make -C "$src/tools/perf" O="$out" -j"$jobs" "${flags[@]}" > "$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	die "perf build failed (log: $out/build.log)"
fi
touch "$out/perf"
echo "  PERF    $out/perf: $("$out/perf" --version) ($(( $(date +%s) - start ))s)"
