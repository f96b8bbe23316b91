#!/bin/bash
# flame profile -a -F 999 against perf record -a -F 999 -g on the same
# workload at the same time (side by side, so both see the same system):
# CPU time (user + sys) of each profiler over the window, median of RUNS;
# then the time from the end of the window to an SVG: none more for flame
# profile (it writes at the end), perf script + flame.so for perf record.
# Both run in the same window, so each run's ratio compares them under the
# same load; the median of the per-run ratios is the figure to quote.
set -eu
RUNS=${RUNS:-5}
D=${PROFILE_SECS:-10}
W=$B/profile
mkdir -p "$W"
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
fcpu="" pcpu="" fwall="" pscript="" fsamp="" psamp="" scpu="" ratio=""
for r in $(seq "$RUNS"); do
	"$BUILD/progs/deep_stacks" $((D + 4)) 2 >/dev/null 2>&1 &
	work=$!
	sleep 1
	/usr/bin/time -f '%U %S %e' -o "$W/time.flame" \
		"$BUILD/flame" profile -a -F 999 --duration "$D" -o "$W/live.svg" -o "$W/live.folded" \
		2>"$W/err.flame" &
	fl=$!
	/usr/bin/time -f '%U %S %e' -o "$W/time.perf" \
		perf record -q -a -F 999 -g -o "$W/rec.data" -- sleep "$D" >/dev/null 2>"$W/err.perf" &
	pr=$!
	wait "$fl" || { echo "bench: flame profile failed: $(tail -1 "$W/err.flame")" >&2; exit 1; }
	wait "$pr" || { echo "bench: perf record failed: $(tail -1 "$W/err.perf")" >&2; exit 1; }
	wait "$work" || true
	/usr/bin/time -f '%U %S %e' -o "$W/time.script" perf script -i "$W/rec.data" \
		--dlfilter "$BUILD/flame.so" --dlarg "out=$W/rec.svg" --dlarg "out=$W/rec.folded" \
		>/dev/null 2>"$W/err.script"
	ratio="$ratio $(awk 'NR == FNR {f = $1 + $2; next} {p = $1 + $2; if (p > 0) print f / p}' "$W/time.flame" "$W/time.perf")"
	fcpu="$fcpu $(awk '{print $1 + $2}' "$W/time.flame")"
	pcpu="$pcpu $(awk '{print $1 + $2}' "$W/time.perf")"
	fwall="$fwall $(awk -v d="$D" '{x = $3 - d; print x < 0 ? 0 : x}' "$W/time.flame")"
	pscript="$pscript $(awk '{print $3}' "$W/time.script")"
	scpu="$scpu $(awk '{print $1 + $2}' "$W/time.script")"
	fsamp="$fsamp $(awk '{s += $NF} END {print s}' "$W/live.folded")"
	psamp="$psamp $(awk '{s += $NF} END {print s}' "$W/rec.folded")"
done
fc=$(echo "$fcpu" | median) pc=$(echo "$pcpu" | median)
echo "window ${D}s, -a -F 999, workload deep_stacks (2 threads), $RUNS runs, medians"
printf '%-28s %10s %10s  %s\n' profiler cpu-s samples "window end -> svg"
printf '%-28s %9.2fs %10s  %.2fs (written at the end)\n' "flame profile" "$fc" \
	"$(echo "$fsamp" | median)" "$(echo "$fwall" | median)"
printf '%-28s %9.2fs %10s  %.2fs (perf script + flame.so)\n' "perf record -g" "$pc" \
	"$(echo "$psamp" | median)" "$(echo "$pscript" | median)"
sc=$(echo "$scpu" | median)
echo "per-run CPU ratios flame profile / perf record:$ratio; median $(echo "$ratio" | median)"
awk -v a="$fc" -v b="$pc" -v c="$sc" 'BEGIN { if (b > 0) printf "CPU ratio flame profile / perf record: %.2fx; / (perf record + perf script flame.so, %.2fs): %.2fx\n", a / b, b + c, a / (b + c) }'
