#!/bin/bash
# flame profile --call-graph dwarf (docs/profile.md): tree_nofp, built -O2
# -fomit-frame-pointer, profiled live while perf record --call-graph dwarf
# -p records the same process. flame profile unwinds the sampled user stack
# with libdw; perf script | flame collapse (perf's own unwinder) is the
# reference. Both must give main -> known callees in >= 95% of samples and
# agree by stack share (>= 0.9). Without --call-graph dwarf the stacks stop
# at the leaf: the same check then fails.
. "$(dirname "$0")/lib.sh"
set -o pipefail
need_root "perf_event_open for another process"
command -v perf >/dev/null || skip "perf not installed"
[ -x "$PROGS/tree_nofp" ] || skip "no $PROGS/tree_nofp (make tests-build)"

full='^tree_nofp;.*main;(outer_a;inner_a|outer_b);crunch( |;)'

# user frames from main down, libc's symbol versions dropped: perf names
# the frames above main from libc's debug symbols (__libc_start_main_impl),
# flame from .dynsym (__libc_start_main@@GLIBC_2.34); kernel frames (_[k])
# dropped: two samplers on one task disturb each other's kernel stacks
from_main() {
	awk '{ w = $NF; sub(/ [0-9]+$/, ""); n = split($0, f, ";"); s = f[1]; m = 0
	       for (i = 2; i <= n; i++) {
		       if (f[i] ~ /_\[k\]$/) continue
		       if (f[i] == "main") m = 1
		       if (m) { sub(/@.*/, "", f[i]); s = s ";" f[i] }
	       }
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

# start tree_nofp stopped; $1: flame profile's --call-graph; perf record too
# unless $2 = noperf
run_both() {
	local cg=$1 ms=$3
	rm -f "$T/kt.data" "$T/live.folded"
	sh -c 'kill -STOP $$; exec "$0" "$1"' "$PROGS/tree_nofp" "$ms" &
	kt=$!
	for _ in $(seq 50); do
		grep -q '^State:.*T (stopped)' /proc/$kt/status 2>/dev/null && break
		sleep 0.1
	done
	pr=
	if [ "$2" != noperf ]; then
		perf record -q -e cpu-clock -F 499 --call-graph dwarf -p "$kt" \
			-o "$T/kt.data" 2>"$T/rec.err" &
		pr=$!
	fi
	"$FLAME" profile -p "$kt" -F 499 --call-graph "$cg" --duration 120 \
		--annotate kernel -o "$T/live.folded" 2>"$T/prof.err" &
	fp=$!
	sleep 2		# both attached (perf record prints nothing when ready)
	kill -CONT "$kt"
	wait "$fp" || die "flame profile failed: $(cat "$T/prof.err")"
	if [ -n "$pr" ]; then
		kill -INT "$pr" 2>/dev/null
		wait "$pr"
	fi
	wait "$kt" 2>/dev/null
	cat "$T/prof.err"
}

for attempt in 1 2; do
	run_both dwarf perf 3000
	perf script -i "$T/kt.data" 2>/dev/null | "$FLAME" collapse --kernel >"$T/perf.folded" ||
		die "perf script | flame collapse failed"
	live=$(folded_total "$T/live.folded")
	ref=$(folded_total "$T/perf.folded")
	live_full=$(folded_match "$T/live.folded" "$full")
	ref_full=$(folded_match "$T/perf.folded" "$full")
	from_main "$T/live.folded" "$T/live.main"
	from_main "$T/perf.folded" "$T/perf.main"
	sim=$(similarity "$T/live.main" "$T/perf.main")
	echo "attempt $attempt: flame profile $live samples ($live_full full stacks), perf $ref ($ref_full); similarity $sim"
	[ "$live" -gt 500 ] && [ $((live_full * 100)) -ge $((live * 95)) ] &&
		awk -v s="$sim" 'BEGIN { exit !(s >= 0.9) }' && break
done
check "enough samples ($live, $ref)" test "$live" -gt 500 -a "$ref" -gt 500
check "flame profile --call-graph dwarf: main -> known callees in $live_full of $live samples (>= 95%)" \
	test $((live_full * 100)) -ge $((live * 95))
check "perf record --call-graph dwarf: the same in $ref_full of $ref" \
	test $((ref_full * 100)) -ge $((ref * 95))
check "similarity by stack share from main $sim >= 0.9" awk -v s="$sim" 'BEGIN { exit !(s >= 0.9) }'
a=$(folded_match "$T/live.folded" ';outer_a;inner_a;crunch')
b=$(folded_match "$T/live.folded" ';outer_b;crunch')
check "outer_a is 1/2 (+-0.1) of the tree ($a, $b)" \
	awk -v x="$a" -v y="$b" 'BEGIN { s = x / (x + y); exit !(s > 0.4 && s < 0.6) }'
check "frames above main unwound too (libc, _start)" grep -q '^tree_nofp;_start;__libc_start_main.*;main;' "$T/live.folded"
check "vdso frames unwound through ([vdso] image)" grep -qE ';crunch;clock_gettime[^;]*;__vdso_clock_gettime' "$T/live.folded"
check "nothing lost" test -z "$(grep 'lost' "$T/prof.err")"

# frame pointers only (the default): the callers are missing
run_both fp noperf 1000
live=$(folded_total "$T/live.folded")
live_full=$(folded_match "$T/live.folded" "$full")
echo "--call-graph fp: $live samples, $live_full with main -> known callees"
check "without --call-graph dwarf the stacks are truncated ($live_full of $live)" \
	test "$live" -gt 100 -a $((live_full * 100)) -lt $((live * 5))

# errors: one line, non-zero exit
"$FLAME" profile -p $$ --call-graph lbr 2>"$T/e1" && die "--call-graph lbr must fail"
check "unknown mode: one clear line" grep -q 'expects fp or dwarf\[,SIZE\]' "$T/e1"
"$FLAME" profile -p $$ --call-graph dwarf,100 2>"$T/e2" && die "--call-graph dwarf,100 must fail"
check "bad size: one clear line" grep -q 'multiple of 8' "$T/e2"
"$FLAME" profile --help >"$T/help"
check "--help lists --call-graph" grep -q -- '--call-graph' "$T/help"
exit 0
