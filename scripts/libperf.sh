#!/bin/bash
# Build libperf.a and libapi.a (tools/lib/perf, tools/lib/api) from Debian's
# linux-source-6.1 into OUT_DIR; make runs it for `flame profile`.
# usage: scripts/libperf.sh SRC_DIR OUT_DIR
#
# SRC_DIR receives only what libperf needs from the tarball: tools/lib/perf,
# tools/lib/api, tools/lib/*.c, tools/include, tools/build, tools/scripts,
# tools/arch (about 15 s to extract). OUT_DIR gets lib/libperf.a,
# lib/libapi.a and include/perf/*.h (the public headers); the private
# headers libperf keeps in tools/lib/perf/include/internal stay in SRC_DIR.
# Pinned and cached: OUT_DIR/.stamp holds the package version and the
# tarball's size and mtime; a matching stamp means nothing is done.
set -eu -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# = 2 ] || { echo "usage: $0 SRC_DIR OUT_DIR" >&2; exit 2; }
tarball=${LIBPERF_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
pkg=linux-source-6.1
top_dir=linux-source-6.1

die() { echo "perf-flame: libperf: $*" >&2; exit 1; }

"$top"/scripts/deps.sh build
[ -r "$tarball" ] || die "$tarball: not found (apt-get install $pkg)"
mkdir -p "$1" "$2"
src=$(cd "$1" && pwd)
out=$(cd "$2" && pwd)

ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo unknown)
want=$(printf '%s %s %s\n' "$pkg" "$ver" "$(stat -c '%s %Y' "$tarball")" |
	cat - "$0" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/.stamp" 2>/dev/null)" = "$want" ] &&
   [ -f "$out/lib/libperf.a" ] && [ -f "$out/lib/libapi.a" ]; then
	exit 0
fi

start=$(date +%s)
rm -rf "$out"
mkdir -p "$out/obj"
if [ "$(cat "$src/.stamp" 2>/dev/null)" != "$want" ]; then
	echo "  EXTRACT $tarball (tools/lib/perf, tools/lib/api, ...) -> $src"
	rm -rf "$src"
	mkdir -p "$src"
	tar -xJf "$tarball" -m -C "$src" --strip-components=1 \
		--wildcards --no-wildcards-match-slash \
		"$top_dir/tools/lib/perf" "$top_dir/tools/lib/api" \
		"$top_dir/tools/lib/*.c" "$top_dir/tools/include" \
		"$top_dir/tools/build" "$top_dir/tools/scripts" "$top_dir/tools/arch" ||
		die "cannot extract $tarball"
	echo "$want" > "$src/.stamp"
fi
echo "  LIBPERF $pkg $ver -> $out"
if ! make -C "$src/tools/lib/perf" O="$out/obj" prefix="$out" \
	libdir_relative=lib EXTRA_CFLAGS="-fPIC -O2 -g" \
	-j"$(nproc)" "$out/obj/libperf.a" > "$out/build.log" 2>&1 ||
   ! make -C "$src/tools/lib/api" O="$out/obj" EXTRA_CFLAGS="-fPIC -O2 -g" \
	-j"$(nproc)" "$out/obj/libapi.a" >> "$out/build.log" 2>&1 ||
   ! make -C "$src/tools/lib/perf" O="$out/obj" prefix="$out" \
	libdir_relative=lib install_headers >> "$out/build.log" 2>&1; then
	tail -n 20 "$out/build.log" >&2
	die "build failed (log: $out/build.log)"
fi
mkdir -p "$out/lib"
cp "$out/obj/libperf.a" "$out/obj/libapi.a" "$out/lib/"
echo "$want" > "$out/.stamp"
echo "  LIBPERF done ($(( $(date +%s) - start ))s)"
