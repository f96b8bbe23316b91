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
# --buildid-mmap: perf 6.1 aborts ("assertion failed at util/build-id.c:1010",
# stack smashing) on MMAP2 records flagged as carrying a build id that hold
# device and inode numbers instead (a byte of the device read as a build-id
# size over 20). Such records appeared, with -N and with -B, while another
# recording with build ids ran: the kernel's perf_event_mmap_output() sets
# PERF_RECORD_MISC_MMAP_BUILD_ID in the mmap event that every session gets a
# copy of and never clears it. With --buildid-mmap every record of this
# session really carries a build id, and perf skips its end-of-run build-id
# pass. The JVM's files are on the host.
timeout 240 perf record --buildid-mmap -e cpu-clock -F 499 -g -o perf.data -- \
	java $JAVA_OPTS -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -cp "$JDIR" Hot 3000 \
	> rec.out 2> rec.err || { cat rec.err; die "perf record failed"; }
jpid=$(perf script -i perf.data -F pid,comm 2>/dev/null | awk '$1 == "java" {print $2; exit}')
[ -n "$jpid" ] || die "no java samples"
cleanup_hooks+=("rm -f /tmp/perf-$jpid.map")
check "the JVM wrote its map at exit" grep -q ' long Hot.work(long)$' "/tmp/perf-$jpid.map"
stock=$(perf script -i perf.data -F ip,sym 2>/dev/null | grep -c 'Hot\.work')
timeout 240 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=h.folded \
	2> plugin.err || { cat plugin.err; die "flame.so failed"; }
cat plugin.err
ours=$(awk '{ w = $NF; n = gsub(/long Hot\.work/, "&"); s += n * w } END { printf "%.0f\n", s }' h.folded)
echo "frames named Hot.work: stock perf script $stock, flame.so $ours"
check "stock perf names Hot.work" test "$stock" -gt 50
check "flame.so names at least as many" test "$ours" -ge "$stock"
check "flame.so notes the unproven host map" grep -q "host /tmp maps used for 1 process (pid $jpid)" plugin.err
echo PASS
