#!/bin/bash
# Builds $BUILD/perf-flame_VERSION_ARCH.deb from `make install` into a staging
# tree (PREFIX=/usr, perf's directories from `perf --exec-path`), with the man
# pages of scripts/mkman.sh, binaries stripped, and dependencies worked out by
# dpkg-shlibdeps from what the binaries link. Prints the path of the .deb.
set -eu -o pipefail
B=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ver=0.$(git rev-list --count HEAD 2>/dev/null || echo 0)+g$(git rev-parse --short HEAD 2>/dev/null || echo 0)
arch=$(dpkg --print-architecture)
B=$(mkdir -p "$B" && cd "$B" && pwd)
S=$B/deb/perf-flame
rm -rf "$B/deb"
mkdir -p "$S"
make -s BUILD="$B" install DESTDIR="$S" PREFIX=/usr \
	PERF_EXEC_PATH="$(perf --exec-path 2>/dev/null || echo /usr/lib/perf-core)" > /dev/null
# flame.so is a plugin: perf's copy is the one in its dlfilter directory
rm -rf "$S/usr/lib/perf-flame"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
	"$S/usr/bin/flame" "$S"/usr/lib/perf-core/dlfilters/flame.so
install -d "$S/usr/share/man/man1"
for m in "$B"/man/*.1; do
	gzip -9n < "$m" > "$S/usr/share/man/man1/$(basename "$m").gz"
done
doc=$S/usr/share/doc/perf-flame
cat > "$doc/copyright" <<'EOT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: perf-flame

Files: *
Copyright: 2026 perf-flame developers
License: GPL-2
 On Debian systems, the full text of the GNU General Public License
 version 2 can be found in the file '/usr/share/common-licenses/GPL-2'.
EOT
printf 'perf-flame (%s) unstable; urgency=medium\n\n  * Built from git %s.\n\n -- perf-flame developers <perf-flame@example.org>  %s\n' \
	"$ver" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	"$(date -R ${SOURCE_DATE_EPOCH:+-d @$SOURCE_DATE_EPOCH})" | gzip -9n > "$doc/changelog.gz"
find "$S" -type d -exec chmod 0755 {} +
find "$S/usr/share" -type f -exec chmod 0644 {} +
# dependencies from the binaries (dpkg-shlibdeps wants a debian/control)
W=$B/deb/shlibs
mkdir -p "$W/debian"
printf 'Source: perf-flame\n\nPackage: perf-flame\nArchitecture: any\n' > "$W/debian/control"
deps=$(cd "$W" && dpkg-shlibdeps -O "$S/usr/bin/flame" \
	"$S"/usr/lib/perf-core/dlfilters/flame.so 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
mkdir -p "$S/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$S" | cut -f1)
cat > "$S/DEBIAN/control" <<EOT
Package: perf-flame
Version: $ver
Architecture: $arch
Maintainer: perf-flame developers <perf-flame@example.org>
Installed-Size: $size
Depends: $deps, linux-perf
Section: devel
Priority: optional
Homepage: https://example.invalid/perf-flame
Description: flame graphs from perf, for containers and sidecars
 perf-flame turns perf recordings into flame graphs (SVG, folded stacks,
 subsecond heatmaps) in one pass of perf script through its dlfilter
 flame.so, keeps JIT frames of containers named after the containers are
 gone, and drives sidecar benchmarks. flame.so is installed into perf's
 dlfilter directory and a "flame" script into perf's script directory, so
 "perf script --dlfilter flame.so" and "perf script report flame" work.
EOT
out=$B/perf-flame_${ver}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$S" "$out" > /dev/null
echo "$out"
