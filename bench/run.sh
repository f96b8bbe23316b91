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

# floors: do-nothing dlfilter (late and early), resolve-every-frame
# dlfilter, naming each distinct address once through perf and nothing
# else, and counting distinct raw callchains and nothing else
for f in nop early resolve once bound; do
	cc -O2 -shared -fPIC -o "$B/$f.so" "bench/${f}_filter.c"
done

# corpus: deep, varied stacks, >= 200k samples (2 threads x 6 s x 20 kHz)
if [ ! -s "$B/corpus.data" ]; then
	echo "recording the corpus (deep_stacks, 2 threads, 6 s, -F 20000)..." >&2
	perf record -q -e cpu-clock -F 20000 -g -o "$B/corpus.data" -- \
		"$BUILD/progs/deep_stacks" 6 2 >/dev/null 2>&1
fi
export CORPUS=$B/corpus.data

# hard corpora (issue 15, docs/performance.md), each recorded once:
# deep.data: a generated program with 256 functions and random call paths to
# depth 45 (bench/gen_corpus.c), 12 s of CPU at 20 kHz (~240k samples,
# tens of thousands of distinct stacks); it stops on CPU used, so a loaded
# machine gives the same corpus, only later.
cc -O2 -o "$B/gen_corpus" bench/gen_corpus.c
if [ ! -x "$B/deep" ]; then
	"$B/gen_corpus" prog 256 > "$B/deep.c"
	cc -O1 -g -fno-omit-frame-pointer -fno-inline -fno-optimize-sibling-calls \
		-o "$B/deep" "$B/deep.c" -lpthread
fi
if [ ! -s "$B/deep.data" ]; then
	echo "recording deep.data (256 functions, 2 threads, 12 s of CPU, -F 20000)..." >&2
	perf record -q -e cpu-clock -F 20000 -g -o "$B/deep.data.tmp" -- \
		"$B/deep" 12 2 60 >/dev/null 2>&1
	mv "$B/deep.data.tmp" "$B/deep.data"
fi
# machine.data: the whole machine (-a, kernel frames) for 30 s while this
# project is built over and over with make -j2 into a temp dir (many
# short-lived cc1/as/ld processes) and the deep program runs on one thread.
# perf 6.1 record -a aborted once at the end here: checked, retried twice.
if [ ! -s "$B/machine.data" ]; then
	for try in 1 2 3; do
		echo "recording machine.data (perf record -a -g, 30 s of make -j2 + deep, try $try)..." >&2
		tb=$(mktemp -d)
		perf record -q -a -g -e cpu-clock -F 4000 -o "$B/machine.data.tmp" -- \
			timeout 30 sh -c '"$1" 30 1 30 & while :; do rm -rf "$2/b"; make -s -j2 BUILD="$2/b" all >/dev/null 2>&1; done' \
			sh "$B/deep" "$tb" >/dev/null 2>&1 || true
		rm -rf "$tb"
		if perf report -i "$B/machine.data.tmp" --stats >/dev/null 2>&1; then
			mv "$B/machine.data.tmp" "$B/machine.data"
			break
		fi
	done
	[ -s "$B/machine.data" ] || { echo "bench: could not record machine.data" >&2; exit 1; }
fi
export CORPORA="$B/corpus.data $B/deep.data $B/machine.data"
# big.folded: 300k distinct stacks, depth 5..40, 3000 names, ~137 MB
if [ ! -s "$B/big.folded" ]; then
	"$B/gen_corpus" folded 300000 3000 > "$B/big.folded.tmp"
	mv "$B/big.folded.tmp" "$B/big.folded"
fi
export BIG_FOLDED=$B/big.folded
# FlameGraph's Perl scripts for the side-by-side rows (not packaged in
# Debian 12): FLAMEGRAPH=dir holding stackcollapse-perf.pl and flamegraph.pl,
# or both on PATH; the rows are skipped without them.
if [ -z "${FLAMEGRAPH:-}" ] && command -v flamegraph.pl >/dev/null; then
	FLAMEGRAPH=$(dirname "$(command -v flamegraph.pl)")
fi
export FLAMEGRAPH=${FLAMEGRAPH:-}

# ONLY=word runs only bench/bench-*word*.sh (ONLY=none: record the corpora)
for s in bench/bench-*${ONLY:-}*.sh; do
	[ -e "$s" ] || continue
	echo "== $(basename "$s" .sh)"
	bash "$s"
done
