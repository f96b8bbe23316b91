#!/bin/bash
# make demo: profile a built-in workload with perf and write flame graphs
# through flame.so in one perf script pass.
set -eu
BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
BUILD=$(cd "$BUILD" && pwd)
out=flame/flameoutput
mkdir -p "$out"
make -s BUILD="$BUILD" "$BUILD/progs/known_tree" "$BUILD/progs/deep_stacks" >/dev/null

if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 1 ]; then
	echo "demo: perf record needs root or kernel.perf_event_paranoid <= 1" >&2
	exit 1
fi
data=$BUILD/demo.data
echo "demo: recording a workload for 3 s (perf record -e cpu-clock -F 999 -g)..." >&2
perf record -q -e cpu-clock -F 999 -g -o "$data" -- sh -c \
	"'$BUILD/progs/known_tree' 3000 & '$BUILD/progs/deep_stacks' 3 1; wait" \
	>/dev/null 2>"$BUILD/demo.err" || { echo "demo: perf record failed: $(tail -1 "$BUILD/demo.err")" >&2; exit 1; }
perf script -i "$data" --dlfilter "$BUILD/flame.so" \
	--dlarg "out=$out/demo.svg" --dlarg "out=$out/demo.folded" \
	--dlarg "out=$out/demo.html" --dlarg "title=perf-flame demo"
echo "demo: flame graph  $TOP/$out/demo.svg"
echo "demo: folded       $TOP/$out/demo.folded"
echo "demo: heatmap      $TOP/$out/demo.html"

# The sidecar benchmark: load -> client haproxy sidecar -> server haproxy
# sidecar -> backend, each pod in its own namespaces (docs/bench.md); both
# sidecars profiled at once. Debian's haproxy has no frame pointers, so the
# DWARF preset shows its own code paths; unpaced wrk keeps both sidecars
# busy, and 199 Hz over 10 s gives each role's graph several hundred samples
# (a sidecar on about 40% of a CPU: ~800).
echo "demo: sidecar benchmark for 10 s (flame bench, client and server sidecars)..." >&2
scripts/deps.sh bench
"$BUILD/flame" bench --duration 10 --qps 0 --conn 32 --freq 199 \
	--profile perf-oncpu-dwarf --outdir "$out"
