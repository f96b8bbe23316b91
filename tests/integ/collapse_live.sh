#!/bin/bash
# perf record a program with a known call tree, then perf script | flame collapse:
# every sample perf reports is counted once, the 2:1 phase split shows, and
# gzip'ed text and --header text give the same stacks.
. "$(dirname "$0")/lib.sh"
command -v perf >/dev/null || skip "perf not installed"
P=$PROGS/collapse_work
[ -x "$P" ] || die "no $P"
perf record -q -e cpu-clock -F 999 -g -o "$T/perf.data" "$P" 450 >/dev/null 2>&1 ||
	skip "perf record -e cpu-clock does not work here"
perf script -i "$T/perf.data" 2>/dev/null > "$T/s.txt"
n=$(perf_samples "$T/perf.data")
"$FLAME" collapse "$T/s.txt" > "$T/f1" || die "collapse"
check "total equals perf's $n samples" [ "$(folded_total "$T/f1")" = "$n" ]
a=$(folded_match "$T/f1" 'main;phase_a;spin_a') b=$(folded_match "$T/f1" 'main;phase_b;spin_b')
check "phase_a ~2x phase_b ($a vs $b)" [ $((a * 10)) -gt $((b * 14)) -a $((a * 10)) -lt $((b * 30)) ]
perf script -i "$T/perf.data" --header 2>/dev/null | gzip | "$FLAME" collapse > "$T/f2"
check "gzip + --header: same output" cmp -s "$T/f1" "$T/f2"
# sample times reach the profile: a flame chart needs them
"$FLAME" collapse --flamechart -o "$T/chart.svg" "$T/s.txt" || die "flamechart"
check "flame chart SVG written" grep -q spin_a "$T/chart.svg"
exit 0
