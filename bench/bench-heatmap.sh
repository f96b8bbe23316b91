#!/bin/bash
# Heatmap page: size and writer time on the real corpus and on a 10-minute,
# 1000 Hz, 2-CPU profile (1.2 M samples, the corpus's stacks re-timed by
# bench/heatmap_gen.c), and page-ready time in headless Chromium.
# Medians of 3; contenders side by side in one run.
set -eu
: "${BUILD:?}" "${B:?}" "${CORPUS:?}"
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
RUNS=3
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ms() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
size() { stat -c %s "$1"; }

cc -O2 -Iinclude -Ilib -D_GNU_SOURCE -o "$B/heatmap_gen" "$TOP/bench/heatmap_gen.c" \
	"$BUILD/libflame.a" -lelf -ldw -lz -lm -lpthread

# 1. the recorded corpus through flame.so: heatmap vs folded in one pass
t_html=() t_fold=() t_text=()
for _ in $(seq $RUNS); do
	t_text+=("$(ms perf script -i "$CORPUS")")
	t_fold+=("$(ms perf script -i "$CORPUS" --dlfilter "$BUILD/flame.so" --dlarg out="$B/hm-corpus.folded")")
	t_html+=("$(ms perf script -i "$CORPUS" --dlfilter "$BUILD/flame.so" --dlarg out="$B/hm-corpus.html")")
done
th=$(printf '%s\n' "${t_html[@]}" | median)
tf=$(printf '%s\n' "${t_fold[@]}" | median)
tt=$(printf '%s\n' "${t_text[@]}" | median)
ns=$(grep -o '"samples":[0-9]*' "$B/hm-corpus.html" | cut -d: -f2)
echo "corpus: $ns samples; flame.so out=.html ${th} ms, out=.folded ${tf} ms, perf script text ${tt} ms"
awk -v a="$th" -v b="$tf" -v c="$tt" 'BEGIN {printf "  heatmap/folded %.2fx, heatmap/perf-script-text %.2fx\n", a / b, a / c}'
# FlameScope's input for the same samples, measured without storing it
ph=$(size "$B/hm-corpus.html") hz=$(gzip -c "$B/hm-corpus.html" | wc -c)
pt=$(perf script -i "$CORPUS" 2>/dev/null | wc -c)
pz=$(perf script -i "$CORPUS" 2>/dev/null | gzip -1 | wc -c)
echo "  page $ph bytes ($hz gzip) vs perf script text $pt bytes ($pz gzip -1): $(awk -v a="$ph" -v b="$pt" 'BEGIN {printf "%.3f", a / b}')x"

# 2. ten minutes at 1000 Hz on 2 CPUs
w=()
for _ in $(seq $RUNS); do
	w+=("$("$B/heatmap_gen" "$B/hm-corpus.folded" 600 1000 2 "$B/hm-long.html" | sed -n 's/.*writer_ms \([0-9]*\).*/\1/p')")
done
tw=$(printf '%s\n' "${w[@]}" | median)
pl=$(size "$B/hm-long.html") lz=$(gzip -c "$B/hm-long.html" | wc -c)
echo "10 min x 1000 Hz x 2 CPUs (1,200,000 samples): writer ${tw} ms; page $pl bytes ($lz gzip), $(awk -v a="$pl" 'BEGIN {printf "%.1f", a / 1200000}') bytes/sample"

# 3. Chromium: navigation start -> heatmap and whole-profile graph drawn
if "$TOP"/scripts/deps.sh browser >/dev/null 2>&1 && command -v chromium >/dev/null; then
	node "$TOP/tests/browser/heatmap-ready.js" $RUNS "$B/hm-long.html" "$B/hm-corpus.html" |
		sed 's/^/  chromium: /'
else
	echo "  chromium: not installed (scripts/deps.sh browser failed): page-ready time not measured"
fi
