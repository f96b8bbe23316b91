#!/bin/bash
# flame.so against perf's floor (a do-nothing dlfilter) on the same perf.data,
# side by side, interleaved rounds, median of RUNS (default 5).
set -eu
RUNS=${RUNS:-5}
FLAME_SO=$BUILD/flame.so
nsamp=$(perf script -i "$CORPUS" -F period 2>/dev/null | wc -l)
echo "corpus: $CORPUS, $nsamp samples"

declare -A cmd
cmd[nop]="perf script -i $CORPUS --dlfilter $B/nop.so"
cmd[resolve]="perf script -i $CORPUS --dlfilter $B/resolve.so"
cmd[flame]="perf script -i $CORPUS --dlfilter $FLAME_SO --dlarg out=$B/out.folded --dlarg out=$B/out.svg"
cmd[text]="perf script -i $CORPUS"
cmd[report]="perf report -i $CORPUS --stdio --no-children -g folded"
order="nop resolve flame text report"
# BASE_SO=other/flame.so: a second flame.so side by side (before/after a change)
if [ -n "${BASE_SO:-}" ]; then
	cmd[base]="perf script -i $CORPUS --dlfilter $BASE_SO --dlarg out=$B/base.folded --dlarg out=$B/base.svg"
	order="nop resolve flame base text report"
fi
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
printf '%-10s %9s %9s %10s  %s\n' contender median ratio peak-RSS command
for k in $order; do
	m=$(echo "${times[$k]}" | median)
	printf '%-10s %8.2fs %8.2fx %8d KB  %s\n' "$k" "$m" "$(awk -v a="$m" -v b="$floor" 'BEGIN {print a / b}')" \
		"${rss[$k]}" "$(echo "${cmd[$k]}" | sed "s|$B/||g; s|$BUILD/||g")"
done
tail -1 "$B/err.flame"
