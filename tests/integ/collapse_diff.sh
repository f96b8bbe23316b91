#!/bin/bash
# flame diff: two-column folded form, --normalize, --strip-hex, SVG output.
. "$(dirname "$0")/lib.sh"
printf 'a;b 10\na;c 5\nx;0x1f2e 4\n' > "$T/A"
printf 'a;b 20\na;d 10\nx;0xabc 2\n' > "$T/B"
"$FLAME" diff --folded "$T/A" "$T/B" > "$T/out" || die "diff --folded"
cat > "$T/want" <<'W'
a;b 10 20
a;c 5 0
a;d 0 10
x;0x1f2e 4 0
x;0xabc 0 2
W
check "two-column folded form" cmp "$T/out" "$T/want"
"$FLAME" diff --folded --strip-hex --normalize "$T/A" "$T/B" > "$T/out" || die "diff --normalize"
# A total 19 scaled to B's 32: int(10*32/19)=16, int(5*32/19)=8, int(4*32/19)=6
cat > "$T/want" <<'W'
a;b 16 20
a;c 8 0
a;d 0 10
x;0x... 6 2
W
check "--normalize and --strip-hex as difffolded.pl -n -s" cmp "$T/out" "$T/want"
"$FLAME" diff --title "A vs B" "$T/A" "$T/B" > "$T/d.svg" || die "diff svg"
check "diff SVG has the title" grep -q 'A vs B' "$T/d.svg"
check "diff SVG parses" xmllint --noout "$T/d.svg"
# perf script inputs work too (guessed per file)
D=$FLAME_TOP/tests/data/collapse
"$FLAME" diff --folded "$D/c.folded" "$D/c.perf.txt" > "$T/same" || die "diff mixed"
check "same profile as folded and as perf script text: equal columns" \
	awk '$(NF-1) != $NF {exit 1}' "$T/same"
rc=0; "$FLAME" diff "$T/A" > /dev/null 2>"$T/err" || rc=$?
check "one input is an error" [ $rc -ne 0 ]
exit 0
