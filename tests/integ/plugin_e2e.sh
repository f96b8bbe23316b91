#!/bin/bash
# flame.so end to end on a real perf recording of a program whose call tree
# is known (tests/progs/known_tree.c: phase_one 2/3, phase_two 1/3).
. "$(dirname "$0")/lib.sh"

perf record -q -e cpu-clock -F 999 -g -o "$T/p.data" -- "$PROGS/known_tree" 1500 \
	>/dev/null 2>"$T/rec.err" || die "perf record failed: $(cat "$T/rec.err")"
nsamp=$(perf_samples "$T/p.data")
echo "perf reports $nsamp samples"
[ "$nsamp" -gt 500 ] || die "too few samples ($nsamp)"

perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg "out=$T/o.folded" \
	--dlarg "out=$T/o.svg" >"$T/stdout" 2>"$T/stderr" || die "perf script failed: $(cat "$T/stderr")"
cat "$T/stderr"
check "nothing on stdout" test ! -s "$T/stdout"
check "one summary line on stderr" test "$(grep -c '^flame.so: ' "$T/stderr")" = 1
check "summary names outputs" grep -q "wrote $T/o.folded, $T/o.svg" "$T/stderr"
total=$(folded_total "$T/o.folded")
check "folded total ($total) equals perf's sample count ($nsamp)" test "$total" = "$nsamp"
check "stacks are root first, comm root" grep -qE '^known_tree;.*main;phase_one;leaf_one_a;spin [0-9]+$' "$T/o.folded"
one=$(folded_match "$T/o.folded" '^known_tree;.*;phase_one;')
two=$(folded_match "$T/o.folded" '^known_tree;.*;phase_two;')
a=$(folded_match "$T/o.folded" ';leaf_one_a;')
b=$(folded_match "$T/o.folded" ';leaf_one_b;')
echo "phase_one=$one phase_two=$two leaf_one_a=$a leaf_one_b=$b"
share=$(awk -v x="$one" -v y="$two" 'BEGIN {printf "%.3f", x / (x + y)}')
check "phase_one share $share is 2/3 +- 0.08" awk -v s="$share" 'BEGIN {exit !(s > 0.587 && s < 0.747)}'
check "leaf_one_a ~ leaf_one_b" awk -v x="$a" -v y="$b" 'BEGIN {r = x / y; exit !(r > 0.75 && r < 1.33)}'
check "svg parses" xmllint --noout "$T/o.svg"
check "svg names phase_one" grep -q 'phase_one' "$T/o.svg"
check "svg names leaf_two" grep -q 'leaf_two' "$T/o.svg"

# out=- : folded on stdout, same content
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg out=- >"$T/stdout.folded" 2>/dev/null
check "out=- writes the same folded stacks to stdout" cmp -s "$T/stdout.folded" "$T/o.folded"

# default output: flame.svg in the current directory
(cd "$T" && perf script -i p.data --dlfilter "$FLAME_SO" 2>"$T/def.err")
check "no out= writes ./flame.svg" test -s "$T/flame.svg"
check "and says so" grep -q 'wrote flame.svg' "$T/def.err"

# weight=period sums perf's periods
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg weight=period --dlarg out="$T/per.folded" 2>/dev/null
want=$(perf script -i "$T/p.data" -F period 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}')
check "weight=period total equals perf's period sum ($want)" test "$(folded_total "$T/per.folded")" = "$want"

# pid=1 names the root comm-PID; tid=1 comm-PID/TID
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg pid=1 --dlarg out="$T/pid.folded" 2>/dev/null
check "pid=1 root is comm-PID" grep -qE '^known_tree-[0-9]+;' "$T/pid.folded"
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg tid=1 --dlarg out="$T/tid.folded" 2>/dev/null
check "tid=1 root is comm-PID/TID" grep -qE '^known_tree-[0-9]+/[0-9]+;' "$T/tid.folded"
pid=$(sed -nE 's/^known_tree-([0-9]+);.*/\1/p' "$T/pid.folded" | head -1)
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg pid="$pid,99999999" --dlarg out="$T/sel.folded" 2>/dev/null
check "pid=LIST keeps that process" test "$(folded_total "$T/sel.folded")" -gt 0
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg pid=99999999 --dlarg out="$T/none.folded" 2>/dev/null
check "pid=LIST drops others" test ! -s "$T/none.folded"
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg comm=nosuch --dlarg out="$T/c.folded" 2>/dev/null
check "comm= selects by process name" test ! -s "$T/c.folded"
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg user-only=1 --dlarg out="$T/u.folded" 2>/dev/null
check "user-only drops kernel frames" bash -c "! grep -q 'entry_SYSCALL\|asm_sysvec\|_\[k\]' '$T/u.folded'"
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg annotate=all --dlarg kernel-only=1 --dlarg out="$T/k.folded" 2>/dev/null
# kernel frames in the whole profile: kernel-only keeps exactly those stacks
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg annotate=all --dlarg out="$T/all.folded" 2>/dev/null
kall=$(folded_match "$T/all.folded" '_\[k\]( |;)')
echo "samples with kernel frames: $kall"
check "kernel-only keeps the $kall samples with kernel frames" test "$(folded_total "$T/k.folded")" = "$kall"
check "kernel-only + annotate=all: every frame below the root is _[k]" \
	awk '{n = split($1, f, ";"); for (i = 2; i <= n; i++) if (f[i] !~ /_\[k\]$/) exit 1}' "$T/k.folded"
# perf's own filters keep working alongside
t0=$(perf script -i "$T/p.data" -F time 2>/dev/null | head -1 | tr -d ' :')
perf script -i "$T/p.data" --time "$t0,$(awk -v t="$t0" 'BEGIN {printf "%.6f", t + 0.5}')" \
	--dlfilter "$FLAME_SO" --dlarg out="$T/time.folded" 2>/dev/null
tt=$(folded_total "$T/time.folded")
check "perf --time narrows the profile ($tt of $total)" test "$tt" -gt 0 -a "$tt" -lt "$total"

# help and bad options
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg help >"$T/help" 2>&1
check "--dlarg help exits 0" test $? = 0
check "help lists options with defaults" grep -q 'annotate=TEXT.*default: none' "$T/help"
check "help lists graph options" grep -q 'minwidth=' "$T/help"
# run in an empty directory: the default output (./flame.svg), an explicit
# one and any temporary file beside them would all land there
mkdir "$T/fail"
(cd "$T/fail" && perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg bogus=1 >"$T/bad" 2>&1)
check "unknown option fails" test $? != 0
check "and names it in one line" grep -q "^flame.so: unknown option 'bogus=1'" "$T/bad"
(cd "$T/fail" && perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg out=g.svg \
	--dlarg width=wide >"$T/bad2" 2>&1)
check "malformed value fails" test $? != 0
check "and names it" grep -q "option 'width=wide'" "$T/bad2"
check "no output or temporary file after a failed start: $(ls -A "$T/fail")" test -z "$(ls -A "$T/fail")"

# the .so exports only the dlfilter entry points
syms=$(nm -D --defined-only "$FLAME_SO" | awk '{print $3}' | sort | tr '\n' ' ')
check "exports only dlfilter entry points: $syms" test "$syms" = "filter_description filter_event filter_event_early perf_dlfilter_fns start stop "
