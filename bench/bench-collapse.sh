#!/bin/bash
# flame collapse vs wc -l on a >= 100 MB perf script text (made once from the
# golden recordings in tests/data/collapse, pids varied so stacks differ).
# Prints medians of 3 runs, MB/s and the ratio to wc -l.
set -eu
BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
FLAME=$BUILD/flame
IN=$BUILD/bench-collapse.perf.txt
D=$TOP/tests/data/collapse
if [ ! -s "$IN" ] || [ "$(stat -c %s "$IN")" -lt 100000000 ]; then
	one=$(mktemp)
	{ cat "$D/c.perf.txt" "$D/cxx.perf.txt"; zcat "$D/kernel-multi.perf.txt.gz" "$D/node-jit.perf.txt.gz"; } > "$one"
	for i in $(seq 1 200); do sed "s/^\([a-z_]*\) \( *\)\([0-9]*\)/\1 \2\3$((i % 16))/" "$one"; done > "$IN.tmp"
	mv "$IN.tmp" "$IN"; rm -f "$one"
fi
size=$(stat -c %s "$IN")
cat "$IN" > /dev/null	# page cache
median() { sort -n | sed -n 2p; }
t() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
wc_t=$(for i in 1 2 3; do t wc -l "$IN"; done | median)
f1_t=$(for i in 1 2 3; do t "$FLAME" collapse --threads=1 "$IN" 2>/dev/null; done | median)
f2_t=$(for i in 1 2 3; do t "$FLAME" collapse --threads=2 "$IN" 2>/dev/null; done | median)
mbs() { echo "scale=0; $size / 1000000 / $1" | bc -l; }
printf 'collapse input: %d MB perf script text\n' $((size / 1000000))
printf '  wc -l                  %6.3f s  %5d MB/s\n' "$wc_t" "$(mbs "$wc_t")"
printf '  flame collapse 1 thr   %6.3f s  %5d MB/s  %.2fx wc -l\n' "$f1_t" "$(mbs "$f1_t")" "$(echo "$f1_t / $wc_t" | bc -l)"
printf '  flame collapse 2 thr   %6.3f s  %5d MB/s  %.2fx wc -l\n' "$f2_t" "$(mbs "$f2_t")" "$(echo "$f2_t / $wc_t" | bc -l)"
