#!/bin/bash
# make install PREFIX=... installs flame.so, flame and the docs, and the
# installed pieces work from there.
. "$(dirname "$0")/lib.sh"

# PERF_EXEC_PATH: perf's own directory as `perf --exec-path` prints it; the
# installed tree is then used through the same variable, which perf reads.
PX=/usr/lib/perf-core
make -s -C "$FLAME_TOP" BUILD="$BUILD" install DESTDIR="$T/root" PREFIX=/usr/local \
	PERF_EXEC_PATH=$PX >"$T/log" 2>&1 ||
	die "make install failed: $(tail -3 "$T/log")"
R=$T/root/usr/local
check "flame.so installed" test -f "$R/lib/perf-flame/flame.so"
check "flame installed" test -x "$R/bin/flame"
check "docs installed" test -f "$R/share/doc/perf-flame/plugin.md"
check "installed flame runs" "$R/bin/flame" --help
printf 'a;b 3\na;c 1\n' > "$T/in.folded"
check "installed flame renders" bash -c "'$R/bin/flame' svg '$T/in.folded' > '$T/o.svg' && xmllint --noout '$T/o.svg'"

# ---- where perf looks: dlfilters/ and scripts/<lang>/bin/ under its exec path
P=$T/root$PX
check "flame.so in perf's dlfilter directory" test -f "$P/dlfilters/flame.so"
check "perf --list-dlfilters lists flame.so" bash -c \
	"PERF_EXEC_PATH='$P' perf script --list-dlfilters | grep -q '^ *flame.so .*perf-flame'"
check "perf script -l lists flame" bash -c \
	"PERF_EXEC_PATH='$P' perf script -l | grep -q '^ *flame .*flame graph'"
[ -x "$PROGS/twophase" ] || die "$PROGS/twophase not built"
mkdir -p "$T/work"
(cd "$T/work" && PERF_EXEC_PATH="$P" perf script record flame -- "$PROGS/twophase" 300) \
	> "$T/rec.log" 2>&1 || die "perf script record flame failed: $(tail -3 "$T/rec.log")"
check "perf script record flame wrote perf.data" test -s "$T/work/perf.data"
(cd "$T/work" && PERF_EXEC_PATH="$P" perf script report flame) > "$T/rep.log" 2>&1 ||
	die "perf script report flame failed: $(tail -3 "$T/rep.log")"
check "perf script report flame wrote flame.svg" xmllint --noout "$T/work/flame.svg"
check "the graph names phase_alpha" grep -q '<title>phase_alpha (' "$T/work/flame.svg"
(cd "$T/work" && PERF_EXEC_PATH="$P" perf script report flame -o t.folded -o t.svg title=T) \
	> "$T/rep2.log" 2>&1 || die "report with -o failed: $(tail -3 "$T/rep2.log")"
check "report -o FILE.folded and key=value" bash -c "grep -q phase_beta '$T/work/t.folded' && grep -q '>T</text>' '$T/work/t.svg'"
(cd "$T/work" && PERF_EXEC_PATH="$P" perf script --dlfilter flame.so --dlarg out=bare.folded) \
	> /dev/null 2>&1 || die "--dlfilter flame.so by bare name failed"
check "--dlfilter flame.so by bare name" test -s "$T/work/bare.folded"
(cd "$T/work" && PERF_EXEC_PATH="$P" perf script report flame nonsense) > "$T/bad.log" 2>&1
check "report: a bad argument is an error naming it" bash -c "grep -q \"unknown argument 'nonsense'\" '$T/bad.log'"
echo "all install checks passed"
