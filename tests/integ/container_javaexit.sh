#!/bin/bash
# Maps written at exit: a JVM with -XX:+DumpPerfMapAtExit in a container with
# its own tmpfs /tmp writes its map only while it exits, when the container
# and its /tmp are about to vanish. flame record pins the container's /tmp
# while the JVM lives and reads the map through the pin after exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
java_need
cd "$T" || die "cd $T"
timeout 240 "$FLAME" record --interval 0.2 -e cpu-clock -F 499 -g -o perf.data -- \
	unshare -m -p -f --mount-proc sh -c "mount -t tmpfs ctr-tmp /tmp && cd $JDIR &&
		exec java $JAVA_OPTS -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -cp . Hot 4000" \
	> rec.out 2> rec.err || { cat rec.err; die "flame record failed"; }
grep '^flame' rec.err
check "the JVM's map is in the snapshot" grep -qP '^P\t.*\.map\t.*\tjava$' perf.data.maps/index
check "the snapshot holds Hot.work" grep -q ' long Hot.work(long)$' perf.data.maps/*.map
timeout 240 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=j.folded --dlarg annotate=jit \
	2> plugin.err || { cat plugin.err; die "flame.so failed"; }
cat plugin.err
total=$(folded_match j.folded '^java;.*JavaCalls::call_helper')
hot=$(folded_match j.folded '^java;.*;long Hot\.work(\(long\))?_\[j\]')
read -r named unnamed < <(jit_frames j.folded '^java;')
echo "java main thread: $total samples in Java code, $hot in Hot.work; JIT frames named $named, unnamed $unnamed"
check "Hot.work named in most Java samples" ratio_ok "$hot" "$((total - hot))" 60
check ">= 99% of the JVM's JIT frames named" ratio_ok "$named" "$unnamed" 99
echo PASS
