#!/bin/bash
# Heatmap page in a real browser (headless Chromium over the DevTools pipe):
# record tests/progs/twophase (phase_alpha ~2 s, then phase_beta ~2 s), make
# the page through flame.so and through `flame heatmap` on perf script text,
# select each phase with the mouse and check the flame graphs.
# Screenshots: $BUILD/test-artifacts/heatmap-{plugin,cli}.png
. "$(dirname "$0")/lib.sh"

"$FLAME_TOP"/scripts/deps.sh browser >/dev/null 2>&1 ||
	skip "chromium cannot be installed (scripts/deps.sh browser failed)"
command -v chromium >/dev/null || skip "no chromium after scripts/deps.sh browser"
command -v node >/dev/null || skip "no node after scripts/deps.sh browser"
command -v perf >/dev/null || die "perf not installed"
[ -x "$PROGS/twophase" ] || die "$PROGS/twophase not built"

ART=$BUILD/test-artifacts
mkdir -p "$ART"

# -k CLOCK_MONOTONIC: sample times on the clock twophase logs its phases with
perf record -q -k CLOCK_MONOTONIC -e cpu-clock -F 999 -g -o "$T/perf.data" -- \
	"$PROGS/twophase" 2000 "$T/phases" \
	> "$T/record.log" 2>&1 || { cat "$T/record.log"; die "perf record failed"; }
n=$(perf_samples "$T/perf.data")
echo "recorded $n samples"
# twophase runs on wall time: on a loaded machine it gets fewer samples; the
# phases are told apart by the times it logged, so a floor is enough
[ "$n" -gt 100 ] || die "too few samples ($n) to tell the phases apart"

# 1. plugin route: the writer is picked by the .html extension
perf script -i "$T/perf.data" --dlfilter "$FLAME_SO" --dlarg out="$T/plugin.html" \
	> /dev/null 2> "$T/plugin.log" || { cat "$T/plugin.log"; die "perf script --dlfilter failed"; }
check "plugin wrote the page" test -s "$T/plugin.html"
node "$FLAME_TOP/tests/browser/heatmap-check.js" "$T/plugin.html" "$ART/heatmap-plugin.png" 2 "$T/phases" ||
	die "browser checks failed on the plugin's page"

# 2. CLI route: perf script text (gzip), FlameScope's input
perf script -i "$T/perf.data" 2>/dev/null | gzip > "$T/stacks.gz"
"$FLAME" heatmap "$T/stacks.gz" -o "$T/cli.html" || die "flame heatmap failed"
check "flame heatmap wrote the page" test -s "$T/cli.html"
node "$FLAME_TOP/tests/browser/heatmap-check.js" "$T/cli.html" "$ART/heatmap-cli.png" 2 "$T/phases" ||
	die "browser checks failed on the CLI's page"
echo "screenshots: $ART/heatmap-plugin.png $ART/heatmap-cli.png"

# 3. idle toggle: idle (swapper -> do_idle) and busy samples in one cell
for t in 5.001 5.002 5.003; do
	printf 'swapper 0/0 [001] %s: 1001001 cpu-clock:\n' $t
	printf '\t ffffffff81000001 default_idle+0x1 ([kernel.kallsyms])\n'
	printf '\t ffffffff81000002 do_idle+0x1 ([kernel.kallsyms])\n'
	printf '\t ffffffff81000003 cpu_startup_entry+0x1 ([kernel.kallsyms])\n\n'
done > "$T/idle.txt"
printf 'app 7/7 [000] 5.004: 1001001 cpu-clock:\n\t 401000 work+0x1 (/opt/app)\n\t 401100 main+0x1 (/opt/app)\n\n' >> "$T/idle.txt"
"$FLAME" heatmap "$T/idle.txt" -o "$T/idle.html" || die "flame heatmap failed on the idle profile"
node "$FLAME_TOP/tests/browser/heatmap-idle.js" "$T/idle.html" || die "idle toggle checks failed"
