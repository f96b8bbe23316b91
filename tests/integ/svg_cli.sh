#!/bin/bash
# Flame graph SVG end to end: `flame svg` with FlameGraph's options on
# folded input (hostile names, differential two-column input, --cp,
# --nameattr, --minwidth, --total, --factor, --negate, palettes, reverse,
# inverted, flame chart), and a real perf recording of tests/progs/twophase
# rendered by flame.so and by `flame collapse | flame svg`. Every SVG must
# parse with xmllint --noout.
. "$(dirname "$0")/lib.sh"

command -v xmllint >/dev/null || die "xmllint missing (scripts/deps.sh test)"
[ -x "$FLAME" ] || die "$FLAME not built"

xml_ok() { xmllint --noout "$1" || die "$1 does not parse"; }
# Title text of the frame named $2 in $1 (escaped as in the file).
title_of() { grep -o "<title>$2 ([^<]*</title>" "$1" | head -1; }

# ---- folded input with names that try to break out ----------------------
printf '%s\n' \
	'main;<script>alert(1)</script>;leaf 40' \
	'main;]]>;x 30' \
	'main;std::vector<int>::at;memcpy_[k] 20' \
	'main;tiny 1' \
	"main;$(printf 'bad\x01\xc0\xaf\xed\xa0\x80utf8') 9" > "$T/a.folded"
for i in $(seq 1 2000); do printf 'main;filler;f%d 1\n' "$i"; done >> "$T/a.folded"

"$FLAME" svg --title 'T <&>' --subtitle sub "$T/a.folded" > "$T/a.svg" || die "flame svg failed"
xml_ok "$T/a.svg"
check "one script element" test "$(grep -c '<script' "$T/a.svg")" = 1
check "two CDATA ends (style, script)" test "$(grep -o ']]>' "$T/a.svg" | wc -l)" = 2
check "markup name escaped" grep -q '<title>&lt;script&gt;alert(1)&lt;/script&gt; (40 samples' "$T/a.svg"
check "title escaped" grep -q '>T &lt;&amp;&gt;</text>' "$T/a.svg"
check "invalid UTF-8 replaced" grep -q $'bad\xef\xbf\xbd' "$T/a.svg"
check "total exact" grep -q '<title>all (2,100 samples, 100%)' "$T/a.svg"
# 1 of 2100 samples is 0.56 px: drawn by default (0.1 px), dropped at 1 px
check "narrow frame drawn by default" grep -q '<title>tiny (1 samples' "$T/a.svg"
"$FLAME" svg --minwidth 1 "$T/a.folded" > "$T/b.svg" || die "--minwidth failed"
xml_ok "$T/b.svg"
check "--minwidth 1 drops it" bash -c "! grep -q '<title>tiny (' '$T/b.svg'"
check "--minwidth keeps the total" grep -q '<title>all (2,100 samples, 100%)' "$T/b.svg"
"$FLAME" svg --minwidth 2% "$T/a.folded" > "$T/b.svg" || die "--minwidth 2% failed"
check "--minwidth 2% drops memcpy_[k] (0.95%)" bash -c "! grep -q '<title>memcpy_\[k\] (' '$T/b.svg'"

# ---- options ---------------------------------------------------------------
for opts in "--inverted" "--reverse" "--flamechart" "--colors java" "--colors mem --bgcolors grey" \
	"--colors js --hash" "--random" "--width 600 --height 20 --fontsize 9 --fonttype Courier" \
	"--countname bytes --nametype Frame:" "--notes hello"; do
	# shellcheck disable=SC2086
	"$FLAME" svg $opts "$T/a.folded" > "$T/o.svg" || die "flame svg $opts failed"
	xml_ok "$T/o.svg"
	echo "  ok: $opts parses"
done
"$FLAME" svg --inverted "$T/a.folded" > "$T/o.svg"
check "--inverted titles it Icicle Graph" grep -q '>Icicle Graph</text>' "$T/o.svg"
"$FLAME" svg --reverse "$T/a.folded" > "$T/o.svg"
check "--reverse puts leaves at the root" grep -q '<title>leaf (40 samples' "$T/o.svg"
check "--reverse: main is the top of leaf" grep -q 'data-w="40" data-d="3"><title>main (40 ' "$T/o.svg"
"$FLAME" svg --factor 0.5 --countname ms "$T/a.folded" > "$T/o.svg"
check "--factor scales counts" grep -q '<title>all (1,050 ms, 100%)' "$T/o.svg"
"$FLAME" svg --total 4200 "$T/a.folded" > "$T/o.svg"
check "--total: all spans it" grep -q '<title>all (4,200 samples, 100%)' "$T/o.svg"
check "--total scales percentages" grep -q '<title>main (2,100 samples, 50.00%)' "$T/o.svg"
"$FLAME" svg --notes 'run <7>' "$T/a.folded" > "$T/o.svg"
check "--notes embedded, escaped" grep -q '<desc class="fg-notes">run &lt;7&gt;</desc>' "$T/o.svg"

