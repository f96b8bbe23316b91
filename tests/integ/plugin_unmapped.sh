#!/bin/bash
# flame.so names a user address that lies in no mapping perf.data records
# (MMAP/MMAP2 of any process at any time) without asking perf's resolver,
# which would find no map, object or symbol for it (lib/input/commlog.c).
# tests/progs/fakechain spins with its frame pointer on a made-up chain:
# perf's frame-pointer walk records return addresses no mapping holds (as the
# garbage frames of binaries built without frame pointers), one real caller
# among them. The graph must be byte-identical to the one made asking perf
# for every address (FLAME_NO_MAPS=1), also with addresses shown, perf's own
# [unknown] frames must be flame.so's, and a JIT map naming an unmapped
# address must still name it.
. "$(dirname "$0")/lib.sh"

rec() {	# rec NAME ARGS...: record fakechain ARGS into $T/NAME.data, pid on stdout
	local name=$1
	shift
	perf record -q -e cpu-clock -F 2000 -g -o "$T/$name.data" -- "$PROGS/fakechain" "$@" \
		2>"$T/rec.err" || die "perf record failed: $(cat "$T/rec.err")"
}
both() {	# both DATA ARGS...: $T/skip.folded, $T/ask.folded and their counts
	local data=$1
	shift
	FLAME_DEBUG=1 perf script -i "$data" --dlfilter "$FLAME_SO" --dlarg out="$T/skip.folded" \
		"$@" 2>"$T/skip.err" || die "perf script failed: $(cat "$T/skip.err")"
	FLAME_NO_MAPS=1 FLAME_DEBUG=1 perf script -i "$data" --dlfilter "$FLAME_SO" \
		--dlarg out="$T/ask.folded" "$@" 2>"$T/ask.err" ||
		die "perf script failed: $(cat "$T/ask.err")"
	skipped=$(sed -nE 's/.*, ([0-9]+) outside every mapping.*/\1/p' "$T/skip.err")
	asked=$(sed -nE 's/.*, ([0-9]+) outside every mapping.*/\1/p' "$T/ask.err")
}

rec plain 800 >/dev/null
n=$(perf_samples "$T/plain.data")
check "precondition: samples recorded ($n)" test "$n" -gt 300
for args in "" "addrs=1"; do
	extra=()
	[ -n "$args" ] && extra=(--dlarg "$args")
	both "$T/plain.data" "${extra[@]}"
	l=${args:-default}
	echo "  $l: $skipped addresses named without perf (with FLAME_NO_MAPS: ${asked:-?})"
	check "$l: the made-up frames were named without perf ($skipped)" test "${skipped:-0}" -ge 7
	check "$l: FLAME_NO_MAPS asks perf for all" test "${asked:-x}" = 0
	check "$l: same graph as asking perf for every address" cmp "$T/skip.folded" "$T/ask.folded"
done

# perf's own view: the user frames it cannot place, against flame.so's
both "$T/plain.data"
perf script -i "$T/plain.data" -F ip,sym 2>/dev/null | awk 'NF >= 2 && $2 == "[unknown]"' |
	wc -l > "$T/perf.unknown"
awk '{n = split($1, f, ";"); for (i = 2; i <= n; i++) if (f[i] == "[unknown]") u += $NF} END {print u + 0}' \
	"$T/skip.folded" > "$T/flame.unknown"
echo "  [unknown] frames: perf script $(cat "$T/perf.unknown"), flame.so $(cat "$T/flame.unknown")"
check "precondition: perf placed no map for many frames" test "$(cat "$T/perf.unknown")" -gt 1000
check "as many [unknown] frames as perf script prints" cmp "$T/perf.unknown" "$T/flame.unknown"

# a JIT map (left behind by the process, as runtimes do) naming one of them
pid=$(rec jit 800 map)
map=/tmp/perf-$pid.map
[ -s "$map" ] || die "fakechain wrote no $map"
both "$T/jit.data"
rm -f "$map"
check "JIT map: same graph as asking perf for every address" cmp "$T/skip.folded" "$T/ask.folded"
check "JIT map: the unmapped address got the map's name" grep -q ';fake_jitted_frame;spin ' "$T/skip.folded"
