#!/bin/bash
# Frames no mapping holds. tests/progs/fakechain spins with its frame
# pointer on a made-up chain: perf's frame-pointer walk records return
# addresses in no mapping (as the garbage frames of binaries built without
# frame pointers), one real caller among them. flame.so must name exactly
# the frames perf cannot place [unknown] (perf script's own count), show
# their addresses with addrs=1, and a JIT map naming an unmapped address
# (left behind by the process, as runtimes do) must still name it.
. "$(dirname "$0")/lib.sh"

perf record -q -e cpu-clock -F 2000 -g -o "$T/plain.data" -- "$PROGS/fakechain" 800 \
	>/dev/null 2>"$T/rec.err" || die "perf record failed: $(cat "$T/rec.err")"
n=$(perf_samples "$T/plain.data")
check "precondition: samples recorded ($n)" test "$n" -gt 300
perf script -i "$T/plain.data" --dlfilter "$FLAME_SO" --dlarg out="$T/plain.folded" \
	2>"$T/err" || die "perf script failed: $(cat "$T/err")"
perf script -i "$T/plain.data" -F ip,sym 2>/dev/null | awk 'NF >= 2 && $2 == "[unknown]"' |
	wc -l > "$T/perf.unknown"
awk '{n = split($1, f, ";"); for (i = 2; i <= n; i++) if (f[i] == "[unknown]") u += $NF} END {print u + 0}' \
	"$T/plain.folded" > "$T/flame.unknown"
echo "  [unknown] frames: perf script $(cat "$T/perf.unknown"), flame.so $(cat "$T/flame.unknown")"
check "precondition: perf placed no map for many frames" test "$(cat "$T/perf.unknown")" -gt 1000
check "as many [unknown] frames as perf script prints" cmp "$T/perf.unknown" "$T/flame.unknown"
check "the real caller among them is named" grep -q '\];fakechain_marker;\[unknown\]' "$T/plain.folded"

perf script -i "$T/plain.data" --dlfilter "$FLAME_SO" --dlarg out="$T/addrs.folded" \
	--dlarg addrs=1 2>"$T/err" || die "perf script failed: $(cat "$T/err")"
check "addrs=1: a made-up frame shows its address" grep -q '\[unknown <200010>\]' "$T/addrs.folded"

pid=$(perf record -q -e cpu-clock -F 2000 -g -o "$T/jit.data" -- "$PROGS/fakechain" 800 map \
	2>"$T/rec.err") || die "perf record failed: $(cat "$T/rec.err")"
map=/tmp/perf-$pid.map
[ -s "$map" ] || die "fakechain wrote no $map"
perf script -i "$T/jit.data" --dlfilter "$FLAME_SO" --dlarg out="$T/jit.folded" \
	2>"$T/err" || { rm -f "$map"; die "perf script failed: $(cat "$T/err")"; }
rm -f "$map"
check "JIT map: the unmapped address got the map's name" grep -q ';fake_jitted_frame;spin ' "$T/jit.folded"