# hash colours are stable across different graphs
grep -av filler "$T/a.folded" > "$T/small.folded"
"$FLAME" svg "$T/small.folded" > "$T/s1.svg"
"$FLAME" svg "$T/a.folded" > "$T/s2.svg"
c1=$(grep -o '<title>leaf ([^<]*</title><rect[^>]*fill="rgb([0-9,]*)"' "$T/s1.svg" | grep -o 'rgb([0-9,]*)')
c2=$(grep -o '<title>leaf ([^<]*</title><rect[^>]*fill="rgb([0-9,]*)"' "$T/s2.svg" | grep -o 'rgb([0-9,]*)')
check "colour of leaf is stable ($c1 = $c2)" test -n "$c1" -a "$c1" = "$c2"

# --cp: read, used, written back with the new names
printf 'leaf->rgb(1,2,3)\n' > "$T/palette.map"
"$FLAME" svg --cp="$T/palette.map" "$T/small.folded" > "$T/o.svg" || die "--cp failed"
xml_ok "$T/o.svg"
check "--cp colour used" grep -q '<title>leaf ([^<]*</title><rect[^>]*fill="rgb(1,2,3)"' "$T/o.svg"
check "--cp file gained names" grep -q '^main->rgb(' "$T/palette.map"
check "--cp file kept ours" grep -qx 'leaf->rgb(1,2,3)' "$T/palette.map"

# --nameattr: safe attributes through, script handlers dropped
printf 'leaf\thref=https://example.com/leaf\ttitle=Leaf <doc>\tonmouseover=alert(1)\n' > "$T/attrs"
"$FLAME" svg --nameattr "$T/attrs" "$T/small.folded" > "$T/o.svg" 2> "$T/attrs.log" || die "--nameattr failed"
xml_ok "$T/o.svg"
check "--nameattr link" grep -q 'xlink:href="https://example.com/leaf"' "$T/o.svg"
check "--nameattr title" grep -q '<title>Leaf &lt;doc&gt;</title>' "$T/o.svg"
check "--nameattr handler dropped" bash -c "! grep -q onmouseover '$T/o.svg'"
check "--nameattr warns about it" grep -q "attrs:1:" "$T/attrs.log"

# ---- differential: "stack before after" -----------------------------------
printf '%s\n' 'main;grow 10 40' 'main;shrink 30 10' 'main;same 5 5' 'main;gone 5 0' > "$T/d.folded"
"$FLAME" svg "$T/d.folded" > "$T/d.svg" || die "diff svg failed"
xml_ok "$T/d.svg"
# flamegraph.pl's rules: widths from "after", each frame coloured and labelled
# by its own delta (all: +5 through its children, 0 of its own: white)
check "diff widths from after" grep -q '<title>all (55 samples, 100%)</title><rect[^>]*fill="rgb(255,255,255)"' "$T/d.svg"
check "diff: main's own delta 0" grep -q '<title>main (55 samples, 100.00%; 0.00%)</title><rect[^>]*fill="rgb(255,255,255)"' "$T/d.svg"
check "diff growth is red" grep -q '<title>grow (40 samples, 72.73%; +54.55%)</title><rect[^>]*fill="rgb(255,0,0)"' "$T/d.svg"
check "diff shrink is blue" grep -q '<title>shrink (10 samples, 18.18%; -36.36%)</title><rect[^>]*fill="rgb(70,70,255)"' "$T/d.svg"
check "diff same is white" grep -q '<title>same (5 samples, 9.09%; 0.00%)</title><rect[^>]*fill="rgb(255,255,255)"' "$T/d.svg"
check "diff: gone has no width" bash -c "! grep -q '<title>gone (' '$T/d.svg'"
"$FLAME" svg --negate "$T/d.folded" > "$T/d.svg"
check "--negate: growth is blue, its delta negated" grep -q '<title>grow (40 samples, 72.73%; -54.55%)</title><rect[^>]*fill="rgb(0,0,255)"' "$T/d.svg"

# ---- real recording ---------------------------------------------------------
command -v perf >/dev/null || die "perf not installed"
[ -x "$PROGS/twophase" ] || die "$PROGS/twophase not built"
perf record -q -e cpu-clock -F 499 -g -o "$T/perf.data" -- "$PROGS/twophase" 400 \
	> "$T/record.log" 2>&1 || { cat "$T/record.log"; die "perf record failed"; }
