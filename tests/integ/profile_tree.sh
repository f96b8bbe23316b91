#!/bin/bash
# flame profile -p against perf record -g -p + flame.so on the same window:
# a known call tree (tests/progs/known_tree.c) is started stopped, both
# profilers attach, then it runs to its end, so both see its whole life.
# The folded distributions must agree by stack share (>= 0.97).
. "$(dirname "$0")/lib.sh"
set -o pipefail
need_root "perf_event_open for another process"
command -v perf >/dev/null || skip "perf not installed"

# Kernel frames (annotated _[k]) dropped: the two profilers' timers fire
# close together on one task and disturb each other's kernel stacks (one
# often lands in the other's interrupt exit), which is interference, not
# naming; user stacks are compared exactly, whole stacks more loosely.
user_stacks() {
	awk '{ w = $NF; sub(/ [0-9]+$/, ""); n = split($0, f, ";"); s = ""
	       for (i = 1; i <= n; i++) if (f[i] !~ /_\[k\]$/) s = s (s == "" ? "" : ";") f[i]
	       c[s] += w }
	     END { for (s in c) print s, c[s] }' "$1" > "$2"
}

# stack-share similarity: sum over stacks of min(a/A, b/B)
similarity() {
	awk 'FNR == 1 { f++ }
	{ w = $NF; sub(/ [0-9]+$/, ""); c[f, $0] += w; t[f] += w; k[$0] = 1 }
	END { for (s in k) { a = c[1, s] / t[1]; b = c[2, s] / t[2]; m += a < b ? a : b }
	      printf "%.4f\n", m }' "$1" "$2"
}

for attempt in 1 2; do
	# the target: stopped until both profilers are attached
	sh -c 'kill -STOP $$; exec "$0" 4000' "$PROGS/known_tree" &
	kt=$!
	for _ in $(seq 50); do
		grep -q '^State:.*T (stopped)' /proc/$kt/status 2>/dev/null && break
		sleep 0.1
	done
	perf record -q -g -F 999 -p "$kt" -o "$T/kt.data" 2>"$T/rec.err" &
	pr=$!
	"$FLAME" profile -p "$kt" -F 999 --duration 120 --annotate kernel -o "$T/live.folded" \
		-o "$T/live.svg" 2>"$T/prof.err" &
	fp=$!
	sleep 2		# both attached (perf record prints nothing when ready)
	kill -CONT "$kt"
	wait "$fp" || die "flame profile failed: $(cat "$T/prof.err")"
	kill -INT "$pr" 2>/dev/null
	wait "$pr"
	wait "$kt" 2>/dev/null
	perf script -i "$T/kt.data" --dlfilter "$FLAME_SO" --dlarg "out=$T/perf.folded" --dlarg annotate=kernel \
		2>"$T/script.err" || die "perf script failed: $(cat "$T/script.err")"
	live=$(folded_total "$T/live.folded")
	ref=$(folded_total "$T/perf.folded")
	user_stacks "$T/live.folded" "$T/live.user"
	user_stacks "$T/perf.folded" "$T/perf.user"
	sim=$(similarity "$T/live.user" "$T/perf.user")
	whole=$(similarity "$T/live.folded" "$T/perf.folded")
	echo "attempt $attempt: flame profile $live samples, perf record $ref; similarity $sim (user stacks), $whole (whole stacks)"
	awk -v s="$sim" 'BEGIN { exit !(s >= 0.97) }' && break
done
check "enough samples ($live, $ref)" test "$live" -gt 1500 -a "$ref" -gt 1500
check "similarity by user stack share $sim >= 0.97" awk -v s="$sim" 'BEGIN { exit !(s >= 0.97) }'
check "similarity by whole stack share $whole >= 0.90" awk -v s="$whole" 'BEGIN { exit !(s >= 0.90) }'
check "sample counts within 10%" awk -v a="$live" -v b="$ref" 'BEGIN { exit !(a > 0.9 * b && a < 1.1 * b) }'
check "user frames named from the ELF file" grep -qE '^known_tree;.*main;phase_one;leaf_one_a;spin [0-9]+$' "$T/live.folded"
check "vdso frames named" grep -q ';__vdso_clock_gettime' "$T/live.folded"
check "kernel frames named from kallsyms" grep -q ';entry_SYSCALL_64_after_hwframe_\[k\]' "$T/live.folded"
one=$(folded_match "$T/live.folded" '^known_tree;.*;phase_one;')
two=$(folded_match "$T/live.folded" '^known_tree;.*;phase_two;')
check "phase_one is 2/3 (+-0.08) of the phases ($one, $two)" \
	awk -v x="$one" -v y="$two" 'BEGIN { s = x / (x + y); exit !(s > 0.587 && s < 0.747) }'
check "svg written and parses" xmllint --noout "$T/live.svg"
check "nothing lost" test -z "$(grep 'lost' "$T/prof.err")"

# the whole system
"$FLAME" profile -a -F 99 --duration 1 -o "$T/k.folded" 2>"$T/k.err" ||
	die "flame profile -a failed: $(cat "$T/k.err")"
roots=$(cut -d';' -f1 "$T/k.folded" | sort -u | wc -l)
check "-a: samples of many processes ($roots root frames)" test "$roots" -gt 1
check "no annotation unless asked" test -z "$(grep '_\[k\]' "$T/k.folded")"

# errors: one line, non-zero exit
"$FLAME" profile -p 999999999 2>"$T/e1" && die "a missing pid must fail"
check "missing pid: one clear line" grep -q 'no such process' "$T/e1"
"$FLAME" profile -a -e nosuchevent --duration 1 2>"$T/e2" && die "an unknown event must fail"
check "unknown event: one clear line" grep -q 'unknown event' "$T/e2"
"$FLAME" profile --help >"$T/help" || die "profile --help failed"
grep -q -- '--container' "$T/help" || die "--help lists --container"
exit 0
