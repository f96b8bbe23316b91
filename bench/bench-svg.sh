#!/bin/bash
# flame svg on a large folded file (BIG_FOLDED: 300k distinct stacks, depth
# 5..40, 3000 names, ~137 MB, made by bench/gen_corpus.c) against
# inferno-flamegraph and flamegraph.pl when present, and a previous flame
# (BASE_FLAME=path), side by side, interleaved, median of RUNS (default 3)
# for wall time, CPU time (user + sys) and peak RSS. flamegraph.pl takes
# minutes on this file: it runs in the first round only.
set -eu
RUNS=${RUNS_SVG:-3}
IN=$BIG_FOLDED
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
declare -A cmd times cpu rss
cmd[flame]="$BUILD/flame svg $IN -o $B/big.svg"
order="flame"
if [ -n "${BASE_FLAME:-}" ]; then
	cmd[base]="$BASE_FLAME svg $IN -o $B/big-base.svg"
	order="$order base"
fi
if command -v inferno-flamegraph >/dev/null; then
	cmd[inferno]="inferno-flamegraph $IN"
	order="$order inferno"
else
	echo "bench-svg: inferno-flamegraph not installed (not in Debian 12): row skipped"
fi
if [ -n "${FLAMEGRAPH:-}" ] && [ -x "$FLAMEGRAPH/flamegraph.pl" ]; then
	cmd[perl]="$FLAMEGRAPH/flamegraph.pl $IN"
	order="$order perl"
fi
cat "$IN" > /dev/null	# page cache
for r in $(seq "$RUNS"); do
	for k in $order; do
		[ "$k" = perl ] && [ "$r" -gt 1 ] && continue
		/usr/bin/time -f '%e %M %U %S' -o "$B/time.svg.$k" ${cmd[$k]} >"$B/out.svg.$k" 2>"$B/err.svg.$k" ||
			{ echo "bench-svg: $k failed: $(tail -1 "$B/err.svg.$k")" >&2; exit 1; }
		times[$k]="${times[$k]:-} $(cut -d' ' -f1 "$B/time.svg.$k")"
		rss[$k]="${rss[$k]:-} $(cut -d' ' -f2 "$B/time.svg.$k")"
		cpu[$k]="${cpu[$k]:-} $(awk '{print $3 + $4}' "$B/time.svg.$k")"
	done
done
rm -f "$B"/out.svg.*
echo "flame svg on $(basename "$IN") ($(($(stat -c %s "$IN") / 1000000)) MB, $(wc -l < "$IN") lines), median of $RUNS"
f=$(echo "${times[flame]}" | median)
for k in $order; do
	m=$(echo "${times[$k]}" | median)
	printf '  %-8s %7.2f s wall %7.2f s cpu %8d KB  %5.2fx flame'"'"'s wall  %s\n' "$k" "$m" \
		"$(echo "${cpu[$k]}" | median)" "$(echo "${rss[$k]}" | median)" \
		"$(echo "$m / $f" | bc -l)" "$(echo "${cmd[$k]}" | sed "s|$B/||g; s|$BUILD/||g")"
done
