#!/bin/bash
# Real JVM (Debian's OpenJDK 17) in a container with its own tmpfs /tmp. The
# JDK writes its map in the "0x... 0x... long Hot.work(long)" form; here it
# is asked for it mid-run with jcmd Compiler.perfmap (inside the container),
# and the names must survive the container's exit. Hot runs for 5 s of CPU
# time; jcmd is retried (every second, for up to 60 s) until the map it
# made holds Hot.work: on a loaded machine the JVM may not be attachable
# or have compiled Hot.work 3 s in, which is when this test once asked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
java_need
cd "$T" || die "cd $T"
timeout 240 "$FLAME" record --interval 0.2 -e cpu-clock -F 499 -g -o perf.data -- \
	unshare -m -p -f --mount-proc sh -c "mount -t tmpfs ctr-tmp /tmp && cd $JDIR &&
		{ java $JAVA_OPTS -cp . Hot 5000 & j=\$!
		for i in \$(seq 60); do
			sleep 1
			kill -0 \$j 2>/dev/null || break
			jcmd \$j Compiler.perfmap >/dev/null 2>&1 &&
				grep -q ' long Hot.work(long)\$' /tmp/perf-\$j.map && break
		done
		echo jcmd tries: \$i >&2; wait; }" \
	> rec.out 2> rec.err || { cat rec.err; die "flame record failed"; }
grep '^jcmd tries' rec.err
grep '^flame' rec.err
check "no map line rejected" sh -c '! grep -q malformed rec.err'
check "the JVM's map is in the snapshot" grep -qP '^P\t.*\.map\t.*\tjava$' perf.data.maps/index
check "the snapshot holds Hot.work" grep -q ' long Hot.work(long)$' perf.data.maps/*.map
stock=$(perf script -i perf.data -F ip,sym 2>/dev/null | grep -c 'Hot.work')
echo "stock perf script: $stock frames named Hot.work"
timeout 240 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=j.folded --dlarg annotate=jit \
	2> plugin.err || { cat plugin.err; die "flame.so failed"; }
cat plugin.err
total=$(folded_match j.folded '^java;.*JavaCalls::call_helper')
hot=$(folded_match j.folded '^java;.*;long Hot\.work(\(long\))?_\[j\]')
read -r named unnamed < <(jit_frames j.folded '^java;')
echo "java main thread: $total samples in Java code, $hot in Hot.work; JIT frames named $named, unnamed $unnamed"
check "Hot.work named in most Java samples" ratio_ok "$hot" "$((total - hot))" 60
check ">= 95% of the JVM's JIT frames named (map taken once Hot.work was compiled)" ratio_ok "$named" "$unnamed" 95
echo PASS
