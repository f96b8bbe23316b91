#!/bin/bash
# The CPU strip of the heatmap page in a real browser: a container cgroup
# made here runs a spinner free for ~3 s, then under a quota of 5 ms per
# 100 ms; flame record samples it and its cgroup, flame.so writes the page
# (out=x.html), and tests/browser/heatmap-cpu.js checks the strip (throttled
# seconds after the quota) and that a selection on the strip gives the flame
# graph of the same selection on the heatmap.
# Screenshot: $BUILD/test-artifacts/heatmap-cpu.png
. "$(dirname "$0")/lib.sh"
command -v perf >/dev/null || skip "perf not installed"
"$FLAME_TOP"/scripts/deps.sh browser >/dev/null 2>&1 ||
	skip "chromium cannot be installed (scripts/deps.sh browser failed)"
command -v chromium >/dev/null || skip "no chromium after scripts/deps.sh browser"
command -v node >/dev/null || skip "no node after scripts/deps.sh browser"
. "$(dirname "$0")/cgcpu.inc"

ART=$BUILD/test-artifacts
mkdir -p "$ART"
ID=$(new_id)
LABEL=container:${ID:0:12}
cg_make "$ID"
cg_quota "$ID" -1 100000
spin "$ID"

"$FLAME" record --interval 0.5 -q -F 99 -g -p "$SPIN" -o "$T/perf.data" -- sleep 7 \
	>"$T/rec.out" 2>"$T/rec.err" &
rec=$!
# the free seconds start with the recording's first poll (a loaded machine
# can take seconds to start perf): wait for it, up to 30 s
for ((i = 0; i < 300; i++)); do
	grep -qs "	$LABEL	" "$T/perf.data.maps/cpu.tsv" && break
	kill -0 $rec 2>/dev/null || break
	sleep 0.1
done
sleep 3
cg_quota "$ID" 5000 100000
wait $rec || die "flame record failed: $(tail -5 "$T/rec.err")"
unspin "$SPIN"
check "cpu.tsv has the container" grep -q "	$LABEL	" "$T/perf.data.maps/cpu.tsv"

perf script -i "$T/perf.data" --dlfilter "$FLAME_SO" --dlarg out="$T/x.html" \
	>/dev/null 2>"$T/plugin.log" || { cat "$T/plugin.log"; die "perf script --dlfilter failed"; }
check "flame.so wrote the page" test -s "$T/x.html"
check "the page carries the CPU strip's data" grep -q "\"label\":\"$LABEL\",\"cgroup" "$T/x.html"
node "$FLAME_TOP/tests/browser/heatmap-cpu.js" "$T/x.html" "$LABEL" "$ART/heatmap-cpu.png" ||
	die "browser checks of the CPU strip failed"

# container= keeps the strip of that container only
perf script -i "$T/perf.data" --dlfilter "$FLAME_SO" --dlarg out="$T/one.html" \
	--dlarg container="${ID:0:12}" >/dev/null 2>"$T/one.log" ||
	{ cat "$T/one.log"; die "perf script --dlfilter container= failed"; }
n=$(grep -o '"label":"[^"]*"' "$T/one.html" | sort -u | wc -l)
check "container= page has that one strip" test "$n" = 1
exit 0
