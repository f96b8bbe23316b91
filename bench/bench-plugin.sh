#!/bin/bash
# flame.so against perf's floor (a do-nothing dlfilter) on every corpus
# (CORPORA, set by bench/run.sh), for out=folded, out=svg and both, side by
# side, interleaved rounds, median of RUNS (default 5). A change is judged
# on the worst corpus (docs/performance.md). Reference rows (bench/*_filter.c):
# early (returns before perf resolves a sample), resolve (perf names every
# frame, no cache), once (perf names each distinct address once), bound
# (distinct raw callchains counted, nothing named).
set -eu
RUNS=${RUNS:-5}
FLAME_SO=$BUILD/flame.so
CORPORA=${CORPORA:-$CORPUS}
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
declare -A worst cworst

for c in $CORPORA; do
	name=$(basename "$c" .data)
	nsamp=$(perf script -i "$c" -F period 2>/dev/null | wc -l)
	echo "corpus: $name ($c), $nsamp samples"
	declare -A cmd=() times=() cpu=() rss=() pair=()
	dl="perf script -i $c --dlfilter"
	cmd[nop]="$dl $B/nop.so"
	cmd[early]="$dl $B/early.so"
	cmd[resolve]="$dl $B/resolve.so"
	cmd[once]="$dl $B/once.so"
	cmd[bound]="$dl $B/bound.so"
	cmd[folded]="$dl $FLAME_SO --dlarg out=$B/out.folded"
	cmd[svg]="$dl $FLAME_SO --dlarg out=$B/out.svg"
	cmd[both]="$dl $FLAME_SO --dlarg out=$B/out.folded --dlarg out=$B/out.svg"
	order="nop early resolve once bound folded svg both"
	# BASE_SO=other/flame.so: a second flame.so side by side (before/after)
	if [ -n "${BASE_SO:-}" ]; then
		cmd[b_folded]="$dl $BASE_SO --dlarg out=$B/base.folded"
		cmd[b_svg]="$dl $BASE_SO --dlarg out=$B/base.svg"
		cmd[b_both]="$dl $BASE_SO --dlarg out=$B/base.folded --dlarg out=$B/base.svg"
		order="$order b_folded b_svg b_both"
	fi
	# the text and report rows only on the first corpus (they take long)
	if [ "$c" = "${CORPORA%% *}" ]; then
		cmd[text]="perf script -i $c"
		cmd[report]="perf report -i $c --stdio --no-children -g folded"
		order="$order text report"
	fi
	# CPU from perf stat's task-clock (ms, not /usr/bin/time's 10 ms
	# ticks); cpu-ratio is paired: each round's ratio to that round's
	# floor (run first), then the median over rounds, so that what the
	# rest of the machine does from one round to the next cancels out
	for r in $(seq "$RUNS"); do
		for k in $order; do
			/usr/bin/time -f '%e %M' -o "$B/time.$k" \
				perf stat -x, -e task-clock -o "$B/stat.$k" ${cmd[$k]} >/dev/null 2>"$B/err.$k" ||
				{ echo "bench: $k failed: $(tail -1 "$B/err.$k")" >&2; exit 1; }
			c=$(awk -F, '/task-clock/ {printf "%.4f", $1 / 1000}' "$B/stat.$k")
			times[$k]="${times[$k]:-} $(cut -d' ' -f1 "$B/time.$k")"
			rss[$k]="${rss[$k]:-} $(cut -d' ' -f2 "$B/time.$k")"
			cpu[$k]="${cpu[$k]:-} $c"
			[ "$k" = nop ] && round_floor=$c
			pair[$k]="${pair[$k]:-} $(awk -v a="$c" -v b="$round_floor" 'BEGIN {printf "%.4f", (b > 0 ? a / b : 0)}')"
		done
	done
	floor=$(echo "${times[nop]}" | median)
	floor_rss=$(echo "${rss[nop]}" | median)
	printf '%-10s %9s %9s %9s %9s %10s %8s  %s\n' contender median ratio cpu cpu-ratio peak-RSS rss-ratio command
	for k in $order; do
		m=$(echo "${times[$k]}" | median)
		m_rss=$(echo "${rss[$k]}" | median)
		m_cpu=$(echo "${cpu[$k]}" | median)
		ratio=$(awk -v a="$m" -v b="$floor" 'BEGIN {printf "%.2f", a / b}')
		cratio=$(printf '%.2f' "$(echo "${pair[$k]}" | median)")
		printf '%-10s %8.2fs %8sx %8.2fs %8sx %8d KB %7.2fx  %s\n' "$k" "$m" "$ratio" "$m_cpu" \
			"$cratio" "$m_rss" \
			"$(awk -v a="$m_rss" -v b="$floor_rss" 'BEGIN {print a / b}')" \
			"$(echo "${cmd[$k]}" | sed "s|$B/||g; s|$BUILD/||g")"
		worst[$k]=$(awk -v a="$ratio" -v w="${worst[$k]:-0}" -v n="$name" \
			'BEGIN {split(w, x, " "); if (a + 0 > x[1] + 0) print a " " n; else print w}')
		cworst[$k]=$(awk -v a="$cratio" -v w="${cworst[$k]:-0}" -v n="$name" \
			'BEGIN {split(w, x, " "); if (a + 0 > x[1] + 0) print a " " n; else print w}')
	done
	tail -1 "$B/err.both"
	echo
done
echo "worst ratio to the floor over the corpora (wall, cpu):"
for k in early once bound folded svg both ${BASE_SO:+b_folded b_svg b_both}; do
	printf '  %-10s %sx (%s)  %sx (%s)\n' "$k" ${worst[$k]} ${cworst[$k]}
done
