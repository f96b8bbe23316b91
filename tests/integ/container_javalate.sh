#!/bin/bash
# flame record --jvm-perfmap: a JVM in a container (own tmpfs /tmp, no map
# flags at all) that starts running a new hot method, Late.spin, 2.5 s into a
# 5 s run (CPU time of its main thread). flame record asks it for its map
# (jcmd Compiler.perfmap's protocol, from inside its mount namespace as its
# user) every second, so both the early and the late method are named after
# the container is gone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
java_need
cd "$T" || die "cd $T"
timeout 240 "$FLAME" record --jvm-perfmap=1 --interval 0.2 -e cpu-clock -F 499 -g -o perf.data -- \
	unshare -m -p -f --mount-proc sh -c "mount -t tmpfs ctr-tmp /tmp && cd $JDIR &&
		exec java $JAVA_OPTS -cp . Hot 5000 2500" \
	> rec.out 2> rec.err || { cat rec.err; die "flame record failed"; }
grep '^flame' rec.err
check "the JVM answered" grep -q 'JVMs asked for their map [0-9]* times, [1-9][0-9]* answered' rec.err
check "the JVM's map is in the snapshot" grep -qP '^P\t.*\.map\t.*\tjava$' perf.data.maps/index
check "the snapshot holds Late.spin" grep -q ' long Late.spin(long)$' perf.data.maps/*.map
timeout 240 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=j.folded --dlarg annotate=jit \
	2> plugin.err || { cat plugin.err; die "flame.so failed"; }
cat plugin.err
total=$(folded_match j.folded '^java;.*JavaCalls::call_helper')
hot=$(folded_match j.folded '^java;.*;long Hot\.work(\(long\))?_\[j\]')
late=$(folded_match j.folded '^java;.*;long Late\.spin(\(long\))?_\[j\]')
read -r named unnamed < <(jit_frames j.folded '^java;')
echo "java main thread: $total samples in Java code, $hot in Hot.work, $late in Late.spin; JIT frames named $named, unnamed $unnamed"
check "Hot.work named" test "$hot" -gt 20
check "Late.spin (compiled 2.5 s in) named" test "$late" -gt 20
check ">= 95% of the JVM's JIT frames named" ratio_ok "$named" "$unnamed" 95
echo PASS
