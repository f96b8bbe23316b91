#!/bin/bash
# flame.so mode=offcpu against perf sched timehist on the same system-wide
# sched recording (>= 1M sched events: perf bench sched pipe ping-pong),
# side by side, interleaved rounds, median of RUNS (default 5): wall time,
# CPU time (user + sys, steadier on a loaded machine) and peak RSS.
# offcpu_late is flame.so with FLAME_LATE=1: samples taken after perf has
# resolved them (filter_event), as before the filter_event_early path;
# offcpu_kernel names kernel frames only, as timehist does.
# Then memory against corpus size: the first 25 %, 50 % and 100 % of the
# same recording (perf script --time), flame.so's peak RSS above the
# do-nothing filter's, with the events, threads and unique stacks it saw.
set -eu
RUNS=${RUNS:-5}
FLAME_SO=$BUILD/flame.so
DATA=$B/offcpu.data
if [ ! -s "$DATA" ]; then
	# perf 6.1 has aborted reading a system-wide file here (a process's
	# oversized build-id note): record again until perf script reads it
	for try in 1 2 3 4 5; do
		echo "recording the off-CPU corpus (perf bench sched pipe, system-wide sched events, -g, try $try)..." >&2
		perf record -q -a -g -e sched:sched_switch -e sched:sched_waking \
			-e sched:sched_wakeup_new -e sched:sched_process_exit --no-buildid \
			-m 32M -o "$DATA.tmp" -- perf bench sched pipe -l 400000 >/dev/null 2>&1 || continue
		if perf script -i "$DATA.tmp" -F event >/dev/null 2>&1; then
			mv "$DATA.tmp" "$DATA"
			break
		fi
	done
	[ -s "$DATA" ] || { echo "bench: could not record $DATA" >&2; exit 1; }
fi
nev=$(perf script -i "$DATA" -F event 2>/dev/null | wc -l)
echo "corpus: $DATA, $nev sched events"

declare -A cmd
cmd[nop]="perf script -i $DATA --dlfilter $B/nop.so"
cmd[offcpu]="perf script -i $DATA --dlfilter $FLAME_SO --dlarg mode=offcpu --dlarg out=$B/off.folded --dlarg out=$B/off.svg"
cmd[offcpu_late]="env FLAME_LATE=1 ${cmd[offcpu]}"
# what timehist names: kernel frames only (it ignores MMAP2 events, so every
# user frame is [unknown] to it)
cmd[offcpu_kernel]="${cmd[offcpu]} --dlarg kernel-only=1"
cmd[timehist]="perf sched timehist -i $DATA"
cmd[timehist_s]="perf sched timehist -s -i $DATA"
order="nop offcpu offcpu_late offcpu_kernel timehist timehist_s"
declare -A times cpus rss

for r in $(seq "$RUNS"); do
	for k in $order; do
		/usr/bin/time -f '%e %U %S %M' -o "$B/time.$k" ${cmd[$k]} >/dev/null 2>"$B/err.$k" ||
			{ echo "bench: $k failed: $(tail -1 "$B/err.$k")" >&2; exit 1; }
		read -r wall user sys kb < "$B/time.$k"
		times[$k]="${times[$k]:-} $wall"
		cpus[$k]="${cpus[$k]:-} $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')"
		rss[$k]=$kb
	done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
th=$(echo "${cpus[timehist]}" | median)
printf '%-14s %9s %9s %14s %10s  %s\n' contender wall CPU CPU-vs-timehist peak-RSS command
for k in $order; do
	w=$(echo "${times[$k]}" | median)
	c=$(echo "${cpus[$k]}" | median)
	printf '%-14s %8.2fs %8.2fs %13.2fx %8d KB  %s\n' "$k" "$w" "$c" \
		"$(awk -v a="$c" -v b="$th" 'BEGIN {print a / b}')" \
		"${rss[$k]}" "$(echo "${cmd[$k]}" | sed "s|$B/||g; s|$BUILD/||g")"
done
grep "^flame.so: mode" "$B/err.offcpu"

# memory against corpus size: slices of the same recording
first=$(perf script -i "$DATA" -F time 2>/dev/null | head -1 | tr -d ' :')
last=$(perf script -i "$DATA" -F time 2>/dev/null | tail -1 | tr -d ' :')
printf '\n%-6s %9s %8s %8s %12s %12s %12s\n' slice events threads stacks nop-RSS flame-RSS flame-extra
for frac in 0.25 0.5 1.0; do
	t="$first,$(awk -v a="$first" -v b="$last" -v f=$frac 'BEGIN {printf "%.6f", a + (b - a) * f}')"
	/usr/bin/time -f '%M' -o "$B/time.mnop" perf script -i "$DATA" --time "$t" \
		--dlfilter "$B/nop.so" >/dev/null 2>&1
	/usr/bin/time -f '%M' -o "$B/time.moff" ${cmd[offcpu]} --time "$t" >/dev/null 2>"$B/err.moff"
	a=$(tail -1 "$B/time.mnop") b=$(tail -1 "$B/time.moff")
	printf '%-6s %9s %8s %8s %9d KB %9d KB %9d KB\n' "$frac" \
		"$(grep -o '[0-9]* sched events' "$B/err.moff" | cut -d' ' -f1)" \
		"$(grep -o '[0-9]* threads at most' "$B/err.moff" | cut -d' ' -f1)" \
		"$(grep -o '[0-9]* unique stacks' "$B/err.moff" | cut -d' ' -f1)" "$a" "$b" $((b - a))
done
