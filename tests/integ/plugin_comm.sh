#!/bin/bash
# flame.so takes samples before perf resolves them and asks perf for a
# thread's comm only when the thread's next COMM/FORK/EXIT record says it may
# have changed (lib/input/commlog.c). Threads that rename themselves every
# 20 ms with an unchanged stack: every sample must carry the name perf gives
# it, as when perf is asked for every sample (FLAME_NO_COMMLOG=1), also for
# a pipe recording (no file to read records from).
. "$(dirname "$0")/lib.sh"

perf record -q -e cpu-clock -F 2000 -g -o "$T/p.data" -- "$PROGS/renamer" 1.5 \
	>/dev/null 2>"$T/rec.err" || die "perf record failed: $(cat "$T/rec.err")"
n=$(perf_samples "$T/p.data")
check "precondition: samples recorded ($n)" test "$n" -gt 500

# perf's own names: samples per comm (perf script -F comm)
perf script -i "$T/p.data" -F comm -G 2>/dev/null | awk '{n[$1]++} END {for (c in n) print c, n[c]}' |
	sort > "$T/perf.counts"
cat "$T/perf.counts"
check "precondition: the threads took 6 names" test "$(grep -c '^ren_' "$T/perf.counts")" = 6

FLAME_DEBUG=1 perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg out="$T/log.folded" \
	2>"$T/log.err" || die "perf script failed: $(cat "$T/log.err")"
FLAME_NO_COMMLOG=1 FLAME_DEBUG=1 perf script -i "$T/p.data" --dlfilter "$FLAME_SO" \
	--dlarg out="$T/ask.folded" 2>"$T/ask.err" || die "perf script failed: $(cat "$T/ask.err")"
grep -o 'comm asked.*' "$T/log.err" "$T/ask.err"
check "the log was used" grep -q "kept until a thread's next COMM" "$T/log.err"
asked=$(sed -nE 's/.*comm asked of perf ([0-9]+) times.*/\1/p' "$T/log.err")
# ~75 renames per thread; asked once per name change, not per sample
check "perf asked about once per rename ($asked of $n samples)" \
	test "$asked" -ge 100 -a "$asked" -lt $((n / 3))
check "without the log perf is asked for every sample" grep -q "every sample" "$T/ask.err"
check "same graph with the log as asking every sample" cmp "$T/log.folded" "$T/ask.folded"
awk '{split($1, f, ";"); n[f[1]] += $NF} END {for (c in n) print c, n[c]}' "$T/log.folded" |
	sort > "$T/flame.counts"
check "samples per comm equal perf script's" diff "$T/perf.counts" "$T/flame.counts"

# a cut file (its data section runs past the end): asked every sample. 64 KiB
# of zeros after the cut (more than a record can be): perf maps the data
# section by its header and took SIGBUS when the record across the cut also
# crossed into the next page; in zeros it stops at an empty record header
head -c $(($(stat -c %s "$T/p.data") / 2)) "$T/p.data" >"$T/cut.data"
head -c 65536 /dev/zero >>"$T/cut.data"
FLAME_DEBUG=1 perf script -i "$T/cut.data" --dlfilter "$FLAME_SO" --dlarg out="$T/cut.folded" \
	>/dev/null 2>"$T/cut.err" || true
perf script -i "$T/cut.data" -F comm -G 2>/dev/null | awk '{n[$1]++} END {for (c in n) print c, n[c]}' |
	sort > "$T/cperf.counts"
awk '{split($1, f, ";"); n[f[1]] += $NF} END {for (c in n) print c, n[c]}' "$T/cut.folded" |
	sort > "$T/cflame.counts"
check "cut file: perf asked every sample" grep -q "every sample" "$T/cut.err"
check "cut file: samples per comm equal perf script's" diff "$T/cperf.counts" "$T/cflame.counts"

# a pipe recording: no file behind perf script -i -: asked every sample
perf record -q -e cpu-clock -F 2000 -g -o - -- "$PROGS/renamer" 0.5 >"$T/p.pipe" 2>"$T/rec.err" ||
	die "perf record (pipe) failed: $(cat "$T/rec.err")"
FLAME_DEBUG=1 perf script -i - --dlfilter "$FLAME_SO" --dlarg out="$T/pipe.folded" \
	<"$T/p.pipe" 2>"$T/pipe.err" || die "perf script (pipe) failed: $(cat "$T/pipe.err")"
perf script -i - -F comm -G <"$T/p.pipe" 2>/dev/null | awk '{n[$1]++} END {for (c in n) print c, n[c]}' |
	sort > "$T/pperf.counts"
awk '{split($1, f, ";"); n[f[1]] += $NF} END {for (c in n) print c, n[c]}' "$T/pipe.folded" |
	sort > "$T/pflame.counts"
check "pipe input: perf asked every sample" grep -q "every sample" "$T/pipe.err"
check "pipe input: samples per comm equal perf script's" diff "$T/pperf.counts" "$T/pflame.counts"

# a compressed recording (-z: records inside zstd frames): asked every sample
if perf record -q -z -e cpu-clock -F 2000 -g -o "$T/z.data" -- "$PROGS/renamer" 0.5 \
	>/dev/null 2>"$T/rec.err" && perf report -i "$T/z.data" --stats 2>/dev/null | grep -q COMPRESSED; then
	FLAME_DEBUG=1 perf script -i "$T/z.data" --dlfilter "$FLAME_SO" --dlarg out="$T/z.folded" \
		2>"$T/z.err" || die "perf script (-z) failed: $(cat "$T/z.err")"
	perf script -i "$T/z.data" -F comm -G 2>/dev/null | awk '{n[$1]++} END {for (c in n) print c, n[c]}' |
		sort > "$T/zperf.counts"
	awk '{split($1, f, ";"); n[f[1]] += $NF} END {for (c in n) print c, n[c]}' "$T/z.folded" |
		sort > "$T/zflame.counts"
	check "compressed input: perf asked every sample" grep -q "every sample" "$T/z.err"
	check "compressed input: samples per comm equal perf script's" diff "$T/zperf.counts" "$T/zflame.counts"
else
	echo "  (this perf records no compressed data: that case not run)"
fi
