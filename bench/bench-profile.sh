#!/bin/bash
# flame profile -a -F 999 against perf record -a -F 999 -g on the same
# workload at the same time (side by side, so both see the same system):
# CPU time (user + sys) of each profiler over the window, median of RUNS;
# then the time from the end of the window to an SVG: none more for flame
# profile (it writes at the end), perf script + flame.so for perf record.
# Both run in the same window, so each run's ratio compares them under the
# same load; the median of the per-run ratios is the figure to quote.
# FLAME_BASE=path/to/flame runs another build's flame profile in the same
# windows too (before/after); each flame profile's /proc/PID/maps reads
# (first reads and re-reads after a miss) are printed from its debug line.
set -eu
BASE=${FLAME_BASE:-}
RUNS=${RUNS:-5}
D=${PROFILE_SECS:-10}
W=$B/profile
mkdir -p "$W"
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
fcpu="" pcpu="" fwall="" pscript="" fsamp="" psamp="" scpu="" ratio=""
bcpu="" bratio="" fmaps="" bmaps=""
# "N maps read (M again)" of a flame profile's debug line, as N/M
maps() { sed -n 's/.* \([0-9]*\) maps read (\([0-9]*\) again).*/\1\/\2/p' "$1" | tail -1; }
# perf 6.1 record -a may abort at its end (its build-id pass: "assertion
# failed at util/build-id.c", "stack smashing detected") when a process of
# the host mapped a binary with an odd build-id note: such a run is done
# again; after 3 such aborts, perf record gets --buildid-mmap from then on
# (build ids from the kernel's MMAP2 records, as flame profile asks them,
# and no end-of-run pass), and the summary says so.
PERF_OPTS=${PERF_RECORD_OPTS:-}
r=0 fails=0 pnote=""
while [ "$r" -lt "$RUNS" ]; do
	"$BUILD/progs/deep_stacks" $((D + 4)) 2 >/dev/null 2>&1 &
	work=$!
	sleep 1
	if [ -n "$BASE" ]; then
		FLAME_DEBUG=1 /usr/bin/time -f '%U %S %e' -o "$W/time.base" \
			"$BASE" profile -a -F 999 --duration "$D" -o "$W/base.svg" \
			-o "$W/base.folded" 2>"$W/err.base" &
		bs=$!
	fi
	FLAME_DEBUG=1 /usr/bin/time -f '%U %S %e' -o "$W/time.flame" \
		"$BUILD/flame" profile -a -F 999 --duration "$D" -o "$W/live.svg" -o "$W/live.folded" \
		2>"$W/err.flame" &
	fl=$!
	/usr/bin/time -f '%U %S %e' -o "$W/time.perf" \
		perf record -q -a -F 999 -g $PERF_OPTS -o "$W/rec.data" -- sleep "$D" >/dev/null 2>"$W/err.perf" &
	pr=$!
	wait "$fl" || { echo "bench: flame profile failed: $(tail -1 "$W/err.flame")" >&2; exit 1; }
	if ! wait "$pr"; then
		wait "$work" || true
		[ -z "$BASE" ] || wait "$bs" || true
		fails=$((fails + 1))
		[ "$fails" -lt 6 ] || { echo "bench: perf record failed: $(tail -1 "$W/err.perf")" >&2; exit 1; }
		echo "bench: perf record failed ($(tail -1 "$W/err.perf")), run again" >&2
		if [ "$fails" = 3 ]; then
			PERF_OPTS="$PERF_OPTS --buildid-mmap"
			echo "bench: perf record gets --buildid-mmap from run $((r + 1)) on" >&2
			pnote=" (--buildid-mmap from run $((r + 1)))"
		fi
		continue
	fi
	r=$((r + 1))
	if [ -n "$BASE" ]; then
		wait "$bs" || { echo "bench: FLAME_BASE profile failed: $(tail -1 "$W/err.base")" >&2; exit 1; }
		bcpu="$bcpu $(awk '{print $1 + $2}' "$W/time.base")"
		bratio="$bratio $(awk 'NR == FNR {f = $1 + $2; next} {p = $1 + $2; if (p > 0) print f / p}' "$W/time.base" "$W/time.perf")"
		bmaps="$bmaps $(maps "$W/err.base")"
	fi
	fmaps="$fmaps $(maps "$W/err.flame")"
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
printf '%-28s %9.2fs %10s  %.2fs (perf script + flame.so)%s\n' "perf record -g" "$pc" \
	"$(echo "$psamp" | median)" "$(echo "$pscript" | median)" "$pnote"
if [ -n "$BASE" ]; then
	printf '%-28s %9.2fs\n' "FLAME_BASE profile" "$(echo "$bcpu" | median)"
	echo "per-run CPU ratios FLAME_BASE / perf record:$bratio; median $(echo "$bratio" | median)"
	echo "maps read/again per run, FLAME_BASE:$bmaps"
fi
echo "maps read/again per run, flame profile:$fmaps"
sc=$(echo "$scpu" | median)
echo "per-run CPU ratios flame profile / perf record:$ratio; median $(echo "$ratio" | median)"
awk -v a="$fc" -v b="$pc" -v c="$sc" 'BEGIN { if (b > 0) printf "CPU ratio flame profile / perf record: %.2fx; / (perf record + perf script flame.so, %.2fs): %.2fx\n", a / b, b + c, a / (b + c) }'
