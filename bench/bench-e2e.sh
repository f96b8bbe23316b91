#!/bin/bash
# End to end on the hardest corpus (machine.data, bench/run.sh): perf.data to
# an SVG with flame.so against the Perl pipeline
#   perf script | stackcollapse-perf.pl | flamegraph.pl
# side by side, interleaved, median of RUNS (default 3). Needs FlameGraph's
# scripts (FLAMEGRAPH=dir, see bench/run.sh); skipped without them.
set -eu
RUNS=${RUNS_E2E:-3}
C=${E2E_CORPUS:-$B/machine.data}
if [ -z "${FLAMEGRAPH:-}" ] || [ ! -x "$FLAMEGRAPH/flamegraph.pl" ]; then
	echo "bench-e2e: skipped: FlameGraph's scripts not found (FLAMEGRAPH=dir; Debian 12 does not package them)"
	exit 0
fi
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
declare -A cmd times cpu
cmd[flame]="perf script -i $C --dlfilter $BUILD/flame.so --dlarg out=$B/e2e.svg"
cmd[perl]="perf script -i $C | $FLAMEGRAPH/stackcollapse-perf.pl | $FLAMEGRAPH/flamegraph.pl > $B/e2e-perl.svg"
order="flame perl"
if [ -n "${BASE_SO:-}" ]; then
	cmd[base]="perf script -i $C --dlfilter $BASE_SO --dlarg out=$B/e2e-base.svg"
	order="flame base perl"
fi
for r in $(seq "$RUNS"); do
	for k in $order; do
		# CPU: user + sys of every process of the pipeline (bash waits for them)
		/usr/bin/time -f '%e %U %S' -o "$B/time.e2e.$k" bash -c "${cmd[$k]}" >/dev/null 2>"$B/err.e2e.$k" ||
			{ echo "bench-e2e: $k failed: $(tail -1 "$B/err.e2e.$k")" >&2; exit 1; }
		times[$k]="${times[$k]:-} $(cut -d' ' -f1 "$B/time.e2e.$k")"
		cpu[$k]="${cpu[$k]:-} $(awk '{print $2 + $3}' "$B/time.e2e.$k")"
	done
done
echo "end to end, $(basename "$C"): perf.data -> SVG (median of $RUNS)"
p=$(echo "${times[perl]}" | median)
pc=$(echo "${cpu[perl]}" | median)
for k in $order; do
	m=$(echo "${times[$k]}" | median)
	c=$(echo "${cpu[$k]}" | median)
	printf '  %-6s %8.2f s wall (%5.1fx faster than perl) %8.2f s cpu (%5.1fx less)  %s\n' "$k" "$m" \
		"$(echo "$p / $m" | bc -l)" "$c" "$(echo "$pc / $c" | bc -l)" \
		"$(echo "${cmd[$k]}" | sed "s|$B/||g; s|$BUILD/||g; s|$FLAMEGRAPH/||g")"
done
