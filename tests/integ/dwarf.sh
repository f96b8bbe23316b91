#!/bin/bash
# DWARF call graphs (docs/dwarf.md) with Debian's perf: tree_nofp, built
# -O2 -fomit-frame-pointer, recorded with --call-graph dwarf. perf script |
# flame collapse is the reference (perf unwinds for its own output); flame
# report and flame FILE.data must give the same folded stacks, with main ->
# known callees in >= 95% of the samples; plain --dlfilter flame.so must
# refuse in one line and exit non-zero instead of dropping every caller.
. "$(dirname "$0")/lib.sh"
set -o pipefail

need_root "flame report sandbox"
[ -x "$PROGS/tree_nofp" ] || skip "no $PROGS/tree_nofp (make tests-build)"
# the test program really has no frame pointers: no push %rbp; mov %rsp,%rbp
if objdump -d --no-show-raw-insn "$PROGS/tree_nofp" |
	awk '/<(main|outer_a|inner_a|outer_b|crunch)>:/,/ret/' | out_has 'mov *%rsp,%rbp'; then
	die "tree_nofp was built with frame pointers"
fi

perf record -q -e cpu-clock -F 999 --call-graph dwarf -o "$T/d.data" -- \
	"$PROGS/tree_nofp" 800 >/dev/null 2>"$T/rec.err" ||
	skip "perf record --call-graph dwarf failed: $(head -c 300 "$T/rec.err")"
nsamp=$(perf_samples "$T/d.data")
echo "perf reports $nsamp samples, perf.data $(stat -c %s "$T/d.data") bytes"
[ "$nsamp" -gt 300 ] || die "too few samples ($nsamp)"

# reference: perf's own unwinder through the text path
perf script -i "$T/d.data" 2>/dev/null | "$FLAME" collapse >"$T/ref.folded" ||
	die "perf script | flame collapse failed"
full='^tree_nofp;.*;main;(outer_a;inner_a|outer_b);crunch( |;)'
ref_full=$(folded_match "$T/ref.folded" "$full")
check "perf script | flame collapse: full stacks in $ref_full of $nsamp samples (>= 95%)" \
	test $((ref_full * 100)) -ge $((nsamp * 95))

# --- stock perf + --dlfilter: refused, nothing written ---------------------
rm -f "$T/p.folded"
if perf script -i "$T/d.data" --dlfilter "$FLAME_SO" --dlarg out="$T/p.folded" \
	>"$T/p.out" 2>"$T/p.err"; then
	cat "$T/p.err"
	die "stock perf --dlfilter flame.so accepted a DWARF recording"
fi
cat "$T/p.err"
check "refusal: one flame.so line" test "$(grep -c '^flame.so:' "$T/p.err")" = 1
check "it names the cause and what to run instead" \
	grep -q '^flame.so: this recording has DWARF user stacks.*run flame report -i FILE, or perf script -i FILE | flame collapse' "$T/p.err"
check "nothing written" test ! -e "$T/p.folded"
# unwind=check: the probe flame report runs (exit 3: cannot unwind)
perf script -i "$T/d.data" --dlfilter "$FLAME_SO" --dlarg unwind=check >/dev/null 2>&1
check "unwind=check on stock perf: exit status 3" test $? = 3
# unwind=raw: the user's choice, said in the summary
perf script -i "$T/d.data" --dlfilter "$FLAME_SO" --dlarg unwind=raw \
	--dlarg out="$T/raw.folded" >/dev/null 2>"$T/raw.err" || die "unwind=raw failed: $(cat "$T/raw.err")"
check "unwind=raw: the summary says callers are missing" grep -q 'callers missing' "$T/raw.err"
check "unwind=raw: and they are (no main)" test "$(folded_match "$T/raw.folded" ';main;')" -lt $((nsamp / 20))
# kernel-only needs no unwinding: not refused
perf script -i "$T/d.data" --dlfilter "$FLAME_SO" --dlarg kernel-only \
	--dlarg out="$T/k.folded" >/dev/null 2>"$T/k.err" || die "kernel-only refused: $(cat "$T/k.err")"
