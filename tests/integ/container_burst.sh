#!/bin/bash
# No process missed: 100 containers, each with its own tmpfs /tmp, living
# about 50 ms (a JIT that writes its map and exits), four at a time, under
# flame record with its default 0.5 s polls. The process connector shows
# flame record every exec and exit: every container's map is captured.
# Each lives 50 ms of wall time and 20 ms of CPU time (jitsim -c): on a
# loaded machine 50 ms of wall time can pass with flame record not run at
# all (1 container of 100 was missed at a load of 20 on 2 cores).
# flame record's own CPU over the burst (its utime + stime in /proc/PID/stat,
# read by the burst script at its start and end: CPU time, not wall time) is
# held to a budget per exec/exit event and per map byte copied: the burst
# alone cannot be isolated on a shared machine, and its ~720 events in 3 s
# are not the steady 100 containers of docs/containers.md ("Cost of flame
# record").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
cd "$T" || die "cd $T"
N=100
# this run's own function names: the snapshot is host-wide, and another
# burst running at the same time (a second suite on the machine) is in it
tag=burst$$x
cat > burst.sh <<EOS
# our parent is perf, its parent flame record
fp=\$(awk '{print \$4}' /proc/\$PPID/stat)
own() { awk '{print \$14 + \$15}' /proc/\$fp/stat; }
c0=\$(own) t0=\$(date +%s%N)
for i in \$(seq 1 $N); do
	unshare -m -p -f --mount-proc sh -c 'mount -t tmpfs ctr-tmp /tmp && exec "\$@"' sh \
		$JITSIM -t 0.05 -c 0.02 "${tag}\${i}_fn" > /dev/null &
	[ \$((i % 4)) = 0 ] && wait
done
wait
echo "\$c0 \$(own) \$t0 \$(date +%s%N) \$(cat /proc/\$fp/comm)" > own_cpu
EOS
# -N: perf 6.1 may abort in build_id__init (a build-id note over 20 bytes)
# while filling its cache at the end of a run with many short processes
timeout 300 "$FLAME" record -N -e cpu-clock -F 99 -g -o perf.data -- bash burst.sh \
	> rec.out 2> rec.err || { cat rec.err; die "flame record failed"; }
grep '^flame' rec.err
grep -q 'no process events' rec.err && skip "no process connector here"
got=0
for i in $(seq 1 $N); do
	grep -q " ${tag}${i}_fn\$" perf.data.maps/*.map 2>/dev/null && got=$((got + 1))
done
echo "$got of $N containers' maps captured"
check "every container's map is captured" test "$got" = $N
files=$(grep -l " ${tag}[0-9]*_fn\$" perf.data.maps/*.map | wc -l)
[ "$files" = $N ] || {
	echo "$files snapshot files hold burst maps; those holding more or fewer than one:"
	for f in perf.data.maps/*.map; do
		k=$(grep -o " ${tag}[0-9]*_fn\$" "$f" | sort -u | tr -d '\n')
		[ -n "$k" ] && echo "$(basename "$f"):$k"
	done | awk -F: '{n = split($2, a, " "); if (n != 1) print; seen[$2]++} END {for (k in seen) if (seen[k] > 1) print "in " seen[k] " files:" k}'
}
check "each in its own snapshot file" test "$files" = $N
read -r c0 c1 t0 t1 comm < own_cpu || die "no own_cpu from the burst"
[ "$comm" = flame ] || die "burst.sh's grandparent is $comm, not flame record"
events=$(sed -n 's/.* \([0-9]*\) process exec\/exit events.*/\1/p' rec.err)
bytes=$(sed -n 's/.* maps (\([0-9]*\) bytes).*/\1/p' rec.err)
# allowed: 20 ms (startup inside the window, the 10 ms ticks of
# /proc/PID/stat), 2% of the burst's wall time (polls), 0.12 ms for each
# exec/exit event (measured: 0.08-0.12 ms on an idle 2-core VM, where the
# burst's ~720 events come within 3 s: 2.4-2.9% of a core there; 1.4% for
# 100 containers that stay, docs/containers.md), 0.03 ms per KiB of maps
# copied (another test's 23 MB of hostile maps cost 420 ms). Before Linux
# 6.6 the process connector sends every event (forks, exits and all) to
# flame record, which counts only execs and exits: twice the allowance per
# event there. A cost per event twice today's fails.
per=0.12
IFS=. read -r kmaj kmin _ < /proc/sys/kernel/osrelease
[ "$kmaj" -lt 6 ] || { [ "$kmaj" = 6 ] && [ "${kmin%%[!0-9]*}" -lt 6 ]; } && per=0.24
read -r ms pct allowed < <(awk -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" \
	-v w="$((t1 - t0))" -v e="${events:-0}" -v b="${bytes:-0}" -v per="$per" 'BEGIN {
	ms = c * 1000 / hz; wall = w / 1e6
	printf "%.0f %.2f %.0f\n", ms, 100 * ms / wall,
		20 + 0.02 * wall + per * e + 0.03 * b / 1024 }')
echo "flame record's own CPU over the burst: $ms ms, $pct% of one core ($events exec/exit events, $bytes bytes of maps; allowed $allowed ms)"
check "flame record's own CPU within its budget per event" \
	test "$ms" -le "$allowed"
echo PASS
