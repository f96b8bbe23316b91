#!/bin/bash
# flame collapse on recorded perf script text (tests/data/collapse/cases):
# golden folded outputs, identical from a file (mapped) and from a pipe
# (read), plain/gzip/stdin,
# warnings for malformed lines and other events, truncated gzip.
. "$(dirname "$0")/lib.sh"
D=$FLAME_TOP/tests/data/collapse
[ -x "$FLAME" ] || die "no $FLAME"

n=0
while IFS='|' read -r in opts out; do
	case $in in ''|'#'*) continue ;; esac
	for how in file pipe; do
		# shellcheck disable=SC2086
		if [ $how = file ]; then
			"$FLAME" collapse $opts "$D/$in" > "$T/out" 2>"$T/err"
		else
			cat "$D/$in" | "$FLAME" collapse $opts > "$T/out" 2>"$T/err"
		fi || die "flame collapse $opts $in ($how) failed: $(cat "$T/err")"
		cmp -s "$T/out" "$D/$out" || { diff "$D/$out" "$T/out" | head; die "$in $opts ($how) differs from $out"; }
	done
	n=$((n + 1))
done < "$D/cases"
echo "  ok: $n golden cases, from a file and from a pipe"
# --threads is still accepted (a no-op since the 2-thread parser went)
"$FLAME" collapse --threads=2 "$D/c.perf.txt" > "$T/th" || die "--threads=2"
check "--threads=2 accepted, same output" cmp -s "$T/th" "$D/c.folded"

# every sample is counted: total = number of sample headers
hdrs=$(grep -c '^[^#[:space:]]' "$D/c.perf.txt")
check "c.folded total equals the $hdrs samples" [ "$(folded_total "$D/c.folded")" = "$hdrs" ]
a=$(folded_match "$D/c.folded" 'spin_a') b=$(folded_match "$D/c.folded" 'spin_b')
check "phase a about twice phase b ($a vs $b)" [ $((a * 10)) -gt $((b * 15)) -a $((a * 10)) -lt $((b * 30)) ]

# stdin, gzip on stdin, and a gzip of the plain text give the same
"$FLAME" collapse < "$D/c.perf.txt" > "$T/stdin" || die "stdin"
gzip -c "$D/c.perf.txt" | "$FLAME" collapse - > "$T/gz" || die "gzip stdin"
check "stdin and gzip stdin match the golden" cmp -s "$T/stdin" "$D/c.folded"
check "gzip detected by content" cmp -s "$T/gz" "$D/c.folded"

# malformed lines: counted, reported once with the first line number
"$FLAME" collapse "$D/edge.perf.txt" > /dev/null 2> "$T/err"
check "one warning for malformed lines" [ "$(grep -c malformed "$T/err")" = 1 ]
check "warning names file:line 14" grep -q 'edge.perf.txt:14: skipped 2 malformed lines' "$T/err"

# several events: first kept, one warning
"$FLAME" collapse "$D/kernel-multi.perf.txt.gz" > "$T/ev" 2> "$T/err"
check "other events warned once" [ "$(grep -c 'kept events of type page-faults' "$T/err")" = 1 ]
check "only page-faults samples kept" [ "$(folded_total "$T/ev")" = 12 ]

# truncated gzip: error naming where it ended, output still written
zcat "$D/node-jit.perf.txt.gz" | gzip -1 > "$T/full.gz"
head -c $(( $(stat -c %s "$T/full.gz") / 2 )) "$T/full.gz" > "$T/trunc.gz"
rc=0; "$FLAME" collapse "$T/trunc.gz" > "$T/trunc" 2> "$T/err" || rc=$?
check "truncated gzip fails" [ $rc -ne 0 ]
check "truncated gzip names file and line" grep -Eq 'trunc.gz:[0-9]+: input ends early \(truncated or corrupt gzip\)' "$T/err"
tot=$(folded_total "$T/trunc")
check "truncated gzip still writes what was read ($tot of 150)" [ "$tot" -gt 0 -a "$tot" -lt 150 ]

# one input policy for every command: a truncated gzip is said once, what
# was read is rendered, the exit status is 1
for c in "" svg heatmap collapse; do
	ext=svg; [ "$c" = heatmap ] && ext=html
	rc=0; "$FLAME" $c "$T/trunc.gz" -o "$T/tr-${c:-auto}.$ext" 2> "$T/err" || rc=$?
	check "flame ${c:-FILE}: truncated gzip exits 1" [ $rc = 1 ]
	check "flame ${c:-FILE}: said once" [ "$(grep -c 'input ends early' "$T/err")" = 1 ]
	check "flame ${c:-FILE}: output still written" [ -s "$T/tr-${c:-auto}.$ext" ]
done
# stdin when no FILE is given and stdin is a pipe
"$FLAME" < "$D/c.perf.txt" > "$T/pipe.svg" 2>"$T/err" || die "perf script | flame: $(cat "$T/err")"
check "perf script | flame > x.svg writes a flame graph" grep -q spin_a "$T/pipe.svg"
# every output takes every input that has what it needs
"$FLAME" "$D/c.perf.txt" -o "$T/g.html" 2>"$T/err" || die "flame TEXT -o g.html: $(cat "$T/err")"
check "flame TEXT -o g.html: perf script text has times, a heatmap is written" grep -q spin_a "$T/g.html"
"$FLAME" svg "$D/c.perf.txt" -o "$T/t.svg" || die "flame svg TEXT"
check "flame svg reads perf script text" grep -q spin_a "$T/t.svg"
rc=0; "$FLAME" "$D/c.folded" -o "$T/f.html" 2>"$T/err" || rc=$?
check "folded to a heatmap fails" [ $rc = 1 ]
check "and says what is missing" grep -q 'folded stacks have no sample times' "$T/err"

# flame FILE guesses perf script text and writes an SVG
"$FLAME" "$D/cxx.perf.txt" > "$T/auto.svg" 2>"$T/err" || die "flame FILE: $(cat "$T/err")"
check "flame FILE writes an SVG naming demangled frames" grep -q 'shapes::Area&lt;double&gt;::compute' "$T/auto.svg"
check "SVG parses" xmllint --noout "$T/auto.svg"
"$FLAME" "$D/c.folded" -o "$T/auto2.svg" || die "flame FOLDED"
check "flame FILE reads folded stacks" grep -q 'spin_a' "$T/auto2.svg"
printf 'hello world\nnot a profile\n' > "$T/junk.txt"
rc=0; "$FLAME" "$T/junk.txt" > /dev/null 2> "$T/err" || rc=$?
check "unknown input fails" [ $rc -ne 0 ]
check "unknown input error names file and line" grep -q 'junk.txt:1: not an input flame reads (perf.data, .*folded)' "$T/err"
check "in one line" [ "$(wc -l < "$T/err")" = 1 ]
exit 0