n=$(perf_samples "$T/perf.data")
echo "recorded $n samples"
# twophase runs on wall time: a loaded machine gives it less CPU, so only a
# floor here; the checks below compare against perf's own count
[ "$n" -gt 20 ] || die "too few samples ($n)"
perf script -i "$T/perf.data" --dlfilter "$FLAME_SO" --dlarg out="$T/real.svg" \
	> /dev/null 2> "$T/plugin.log" || { cat "$T/plugin.log"; die "flame.so failed"; }
xml_ok "$T/real.svg"
total=$(grep -o '<title>all ([0-9,]* samples' "$T/real.svg" | tr -dc 0-9)
check "plugin SVG total = perf's sample count ($total = $n)" test "$total" = "$n"
check "plugin SVG names phase_alpha" grep -q '<title>phase_alpha (' "$T/real.svg"
check "plugin SVG names phase_beta" grep -q '<title>phase_beta (' "$T/real.svg"
# flame chart from the plugin: sample times order x, alpha ran first
perf script -i "$T/perf.data" --dlfilter "$FLAME_SO" --dlarg out="$T/chart.svg" \
	--dlarg flamechart=1 > /dev/null 2> "$T/plugin.log" || { cat "$T/plugin.log"; die "flame.so flamechart failed"; }
xml_ok "$T/chart.svg"
check "flame chart titled" grep -q '>Flame Chart</text>' "$T/chart.svg"
xa=$(grep -o 'data-x="[0-9]*" data-w="[0-9]*" data-d="[0-9]*"><title>phase_alpha (' "$T/chart.svg" | head -1 | grep -o 'data-x="[0-9]*"' | tr -dc 0-9)
xb=$(grep -o 'data-x="[0-9]*" data-w="[0-9]*" data-d="[0-9]*"><title>phase_beta (' "$T/chart.svg" | tail -1 | grep -o 'data-x="[0-9]*"' | tr -dc 0-9)
check "flame chart: phase_alpha ($xa) left of phase_beta ($xb)" test -n "$xa" -a -n "$xb" -a "${xa:-0}" -lt "${xb:-0}"
if "$FLAME" collapse --help > /dev/null 2>&1; then
	perf script -i "$T/perf.data" 2>/dev/null | "$FLAME" collapse > "$T/real.folded" ||
		die "flame collapse failed"
	"$FLAME" svg --title real "$T/real.folded" > "$T/real2.svg" || die "flame svg on collapse output failed"
	xml_ok "$T/real2.svg"
	check "CLI SVG names phase_alpha" grep -q '<title>phase_alpha (' "$T/real2.svg"
fi
# ---- several inputs: read one after the other, as the anchors concatenate ----
printf 'main;a;x 3\nmain;b 2\n' > "$T/in1.folded"
printf 'main;a;x 4\nmain;c 1\n' | gzip > "$T/in2.folded.gz"
"$FLAME" svg "$T/in1.folded" "$T/in2.folded.gz" > "$T/multi.svg" ||
	die "flame svg with two inputs failed"
xml_ok "$T/multi.svg"
check "two inputs: counts added (x 7)" grep -q '<title>x (7 samples' "$T/multi.svg"
check "two inputs: frames of both (b, c)" \
	grep -q '<title>c (1 samples' "$T/multi.svg"
grep -q '<title>b (2 samples' "$T/multi.svg" || die "two inputs: b missing"
printf 'x 1\n' | "$FLAME" svg "$T/in1.folded" - > "$T/multi2.svg" || die "file and stdin"
check "file plus '-' (stdin)" grep -q '<title>all (6 samples' "$T/multi2.svg"
# ---- title size, frame outline, encoding (flamegraph.pl / inferno options) ----
"$FLAME" svg --fontsize 20 --stroke-color 'rgb(1,2,3)' "$T/in1.folded" > "$T/opt.svg" ||
	die "flame svg --fontsize --stroke-color failed"
xml_ok "$T/opt.svg"
check "title is fontsize + 5" grep -q '<text class="fg-title"[^>]* font-size="25"' "$T/opt.svg"
check "every frame outlined (--stroke-color)" \
	[ "$(grep -c '<rect x=[^>]* stroke="rgb(1,2,3)"' "$T/opt.svg")" = 5 ]
"$FLAME" svg --encoding utf-8 "$T/in1.folded" > "$T/enc.svg" || die "--encoding utf-8"
check "--encoding UTF-8 accepted" grep -q 'encoding="UTF-8"' "$T/enc.svg"
if "$FLAME" svg --encoding latin1 "$T/in1.folded" > /dev/null 2> "$T/enc.err"; then
	die "--encoding latin1 accepted though flame writes UTF-8"
fi
check "--encoding latin1: one clear error" grep -q 'UTF-8 only' "$T/enc.err"
echo "all svg_cli checks passed"