check "kernel-only on a DWARF recording: accepted" test -s "$T/k.err"

# --- flame report and flame FILE.data: routed through perf script ------------
( cd "$T" && "$FLAME" report -i "$T/d.data" -o "$T/r.folded" -o "$T/r.svg" ) 2>"$T/r.err" ||
	die "flame report failed: $(cat "$T/r.err")"
cat "$T/r.err"
check "flame report says which path it took" grep -q "has DWARF user stacks.*using perf script's own unwinding" "$T/r.err"
check "flame report: the same folded stacks as perf script | flame collapse" \
	cmp <(sort "$T/ref.folded") <(sort "$T/r.folded")
check "flame report: and an SVG with the callers" grep -q '>outer_a (' "$T/r.svg"
"$FLAME" "$T/d.data" --format folded >"$T/a.folded" 2>"$T/a.err" ||
	die "flame FILE.data failed: $(cat "$T/a.err")"
check "flame FILE.data: the same folded stacks" cmp <(sort "$T/ref.folded") <(sort "$T/a.folded")
"$FLAME" "$T/d.data" >"$T/a.svg" 2>/dev/null || die "flame FILE.data > svg failed"
check "flame FILE.data: an SVG on stdout by default" grep -q '^<svg' "$T/a.svg"
# options flame.so only has: refused on the text path, not ignored
if "$FLAME" report -i "$T/d.data" -o "$T/g.folded" --group container 2>"$T/g.err"; then
	die "flame report --group container on the text path succeeded"
fi
check "--group container on the text path: a clear error" grep -q 'option group is flame.so.s only' "$T/g.err"
# options both paths have
"$FLAME" report -i "$T/d.data" -o "$T/pid.folded" --show-pid --annotate kernel 2>/dev/null ||
	die "flame report --show-pid --annotate kernel failed"
perf script -i "$T/d.data" 2>/dev/null | "$FLAME" collapse --pid --kernel >"$T/pidref.folded"
check "--show-pid --annotate kernel: as collapse --pid --kernel" \
	cmp <(sort "$T/pidref.folded") <(sort "$T/pid.folded")

# --- frame-pointer recordings keep the plugin path ----------------------------
perf record -q -e cpu-clock -F 999 -g -o "$T/fp.data" -- "$PROGS/known_tree" 300 \
	>/dev/null 2>&1 || die "perf record -g failed"
"$FLAME" report -i "$T/fp.data" -o "$T/fp.folded" 2>"$T/fp.err" || die "report on -g data failed"
check "-g recording: flame.so, not the text path" grep -q '^flame.so: .* samples used' "$T/fp.err"
check "-g recording: no DWARF notice" bash -c "! grep -q DWARF '$T/fp.err'"

# --- flame record --call-graph dwarf,SIZE: passed to perf record -----------
( cd "$T" && "$FLAME" record -o "$T/fr.data" -e cpu-clock -F 499 --call-graph dwarf,16384 -- \
	"$PROGS/tree_nofp" 400 ) >"$T/fr.out" 2>&1 || die "flame record --call-graph dwarf,16384: $(tail -5 "$T/fr.out")"
perf evlist -v -i "$T/fr.data" 2>/dev/null >"$T/fr.evlist"
check "flame record --call-graph dwarf,16384: 16384-byte user stacks" \
	grep -q 'sample_stack_user: 16384' "$T/fr.evlist"
"$FLAME" report -i "$T/fr.data" -o "$T/fr.folded" 2>/dev/null || die "flame report on flame record's data failed"
n=$(folded_total "$T/fr.folded")
check "and flame report unwinds them ($(folded_match "$T/fr.folded" "$full") of $n full)" \
	test $(($(folded_match "$T/fr.folded" "$full") * 100)) -ge $((n * 95))
