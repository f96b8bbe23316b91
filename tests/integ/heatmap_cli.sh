#!/bin/bash
# flame heatmap on perf script text: bucketing of known times, --rows,
# hostile frame names kept as data, gzip/stdin input, clear errors; and the
# plugin's rows= option on a real recording.
. "$(dirname "$0")/lib.sh"

# Hand-written perf script text: times 100.000, 100.500, 102.200 s.
# Frame names try to end the script block and use U+2028.
ls_sep=$(printf '\xe2\x80\xa8')
cat > "$T/stacks.txt" <<EOT
evil 42/42 [000]   100.000000:    1001001 cpu-clock: 
	            11aa </script><script>alert(1)</script>+0x40 (/opt/evil)
	            1263 main+0x31 (/opt/evil)

evil 42/42 [001]   100.500000:    1001001 cpu-clock: 
	            11aa <!--x${ls_sep}y+0x1 (/opt/evil)
	            1263 main+0x31 (/opt/evil)

evil 42/42 [000]   102.200000:    1001001 cpu-clock: 
	            11aa phase_beta+0x1 (/opt/evil)
	            1263 main+0x31 (/opt/evil)

EOT

"$FLAME" heatmap "$T/stacks.txt" --rows 10 --title '<i>t</i>' -o "$T/p.html" \
	|| die "flame heatmap failed on perf script text"
check "page written" test -s "$T/p.html"
check "exactly the page's own 3 script blocks end" \
	test "$(grep -o '</script' "$T/p.html" | wc -l)" = 3
check "no raw U+2028 in the page" sh -c "! grep -q '$ls_sep' '$T/p.html'"
check "hostile name stored once, escaped" \
	test "$(grep -o '\\u003c/script\\u003e\\u003cscript\\u003ealert' "$T/p.html" | wc -l)" = 1
check "title escaped" sh -c "grep -q '<title>&lt;i&gt;t&lt;/i&gt;</title>' '$T/p.html'"
check "Content-Security-Policy forbids network" \
	grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$T/p.html"
check "no external URLs" sh -c "! grep -Eq '(src|href)=\"(https?:)?//' '$T/p.html'"
# 100.0 -> cell 0; 100.5 -> second 0 row 5; 102.2 -> second 2 row 2 = cell 22
check "rows=10, 3 seconds (second 1 empty)" grep -q '"rows":10,"cols":3' "$T/p.html"
check "cells at 0, 5 and 22 (gaps 0, 4, 16)" \
	grep -Eq '"cells":\[0,1,[0-9],1,4,1,[0-9],1,16,1,[0-9],1\]' "$T/p.html"

# gzip on stdin, default rows: they follow the sample rate, and 2 samples
# in the busiest second fill no cell of any split with 5: one row
gzip -c "$T/stacks.txt" | "$FLAME" heatmap - -o "$T/z.html" || die "gzip stdin failed"
check "gzip stdin: default rows=1 (2 samples a second), 3 seconds" grep -q '"rows":1,"cols":3' "$T/z.html"

# errors: one line, non-zero exit
printf 'main;work 10\nmain;idle 3\n' > "$T/x.folded"
if "$FLAME" heatmap "$T/x.folded" -o "$T/f.html" 2> "$T/err"; then
	die "folded input (no times) accepted"
fi
cat "$T/err"
check "folded input: one-line error naming the file" \
	sh -c "test \$(wc -l < '$T/err') = 1 && grep -q '^flame: .*x.folded' '$T/err'"
check "no partial output left" test ! -e "$T/f.html"
"$FLAME" heatmap "$T/stacks.txt" --rows 1001 -o "$T/r.html" 2> "$T/err" && die "--rows 1001 accepted"
check "--rows 1001 rejected" grep -q '^flame: .*rows' "$T/err"
"$FLAME" heatmap --help > "$T/help" || die "--help exit"
grep -q 'usage: flame heatmap' "$T/help" || die "--help"

# plugin: rows= on a real recording of twophase
command -v perf >/dev/null || die "perf not installed"
perf record -q -e cpu-clock -F 499 -g -o "$T/perf.data" -- "$PROGS/twophase" 300 \
	> /dev/null 2>&1 || die "perf record failed"
perf script -i "$T/perf.data" --dlfilter "$FLAME_SO" --dlarg out="$T/plugin.html" \
	--dlarg rows=20 > /dev/null 2> "$T/plugin.log" || { cat "$T/plugin.log"; die "plugin failed"; }
check "plugin page with rows=20" grep -q '"rows":20,"cols":1' "$T/plugin.html"
n=$(perf_samples "$T/perf.data")
check "plugin page holds all $n samples" grep -q "\"samples\":$n," "$T/plugin.html"
check "phase functions named once each" \
	test "$(grep -o '"phase_alpha"' "$T/plugin.html" | wc -l)" = 1
