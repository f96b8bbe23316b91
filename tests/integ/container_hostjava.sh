#!/bin/bash
# Never worse than perf on the host: a host JVM (no container, no flame
# record) writes /tmp/perf-PID.map at exit (-XX:+DumpPerfMapAtExit) and is
# recorded with plain perf record. With no evidence that the process lived in
# another mount namespace, flame.so keeps perf's answer: it names Hot.work in
# at least as many frames as stock perf script, and says it used a host map
# without proof. (The decoy case, with evidence, is container_hostile.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
need_root "perf record of a JVM"
[ -f "$FLAME_SO" ] || die "$FLAME_SO not built"
java_need
cd "$T" || die "cd $T"
# -N: perf 6.1 sometimes aborts ("assertion failed at util/build-id.c:1010",
# stack smashing) filling its build-id cache while the JVM writes its map
# at exit; the cache plays no part here (the JVM's files are on the host)
timeout 90 perf record -N -e cpu-clock -F 499 -g -o perf.data -- \
	java $JAVA_OPTS -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -cp "$JDIR" Hot 3000 \
	> rec.out 2> rec.err || { cat rec.err; die "perf record failed"; }
jpid=$(perf script -i perf.data -F pid,comm 2>/dev/null | awk '$1 == "java" {print $2; exit}')
[ -n "$jpid" ] || die "no java samples"
cleanup_hooks+=("rm -f /tmp/perf-$jpid.map")
check "the JVM wrote its map at exit" grep -q ' long Hot.work(long)$' "/tmp/perf-$jpid.map"
stock=$(perf script -i perf.data -F ip,sym 2>/dev/null | grep -c 'Hot\.work')
timeout 60 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=h.folded \
	2> plugin.err || { cat plugin.err; die "flame.so failed"; }
cat plugin.err
ours=$(awk '{ w = $NF; n = gsub(/long Hot\.work/, "&"); s += n * w } END { printf "%.0f\n", s }' h.folded)
echo "frames named Hot.work: stock perf script $stock, flame.so $ours"
check "stock perf names Hot.work" test "$stock" -gt 50
check "flame.so names at least as many" test "$ours" -ge "$stock"
check "flame.so notes the unproven host map" grep -q "host /tmp maps used for 1 process (pid $jpid)" plugin.err
echo PASS
