#!/bin/bash
# 50 containers at once, each a JIT with its own names: all named after they
# exited; flame record's own CPU cost is reported. Each runs 1.5 s and at
# least 0.1 s of CPU time (jitsim -c): on a loaded machine 1.5 s of wall time
# among 50 niced processes may give one of them no sample at all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
cd "$T" || die "cd $T"
N=50
cat > many.sh <<EOS
for i in \$(seq 1 $N); do
	nice -n 10 unshare -m -p -f --mount-proc sh -c 'mount -t tmpfs ctr-tmp /tmp && exec "\$@"' sh \
		$JITSIM -t 1.5 -c 0.1 "ctr\${i}_fn" > /dev/null &
done
wait
EOS
# -N: perf 6.1 sometimes aborts at the end of such runs, filling its build-id
# cache ("assertion failed at util/build-id.c:1010", a build-id over 20
# bytes, then a buffer overflow); the maps under test do not need that cache
timeout 240 "$FLAME" record -N --interval 0.2 -e cpu-clock -F 499 -g -o perf.data -- bash many.sh \
	> rec.out 2> rec.err || { cat rec.err; die "flame record failed"; }
grep '^flame' rec.err
check "flame record reports its own CPU cost" grep -q 'own CPU [0-9.]* ms' rec.err
check "$N maps snapshotted" test "$(ls perf.data.maps/*.map | wc -l)" -ge $N
timeout 240 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=m.folded 2> plugin.err ||
	{ cat plugin.err; die "flame.so failed"; }
cat plugin.err
seen=0
for i in $(seq 1 $N); do
	[ "$(folded_match m.folded "run_jit;ctr${i}_fn( |;)")" -gt 0 ] && seen=$((seen + 1))
done
read -r k u < <(jit_counts m.folded)
echo "$seen of $N containers named; $k JIT samples named, $u not"
check "all $N containers' JIT frames are named" test "$seen" = $N
check ">= 99% of JIT samples named" ratio_ok "$k" "$u" 99
echo PASS
