#!/bin/bash
# The address cache stays right when a PID execs a new program: exec_a and
# exec_b put alpha_spin / gamma_spin at the same address.
. "$(dirname "$0")/lib.sh"

a=$(nm "$PROGS/exec_a" | awk '$3 == "alpha_spin" {print $1}')
b=$(nm "$PROGS/exec_b" | awk '$3 == "gamma_spin" {print $1}')
check "precondition: same address in both programs ($a)" test -n "$a" -a "$a" = "$b"
perf record -q -e cpu-clock -F 999 -g -o "$T/p.data" -- "$PROGS/exec_a" "$PROGS/exec_b" \
	>/dev/null 2>"$T/rec.err" || die "perf record failed: $(cat "$T/rec.err")"
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg pid=1 --dlarg out="$T/o.folded" 2>"$T/err" ||
	die "perf script failed: $(cat "$T/err")"
cat "$T/o.folded" | cut -c1-200 | sort -t' ' -k2 -nr | head -5
pa=$(sed -nE 's/^exec_a-([0-9]+);.*/\1/p' "$T/o.folded" | head -1)
pb=$(sed -nE 's/^exec_b-([0-9]+);.*/\1/p' "$T/o.folded" | head -1)
check "one PID ran both programs ($pa)" test -n "$pa" -a "$pa" = "$pb"
check "exec_a's samples are alpha_spin" test "$(folded_match "$T/o.folded" '^exec_a-[0-9]+;.*alpha_spin')" -gt 100
check "exec_b's samples are gamma_spin" test "$(folded_match "$T/o.folded" '^exec_b-[0-9]+;.*gamma_spin')" -gt 100
check "exec_b never gets exec_a's names" test "$(folded_match "$T/o.folded" '^exec_b-[0-9]+;.*alpha_spin')" = 0
