#!/bin/bash
# flame collapse against wc -l (and stackcollapse-perf.pl / inferno-collapse-perf
# when present) on perf script text, page cache warm. Contenders run
# interleaved, ROUNDS rounds (default 5); prints the median wall time, MB/s,
# the ratio to wc -l, and the median CPU time (user + sys: on a loaded machine
# the fairer figure).
#
# Inputs, each made once and cached under $B (never committed):
# - synthetic.perf.txt: >= 100 MB from the golden recordings in
#   tests/data/collapse, pids varied so stacks differ;
# - machine.perf.txt: `perf script` of a whole-machine recording (-a -g) of a
#   parallel build: many short-lived processes, kernel frames, thousands of
#   distinct functions. It is $B/machine.data when bench/run.sh recorded one,
#   else this script records $B/collapse-machine.data (make -j2 of this tree
#   in a temp dir, 20 s, -F 12000).
# FLAME_BASE=path/to/flame adds a row for another build (before/after).
# FLAMEGRAPH=dir with stackcollapse-perf.pl adds its row; so does
# inferno-collapse-perf on PATH. Neither is packaged in Debian 12.
set -eu
BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
B=${B:-$BUILD/bench}
FLAME=$BUILD/flame
BASE=${FLAME_BASE:-}	# another flame binary to compare with (before/after)
ROUNDS=${ROUNDS:-5}
D=$TOP/tests/data/collapse
mkdir -p "$B"

SYN=$B/synthetic.perf.txt
if [ ! -s "$SYN" ] || [ "$(stat -c %s "$SYN")" -lt 100000000 ]; then
	one=$(mktemp)
	{ cat "$D/c.perf.txt" "$D/cxx.perf.txt"; zcat "$D/kernel-multi.perf.txt.gz" "$D/node-jit.perf.txt.gz"; } > "$one"
	for i in $(seq 1 200); do sed "s/^\([a-z_]*\) \( *\)\([0-9]*\)/\1 \2\3$((i % 16))/" "$one"; done > "$SYN.tmp"
	mv "$SYN.tmp" "$SYN"; rm -f "$one"
fi

MACH=$B/machine.perf.txt
if [ ! -s "$MACH" ]; then
	data=$B/machine.data
	if [ ! -s "$data" ]; then
		data=$B/collapse-machine.data
	fi
	if [ ! -s "$data" ]; then
		echo "recording $data (perf record -a -g, 20 s of make -j2)..." >&2
		tb=$(mktemp -d)
		git -C "$TOP" archive HEAD | tar -x -C "$tb"
		for try in 1 2 3; do
			perf record -q -a -g -e cpu-clock -F 12000 -o "$data.tmp" -- \
				timeout 20 sh -c 'while :; do make -s -C "$1" -j2 BUILD="$1/b" all; rm -rf "$1/b"; done' \
				sh "$tb" >/dev/null 2>&1 || true
			if perf report -i "$data.tmp" --stats >/dev/null 2>&1; then
				mv "$data.tmp" "$data"
				break
			fi
		done
		rm -rf "$tb"
		[ -s "$data" ] || { echo "bench-collapse: could not record $data" >&2; exit 1; }
	fi
	perf script -i "$data" > "$MACH.tmp" 2>/dev/null
	mv "$MACH.tmp" "$MACH"
fi

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# one run: "wall cpu" in seconds
t() {
	local TIMEFORMAT='%R %U %S' out
	out=$( { time "$@" > /dev/null 2>&1; } 2>&1 | tail -1)
	echo "$out" | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }'
}

SCP=
if [ -n "${FLAMEGRAPH:-}" ] && [ -x "$FLAMEGRAPH/stackcollapse-perf.pl" ]; then
	SCP=$FLAMEGRAPH/stackcollapse-perf.pl
elif command -v stackcollapse-perf.pl >/dev/null; then
	SCP=$(command -v stackcollapse-perf.pl)
fi
INF=$(command -v inferno-collapse-perf || true)

bench_one() {
	local in=$1 size names=() cmds=() i r res
	size=$(stat -c %s "$in")
	names+=("wc -l");			cmds+=("wc -l $in")
	names+=("flame collapse");		cmds+=("$FLAME collapse $in")
	if [ -n "$BASE" ]; then
		names+=("FLAME_BASE collapse");	cmds+=("$BASE collapse $in")
	fi
	names+=("flame collapse < pipe");	cmds+=("sh -c 'cat $in | $FLAME collapse'")
	if [ -n "$SCP" ]; then
		names+=("stackcollapse-perf.pl");	cmds+=("perl $SCP $in")
	fi
	if [ -n "$INF" ]; then
		names+=("inferno-collapse-perf");	cmds+=("$INF $in")
	fi
	cat "$in" > /dev/null	# page cache
	res=$(mktemp -d)
	for r in $(seq 1 "$ROUNDS"); do
		for i in "${!cmds[@]}"; do
			t sh -c "${cmds[$i]}" >> "$res/$i"
		done
	done
	printf '%s: %d MB, %d lines, %d samples; median of %d interleaved rounds\n' \
		"$(basename "$in")" $((size / 1000000)) "$(wc -l < "$in")" \
		"$(grep -c '^[^[:space:]#]' "$in")" "$ROUNDS"
	printf '  %-24s %8s %7s %9s %8s\n' contender wall MB/s "vs wc -l" cpu
	local wc_wall
	wc_wall=$(cut -d' ' -f1 "$res/0" | median)
	for i in "${!cmds[@]}"; do
		local wall cpu
		wall=$(cut -d' ' -f1 "$res/$i" | median)
		cpu=$(cut -d' ' -f2 "$res/$i" | median)
		awk -v n="${names[$i]}" -v w="$wall" -v c="$cpu" -v s="$size" -v b="$wc_wall" \
			'BEGIN { printf "  %-24s %7.3fs %7d %8.1fx %7.3fs\n", n, w, (w > 0 ? s / 1e6 / w : 0), (b > 0 ? w / b : 0), c }'
	done
	rm -rf "$res"
}

bench_one "$SYN"
bench_one "$MACH"
