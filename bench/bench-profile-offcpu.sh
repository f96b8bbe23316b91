#!/bin/bash
# flame profile -a --off-cpu against perf record -a -g with the same four
# sched tracepoints (what flame record --off-cpu adds), side by side in one
# window on one switch-heavy workload (perf bench sched pipe: two tasks
# ping-ponging through pipes, plus tests/progs/offcpu_work): CPU time
# (user + sys) of each profiler over the window, then the CPU of perf
# script + flame.so mode=offcpu that perf record's file still needs for a
# graph. Median of RUNS; the per-run ratio compares both under one load.
set -eu
RUNS=${RUNS:-5}
D=${PROFILE_SECS:-8}
W=$B/profile-offcpu
mkdir -p "$W"
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
fcpu="" pcpu="" scpu="" ratio="" ratio2="" fev="" pev=""
r=0 fails=0
while [ "$r" -lt "$RUNS" ]; do
	perf bench sched pipe -l 100000000 >/dev/null 2>&1 &
	pipe=$!
	"$BUILD/progs/offcpu_work" 4000 $((D * 1000)) >/dev/null &
	work=$!
	sleep 0.5
	/usr/bin/time -f '%U %S %e' -o "$W/time.flame" \
		"$BUILD/flame" profile -a --off-cpu --duration "$D" -o "$W/live.folded" \
		2>"$W/err.flame" &
	fl=$!
	/usr/bin/time -f '%U %S %e' -o "$W/time.perf" \
		perf record -q -a -g --no-buildid -e sched:sched_switch -e sched:sched_waking \
		-e sched:sched_wakeup_new -e sched:sched_process_exit \
		-o "$W/rec.data" -- sleep "$D" >/dev/null 2>"$W/err.perf" &
	pr=$!
	wait "$fl" || { kill "$pipe" "$work" 2>/dev/null; echo "bench: flame profile --off-cpu failed: $(tail -1 "$W/err.flame")" >&2; exit 1; }
	prc=0
	wait "$pr" || prc=$?
	kill "$pipe" "$work" 2>/dev/null || true
	wait "$pipe" "$work" 2>/dev/null || true
	if [ "$prc" != 0 ]; then
		fails=$((fails + 1))
		[ "$fails" -lt 4 ] || { echo "bench: perf record failed: $(tail -1 "$W/err.perf")" >&2; exit 1; }
		continue
	fi
	r=$((r + 1))
	/usr/bin/time -f '%U %S %e' -o "$W/time.script" perf script -i "$W/rec.data" \
		--dlfilter "$BUILD/flame.so" --dlarg mode=offcpu --dlarg "out=$W/rec.folded" \
		>/dev/null 2>"$W/err.script"
	fcpu="$fcpu $(awk '{print $1 + $2}' "$W/time.flame")"
	pcpu="$pcpu $(awk '{print $1 + $2}' "$W/time.perf")"
	scpu="$scpu $(awk '{print $1 + $2}' "$W/time.script")"
	ratio="$ratio $(awk 'NR == FNR {f = $1 + $2; next} {p = $1 + $2; if (p > 0) printf "%.2f\n", f / p}' "$W/time.flame" "$W/time.perf")"
	ratio2="$ratio2 $(cat "$W/time.flame" "$W/time.perf" "$W/time.script" | awk '{c[NR] = $1 + $2} END {if (c[2] + c[3] > 0) printf "%.2f\n", c[1] / (c[2] + c[3])}')"
	fev="$fev $(sed -n 's/.*mode=offcpu: \([0-9]*\) sched events.*/\1/p' "$W/err.flame" | tail -1)"
	pev="$pev $(sed -n 's/.*mode=offcpu: \([0-9]*\) sched events.*/\1/p' "$W/err.script" | tail -1)"
done
echo "window ${D}s, -a, sched_switch/waking/wakeup_new/process_exit with callchains; workload perf bench sched pipe + offcpu_work; $RUNS runs, medians"
printf '%-34s %9s %12s\n' profiler cpu-s "sched events"
printf '%-34s %8.2fs %12s\n' "flame profile --off-cpu" "$(echo "$fcpu" | median)" "$(echo "$fev" | median)"
printf '%-34s %8.2fs %12s\n' "perf record -e sched:... -g" "$(echo "$pcpu" | median)" "$(echo "$pev" | median)"
printf '%-34s %8.2fs\n' "  + perf script flame.so offcpu" "$(echo "$scpu" | median)"
echo "per-run CPU ratios flame profile / perf record:$ratio; median $(echo "$ratio" | median)"
echo "per-run CPU ratios flame profile / (perf record + perf script):$ratio2; median $(echo "$ratio2" | median)"
