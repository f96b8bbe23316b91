#!/bin/bash
# flame collapse --inline with 200,000 distinct dsos (issue 16 item 4): the
# dso lookup is hashed, so this takes seconds; the old linear scan was
# quadratic (80,000 dsos: 55.6 s against 2.5 s on the loaded 2-core test
# machine; 200,000 would take minutes). Not a speed measurement (make bench
# is): a guard against the quadratic lookup coming back, with a limit more
# than 10x above the linear time, and a check that every stack is kept.
. "$(dirname "$0")/lib.sh"

awk 'BEGIN { for (i = 0; i < 200000; i++)
	printf "prog 123 [000] 1.%06d: 1 cpu-clock:\n\t    401000 f%d+0x10 (/nonexistent/lib%d.so)\n\t    401100 main+0x20 (/nonexistent/prog)\n\n", i, i, i }' > "$T/in.txt"
timeout 120 "$FLAME" collapse --inline "$T/in.txt" > "$T/out.folded" 2>"$T/err"
rc=$?
[ $rc = 124 ] && die "collapse --inline took over 120 s on 200,000 dsos (quadratic lookup?)"
[ $rc = 0 ] || die "collapse --inline failed: $(cat "$T/err")"
check "every stack kept" test "$(wc -l < "$T/out.folded")" = 200000
check "total weight" test "$(folded_total "$T/out.folded")" = 200000
exit 0
