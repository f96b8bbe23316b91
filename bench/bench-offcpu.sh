#!/bin/bash
# flame.so mode=offcpu against perf sched timehist on the same system-wide
# sched recording (>= 1M sched events: perf bench sched pipe ping-pong),
# side by side, interleaved rounds, median of RUNS (default 5).
set -eu
RUNS=${RUNS:-5}
FLAME_SO=$BUILD/flame.so
DATA=$B/offcpu.data
if [ ! -s "$DATA" ]; then
	echo "recording the off-CPU corpus (perf bench sched pipe, system-wide sched events, -g)..." >&2
	perf record -q -a -g -e sched:sched_switch -e sched:sched_waking \
		-e sched:sched_wakeup_new -e sched:sched_process_exit --no-buildid \
		-m 32M -o "$DATA" -- perf bench sched pipe -l 400000 >/dev/null 2>&1
fi
nev=$(perf script -i "$DATA" -F event 2>/dev/null | wc -l)
echo "corpus: $DATA, $nev sched events"

declare -A cmd
cmd[nop]="perf script -i $DATA --dlfilter $B/nop.so"
cmd[offcpu]="perf script -i $DATA --dlfilter $FLAME_SO --dlarg mode=offcpu --dlarg out=$B/off.folded --dlarg out=$B/off.svg"
cmd[timehist]="perf sched timehist -i $DATA"
cmd[timehist_s]="perf sched timehist -s -i $DATA"
order="nop offcpu timehist timehist_s"
declare -A times rss

for r in $(seq "$RUNS"); do
	for k in $order; do
		/usr/bin/time -f '%e %M' -o "$B/time.$k" ${cmd[$k]} >/dev/null 2>"$B/err.$k" ||
			{ echo "bench: $k failed: $(tail -1 "$B/err.$k")" >&2; exit 1; }
		times[$k]="${times[$k]:-} $(cut -d' ' -f1 "$B/time.$k")"
		rss[$k]=$(cut -d' ' -f2 "$B/time.$k")
	done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
floor=$(echo "${times[nop]}" | median)
th=$(echo "${times[timehist]}" | median)
printf '%-10s %9s %9s %12s %10s  %s\n' contender median ratio vs-timehist peak-RSS command
for k in $order; do
	m=$(echo "${times[$k]}" | median)
	printf '%-10s %8.2fs %8.2fx %11.2fx %8d KB  %s\n' "$k" "$m" \
		"$(awk -v a="$m" -v b="$floor" 'BEGIN {print a / b}')" \
		"$(awk -v a="$m" -v b="$th" 'BEGIN {print a / b}')" \
		"${rss[$k]}" "$(echo "${cmd[$k]}" | sed "s|$B/||g; s|$BUILD/||g")"
done
grep "^flame.so: mode" "$B/err.offcpu"
