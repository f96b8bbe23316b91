#!/bin/bash
# `flame svg` draws what flamegraph.pl (FlameGraph 41fee1f) and inferno draw
# for the options where they print numbers: fractional counts, --total,
# --factor, differential deltas with --negate, the own weight of a frame
# before its children, and inferno's --base; `flame collapse --skip-after`
# as inferno-collapse-perf. FlameGraph is not packaged in Debian, so the
# expected strings below were produced by running flamegraph.pl 41fee1f by
# hand on these same inputs (docs/svg.md, "Checked against flamegraph.pl");
# each is its exact output: tooltip text, width and fill of one frame.
. "$(dirname "$0")/lib.sh"

command -v xmllint >/dev/null || die "xmllint missing (scripts/deps.sh test)"
[ -x "$FLAME" ] || die "$FLAME not built"

# Every frame of an SVG as "TITLE | x=X w=W | FILL" lines, x and w with one
# decimal, the way flamegraph.pl writes them.
frames() {
	python3 - "$1" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
for m in re.finditer(r'<title>([^<]*)</title><rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"[^>]*fill="([^"]*)"', s):
    print("%s | x=%.1f w=%.1f | %s" % (m.group(1), float(m.group(2)), float(m.group(3)), m.group(4)))
EOF
}
expect() {	# expect 'line as flamegraph.pl draws it' MESSAGE (in $T/o.frames)
	local title=${1%% | *}
	grep -qxF -- "$1" "$T/o.frames" || { echo "  want: $1"
		echo "  got:  $(grep -F -- "${title%% (*} (" "$T/o.frames" | head -1)"; die "$2"; }
	echo "  ok: $2"
}
svg() { "$FLAME" svg "$@" > "$T/o.svg" 2> "$T/err" || { cat "$T/err"; die "flame svg $* failed"; }
	xmllint --noout "$T/o.svg" || die "flame svg $* does not parse"
	frames "$T/o.svg" > "$T/o.frames"; }

# ---- fractional counts: kept, shown rounded as flamegraph.pl does ----------
printf '%s\n' 'main;parse;lex 30.5' 'main;parse 10.25' 'main;work 60' 'main;work;x 0.4' > "$T/f.folded"
svg "$T/f.folded"
expect 'all (101 samples, 100%) | x=10.0 w=1180.0 | rgb(255,230,55)' "fractional: all = 101.15 shown 101"
expect 'main (101 samples, 99.85%) | x=10.0 w=1180.0 | rgb(247,83,46)' "fractional: percentage of the rounded count"
expect 'lex (30 samples, 29.66%) | x=129.6 w=355.8 | rgb(252,155,52)' "fractional: 30.5 shown 30 (ties to even), width of 30.5"
expect 'x (0 samples, 0.00%) | x=1185.3 w=4.7 | rgb(255,230,55)' "fractional: 0.4 drawn after work's own 60"
"$FLAME" svg -o "$T/f2.folded" "$T/f.folded" || die "folded output failed"
check "fractional counts written back as read" \
	test "$(cat "$T/f2.folded")" = "$(printf 'main;parse 10.25\nmain;parse;lex 30.5\nmain;work 60\nmain;work;x 0.4')"

"$FLAME" svg -o "$T/f.speedscope.json" "$T/f.folded" || die "speedscope output failed"
check "fractional counts in speedscope weights" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["profiles"][0]
assert sorted(p["weights"]) == [0.4, 10.25, 30.5, 60], p["weights"]
assert p["endValue"] == 101.15, p["endValue"]' "$T/f.speedscope.json"
# labels: what int(width / (fontsize * fontwidth)) characters hold, cut with
# "..", none under 3, all unlabelled (flamegraph.pl's text for these frames)
grep -o '<title>[^<]*</title><rect[^>]*/><text[^>]*>[^<]*</text>' "$T/o.svg" |
	sed -E 's/<title>([^ ]*) .*<text[^>]*>([^<]*)<.*/\1=\2/' | sort > "$T/labels"
check "labels as flamegraph.pl writes them" test "$(tr '\n' ' ' < "$T/labels")" = "all= lex=lex main=main parse=parse work=work x= "

# ---- --factor and --total ---------------------------------------------------
svg --factor 2.5 "$T/f.folded"
expect 'all (253 samples, 100%) | x=10.0 w=1180.0 | rgb(255,230,55)' "--factor 2.5: all"
expect 'main (253 samples, 100.05%) | x=10.0 w=1180.0 | rgb(247,83,46)' "--factor 2.5: main (252.875 shown 253)"
expect 'x (1 samples, 0.40%) | x=1185.3 w=4.7 | rgb(255,230,55)' "--factor 2.5: x"
svg --total 1234.5 --factor 1000 "$T/f.folded"
expect 'all (1,234,500 samples, 100%) | x=10.0 w=1180.0 | rgb(255,230,55)' "--total 1234.5 --factor 1000: all spans the total"
expect 'main (101,150 samples, 8.19%) | x=10.0 w=96.7 | rgb(247,83,46)' "--total --factor: main"
expect 'parse (40,750 samples, 3.30%) | x=10.0 w=39.0 | rgb(243,149,42)' "--total --factor: parse"
svg --total 50 "$T/f.folded"
check "--total below the profile's: warned" grep -q 'total 50 is less' "$T/err"
expect 'all (101 samples, 100%) | x=10.0 w=1180.0 | rgb(255,230,55)' "--total below the profile's: ignored"

# ---- differential, fractional deltas, --negate (sign printed negated) -----
printf '%s\n' 'main;grow 10 40' 'main;shrink 30 10' 'main;same 5 5' 'main;gone 5 0' \
	'main;grow;x 1.5 2.25' 'main;frac 0.2 0.7' > "$T/d.folded"
svg "$T/d.folded"
expect 'all (58 samples, 100%) | x=10.0 w=1180.0 | rgb(255,255,255)' "diff: all has no delta"
expect 'main (58 samples, 100.09%; 0.00%) | x=10.0 w=1180.0 | rgb(255,255,255)' "diff: main 57.95 shown 58"
expect 'grow (42 samples, 72.48%; +51.77%) | x=24.3 w=860.3 | rgb(255,0,0)' "diff: grow's own delta"
expect 'x (2 samples, 3.45%; +1.29%) | x=838.7 w=45.9 | rgb(255,204,204)' "diff: fractional delta, after grow's own"
expect 'frac (1 samples, 1.73%; +0.86%) | x=10.0 w=14.3 | rgb(255,206,206)' "diff: 0.7 shown 1"
svg --negate --factor 3 "$T/d.folded"
expect 'grow (127 samples, 73.05%; -17.26%) | x=24.3 w=860.3 | rgb(0,0,255)' "--negate --factor 3: sign and hue swapped, delta / factor"
expect 'shrink (30 samples, 17.26%; +11.50%) | x=986.4 w=203.6 | rgb(255,70,70)' "--negate: shrink red"

# ---- --skip-after (inferno-collapse-perf) and --base (inferno-flamegraph) --
# on a real perf script text (tests/data/collapse/c.perf.txt: 299 samples,
# collapse_work;__libc_start_call_main;main;phase_a|phase_b;...)
C=$FLAME_TOP/tests/data/collapse/c.perf.txt
"$FLAME" collapse --skip-after main "$C" > "$T/skip.folded" || die "collapse --skip-after failed"
check "--skip-after main: main is every root" \
	test "$(cut -d';' -f1 "$T/skip.folded" | sort -u)" = main
check "--skip-after main: counts kept (299)" \
	test "$(awk '{ s += $NF } END { print s }' "$T/skip.folded")" = 299
check "--skip-after main: spin_a 197 as in c.folded" grep -qx 'main;phase_a;spin_a 197' "$T/skip.folded"
"$FLAME" collapse --skip-after phase_b --skip-after spin_a "$C" > "$T/skip2.folded"
check "--skip-after twice: the leaf-most of either is the root" \
	test "$(cat "$T/skip2.folded")" = "$(printf '%s\n' \
		'collapse_work;__libc_start_call_main;main;phase_a;now_ms 1' \
		'phase_b;spin_b 100' 'spin_a 197' \
		'spin_a;clock_gettime@@GLIBC_2.17;__vdso_clock_gettime 1')"
"$FLAME" collapse --base phase_a "$C" -o "$T/base.svg" || die "--base failed"
frames "$T/base.svg" > "$T/o.frames"
expect 'all (199 samples, 100%) | x=10.0 w=1180.0 | rgb(255,230,55)' "--base phase_a: the other 100 samples dropped"
expect 'phase_a (199 samples, 100.00%) | x=10.0 w=1180.0 | rgb(231,185,29)' "--base phase_a: phase_a is the root"
check "--base: no frame above it" bash -c "! grep -q '^main (' '$T/o.frames'"
# an annotated frame matches by its bare name; the leaf and the root match too
printf '%s\n' 'go;rt_[k];init_[k] 4' 'init;a 1' 'go;main;init 2' > "$T/b.folded"
"$FLAME" svg --base init -o "$T/b2.folded" "$T/b.folded"
check "--base: bare name matches init_[k], root and leaf frames" \
	test "$(cat "$T/b2.folded")" = "$(printf 'init 2\ninit;a 1\ninit_[k] 4')"
