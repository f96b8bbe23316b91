#!/bin/bash
# The flame graph's script in a real browser: headless Chromium loads an SVG
# made by `flame svg` with a driver script appended (tests/data/svg/
# browser-check.js) that hovers, clicks to zoom, resets, searches with
# Ctrl-F, toggles case and re-initialises; the results come back through
# --dump-dom. A screenshot lands in $BUILD/test-artifacts/svg-browser.png.
. "$(dirname "$0")/lib.sh"

"$FLAME_TOP"/scripts/deps.sh browser >/dev/null 2>&1 ||
	skip "chromium cannot be installed (scripts/deps.sh browser failed)"
command -v chromium >/dev/null || skip "no chromium after scripts/deps.sh browser"
command -v xmllint >/dev/null || die "xmllint missing"

D=$FLAME_TOP/tests/data/svg
"$FLAME" svg --title "browser check" "$D/browser.folded" > "$T/g.svg" || die "flame svg failed"
xmllint --noout "$T/g.svg" || die "SVG does not parse"

# Append the driver as a second script, after the graph's own.
{
	sed '$d' "$T/g.svg"	# drop the closing </svg>
	printf '<script type="text/ecmascript"><![CDATA[\n'
	cat "$D/browser-check.js"
	printf ']]></script>\n</svg>\n'
} > "$T/check.svg"
[ "$(tail -n 1 "$T/g.svg")" = '</svg>' ] || die "SVG does not end with </svg>"
xmllint --noout "$T/check.svg" || die "driver SVG does not parse"

chrome() { timeout -k 5 60 chromium --headless --no-sandbox --disable-gpu \
	--user-data-dir="$T/profile" "$@" 2>> "$T/chromium.log"; }
chrome --dump-dom "file://$T/check.svg" > "$T/dom.txt" || die "chromium failed: $(tail -3 "$T/chromium.log")"
res=$(grep -o '<desc id="fg-test-result">[^<]*</desc>' "$T/dom.txt" | tail -n 1 | sed 's/^[^>]*>//; s|</desc>$||')
[ -n "$res" ] || die "no result from the page (script error?)"
echo "page says: $res"
get() { printf '%s\n' "$res" | tr '|' '\n' | sed -n "s/^$1=//p"; }
expect() { local got; got=$(get "$1"); [ "$got" = "$2" ] || die "$1: got '$got', want '$2'"; echo "  ok: $1 = $2"; }

[ -z "$(get exception)" ] || die "exception in the page: $(get exception)"
expect init true
expect details "Function: parse (40 samples, 40.00%)"
expect work_w 1180.0
expect parse_w 674.3
expect idle_hidden true
expect main_greyed true
expect main_w 1180
expect unzoom_shown true
expect label a_very_long_function_name_that_needs_room
expect reset_work_w 826.0
expect reset_idle_hidden false
expect reset_label a_very_long_function_name_that..
expect matched "Matched: 70.00%"
expect hit_fill "rgb(230,0,230)"
expect miss_fill_kept true
expect case_matched "Matched: 0.00%"
expect nocase_matched "Matched: 30.00%"
expect zoomed_matched "Matched: 57.14%"
expect reinit_prompts 1
expect reinit_matched "Matched: 70.00%"

ART=$BUILD/test-artifacts
mkdir -p "$ART"
chrome --screenshot="$ART/svg-browser.png" --window-size=1200,300 "file://$T/g.svg" >/dev/null &&
	echo "screenshot: $ART/svg-browser.png"
# URL state (flamegraph.pl's ?x=&y= zoom and ?s= search), through the DevTools
# pipe so the page's own URL can be read back
node "$FLAME_TOP/tests/browser/svg-url.js" "$T/g.svg" work parse ||
	die "URL state checks failed"
echo "all svg_browser checks passed"
