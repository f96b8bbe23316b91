#!/bin/bash
# Is it the quota? Run-queue latency beside the CPU figures: a container
# cgroup made here runs a spinner without a quota next to two unthrottled
# spinners per CPU, recorded with flame record --off-cpu (sched events, -a).
# flame report's summary, verdict and the SVG subtitle give the container's
# run-queue latency p50/p99, and the figures agree with perf sched timehist's
# wait times of the same thread in the same file (the spinner only waits
# after preemption, which timehist counts as "wait time"). mode=offcpu on the
# same file gives the same figure. A -F given to flame record --off-cpu goes
# to cpu-clock only: the sched events are not sampled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgcpu.inc"
command -v perf >/dev/null || skip "perf not installed"

ID=$(new_id)
LABEL=container:${ID:0:12}
cg_make "$ID"
ncpu=$(nproc)
# each neighbour in a cgroup of its own (see cpu_quota.sh: in one shared
# cgroup, CFS group fairness leaves the container half the CPUs)
for ((i = 0; i < 2 * ncpu; i++)); do cg_make "neighbour$i"; spin "neighbour$i"; done
sleep 1
spin "$ID"
cpid=$SPIN
"$FLAME" record --off-cpu --interval 0.5 -q -F 29 -o "$T/busy.data" -- sleep 3 \
	>"$T/rec.out" 2>"$T/rec.err" || die "flame record failed: $(tail -5 "$T/rec.err")"
cg_cleanup
"$FLAME" report -i "$T/busy.data" -o "$T/busy.svg" --container "${ID:0:12}" \
	>"$T/rep.out" 2>"$T/rep.err" || die "flame report failed: $(tail -5 "$T/rep.err")"
sed -n '/^cpu /,$p' "$T/rep.err"

# -F 29 went to cpu-clock alone: every switch is in the file
perf script -i "$T/busy.data" -F event 2>/dev/null | awk '{print $1}' | sort | uniq -c > "$T/events"
cat "$T/events"
sw=$(awk '$2 == "sched:sched_switch:" {print $1}' "$T/events")
cc=$(awk '$2 == "cpu-clock:" {print $1}' "$T/events")
check "sched_switch not sampled by -F 29 ($sw switches, $cc cpu-clock samples)" \
	test "${sw:-0}" -gt $((4 * ${cc:-1}))

line=$(grep "^cpu $LABEL " "$T/rep.err")
read -r p50 p99 waits < <(sed -n 's/.*run-queue latency p50 \([0-9.]*\) ms p99 \([0-9.]*\) ms (\([0-9]*\) waits).*/\1 \2 \3/p' <<<"$line")
check "the summary line gives the container's run-queue latency" test -n "$p50"
echo "flame: run-queue latency p50 $p50 ms p99 $p99 ms over $waits waits"
check "plausible under saturation: >= 10 waits, p50 >= 1 ms ($waits, $p50 ms)" \
	awk -v n="$waits" -v p="$p50" 'BEGIN {exit !(n >= 10 && p >= 1)}'
check "verdict: host saturated, naming the run-queue latency" \
	grep -q "verdict $LABEL: not throttled (no quota); host saturated by neighbours: host idle [0-9]*% over [0-9.]* s.*, run-queue latency p50 [0-9.]* ms p99 [0-9.]* ms (its tasks waited for a CPU)" "$T/rep.err"
check "the SVG subtitle carries it" \
	grep -q "CPU $LABEL: host saturated by neighbours; used [0-9.]* CPU, no quota; .*run-queue latency p50 [0-9.]* ms p99 [0-9.]* ms" "$T/busy.svg"

# peer: perf sched timehist's wait times of the spinner (nearest rank)
perf sched timehist -i "$T/busy.data" -p "$cpid" 2>/dev/null |
	awk -v t="[$cpid]" 'index($3, t) && $4 + 0 > 0 {print $4}' | sort -n > "$T/waits"
read -r tn t50 t99 < <(awk '{a[NR] = $1} END {
	i = int(NR * 0.5 + 0.5); j = int(NR * 0.99 + 0.5); if (i < 1) i = 1; if (j < 1) j = 1
	print NR, a[i], a[j] }' "$T/waits")
echo "perf sched timehist: $tn waits, p50 $t50 ms p99 $t99 ms"
check "as many waits as timehist (within 10% or 3)" \
	awk -v a="$waits" -v b="$tn" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(d <= 3 || d <= b / 10)}'
# log-linear buckets: within 1/16 of the value; ranks may differ by one wait
check "p50 within 15% of timehist's ($p50 vs $t50 ms)" \
	awk -v a="$p50" -v b="$t50" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(d <= 0.15 * b + 0.2)}'
check "p99 within 25% of timehist's ($p99 vs $t99 ms)" \
	awk -v a="$p99" -v b="$t99" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(d <= 0.25 * b + 0.2)}'

# the off-CPU modes hand over their own measurement: the same figures
timeout 120 perf script -i "$T/busy.data" --dlfilter "$FLAME_SO" --dlarg mode=offcpu \
	--dlarg container="${ID:0:12}" --dlarg out="$T/off.folded" 2>"$T/off.err" ||
	die "flame.so mode=offcpu failed: $(tail -3 "$T/off.err")"
check "mode=offcpu's CPU summary gives the same figure" \
	grep -q "^cpu $LABEL .*run-queue latency p50 $p50 ms p99 $p99 ms ($waits waits)" "$T/off.err"
echo PASS
