#!/bin/bash
# No process missed: 100 containers, each with its own tmpfs /tmp, living
# about 50 ms (a JIT that writes its map and exits), four at a time, under
# flame record with its default 0.5 s polls. The process connector shows
# flame record every exec and exit: every container's map is captured.
# Each lives 50 ms of wall time and 20 ms of CPU time (jitsim -c): on a
# loaded machine 50 ms of wall time can pass with flame record not run at
# all (1 container of 100 was missed at a load of 20 on 2 cores).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
cd "$T" || die "cd $T"
N=100
cat > burst.sh <<EOS
for i in \$(seq 1 $N); do
	unshare -m -p -f --mount-proc sh -c 'mount -t tmpfs ctr-tmp /tmp && exec "\$@"' sh \
		$JITSIM -t 0.05 -c 0.02 "burst\${i}_fn" > /dev/null &
	[ \$((i % 4)) = 0 ] && wait
done
wait
EOS
# -N: perf 6.1 may abort in build_id__init (a build-id note over 20 bytes)
# while filling its cache at the end of a run with many short processes
timeout 300 "$FLAME" record -N -e cpu-clock -F 99 -g -o perf.data -- bash burst.sh \
	> rec.out 2> rec.err || { cat rec.err; die "flame record failed"; }
grep '^flame' rec.err
grep -q 'no process events' rec.err && skip "no process connector here"
got=0
for i in $(seq 1 $N); do
	grep -q " burst${i}_fn\$" perf.data.maps/*.map 2>/dev/null && got=$((got + 1))
done
echo "$got of $N containers' maps captured"
check "every container's map is captured" test "$got" = $N
check "each in its own snapshot file" \
	test "$(grep -l ' burst[0-9]*_fn$' perf.data.maps/*.map | wc -l)" = $N
echo PASS
