#!/bin/bash
# make bench: records the benchmark corpus once, then runs bench/bench-*.sh.
# Each script times its contenders side by side in one run (medians) and
# prints ratios; nothing here is a pass/fail test.
set -eu
BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
BUILD=$(cd "$BUILD" && pwd)
B=$BUILD/bench
mkdir -p "$B"
export BUILD TOP B
scripts/deps.sh test

# floors: do-nothing dlfilter and resolve-every-frame dlfilter
for f in nop resolve; do
	cc -O2 -shared -fPIC -o "$B/$f.so" "bench/${f}_filter.c"
done

# corpus: deep, varied stacks, >= 200k samples (2 threads x 6 s x 20 kHz)
if [ ! -s "$B/corpus.data" ]; then
	echo "recording the corpus (deep_stacks, 2 threads, 6 s, -F 20000)..." >&2
	perf record -q -e cpu-clock -F 20000 -g -o "$B/corpus.data" -- \
		"$BUILD/progs/deep_stacks" 6 2 >/dev/null 2>&1
fi
export CORPUS=$B/corpus.data

for s in bench/bench-*.sh; do
	echo "== $(basename "$s" .sh)"
	bash "$s"
done
