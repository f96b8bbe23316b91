#!/bin/bash
# make deb builds a .deb that lintian passes without errors, installs with
# dpkg -i (flame on PATH, flame.so listed by perf, `perf script report flame`
# works, man pages), and removes cleanly with dpkg -r.
. "$(dirname "$0")/lib.sh"
command -v dpkg-deb >/dev/null || skip "no dpkg-deb"
[ "$(id -u)" = 0 ] || skip "dpkg -i needs root"
if [[ $(dpkg-query -W -f='${Status}' perf-flame 2>/dev/null) == *' installed' ]]; then
	skip "a perf-flame package is installed on this machine already; not touching it"
fi
make -s -C "$FLAME_TOP" BUILD="$BUILD" deb > "$T/make.log" 2>&1 ||
	die "make deb failed: $(tail -3 "$T/make.log")"
# the path is the last line mkdeb.sh prints; make or apt may add lines
# after it (a warning), so take the last line that names a .deb
deb=$(grep '\.deb$' "$T/make.log" | tail -n 1)
case $deb in /*) ;; *) deb=$FLAME_TOP/$deb ;; esac
[ -f "$deb" ] || { echo "make deb's output ends:"; tail -5 "$T/make.log"; }
check "make deb printed the package path" test -f "$deb"
check "package is named perf-flame" test "$(dpkg-deb -f "$deb" Package)" = perf-flame
check "depends on linux-perf and libdw (from dpkg-shlibdeps)" bash -c \
	"dpkg-deb -f '$deb' Depends | grep -q linux-perf && dpkg-deb -f '$deb' Depends | grep -q libdw"
for f in ./usr/bin/flame ./usr/lib/perf-core/dlfilters/flame.so \
	./usr/lib/perf-core/scripts/flame/bin/flame-report \
	./usr/share/man/man1/flame.1.gz ./usr/share/man/man1/flame-svg.1.gz \
	./usr/share/man/man1/flame.so.1.gz ./usr/share/doc/perf-flame/copyright; do
	check "package holds $f" bash -c "dpkg-deb -c '$deb' | grep -q ' $f\$'"
done
command -v lintian >/dev/null || die "lintian not installed (scripts/deps.sh deb)"
lintian --tag-display-limit 0 "$deb" > "$T/lintian.log" 2>&1
cat "$T/lintian.log"
check "lintian: no errors" bash -c "! grep -q '^E:' '$T/lintian.log'"

cleanup_pkg() { dpkg -r perf-flame > /dev/null 2>&1 || true; }
cleanup_hooks+=(cleanup_pkg)
dpkg -i "$deb" > "$T/dpkg.log" 2>&1 || die "dpkg -i failed: $(tail -3 "$T/dpkg.log")"
check "installed: flame on PATH" bash -c "command -v flame | grep -qx /usr/bin/flame"
check "installed: perf lists flame.so" bash -c "perf script --list-dlfilters | grep -q '^ *flame.so '"
check "installed: perf script -l lists flame" bash -c "perf script -l | grep -q '^ *flame '"
check "installed: man flame-svg" bash -c "man -w flame-svg | grep -q flame-svg.1"
[ -x "$PROGS/twophase" ] || die "$PROGS/twophase not built"
mkdir -p "$T/w"
(cd "$T/w" && perf record -q -e cpu-clock -F 499 -g -- "$PROGS/twophase" 300 && perf script report flame) \
	> "$T/w.log" 2>&1 || die "record + perf script report flame failed: $(tail -3 "$T/w.log")"
check "installed: perf script report flame drew phase_alpha" grep -q '<title>phase_alpha (' "$T/w/flame.svg"
dpkg -r perf-flame > "$T/rm.log" 2>&1 || die "dpkg -r failed: $(tail -3 "$T/rm.log")"
check "removed: no flame.so left in perf's directory" test ! -e /usr/lib/perf-core/dlfilters/flame.so
check "removed: no flame script left" test ! -e /usr/lib/perf-core/scripts/flame
check "removed: flame gone" test ! -e /usr/bin/flame
echo "all deb checks passed"
