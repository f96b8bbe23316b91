#!/bin/bash
# perf_dlfilter_fns.resolved_callchain (perf-patches/0003) on every patched
# perf that is built: build/perf-patched/perf (6.1) and, when present,
# build/perf-patched-6.12/perf (make perf-patched PERF_SRC=6.12).
# tree_nofp (-O2 -fomit-frame-pointer) recorded with --call-graph dwarf:
# the chain perf hands a filter has exactly the frames perf script prints
# for each sample; flame.so on the patched perf gives full stacks in >= 95%
# of samples and the same folded stacks as `perf script | flame collapse`
# with that perf; flame report --perf PATCHED takes the flame.so path.
. "$(dirname "$0")/lib.sh"
set -o pipefail

patched_perfs
[ -x "$PROGS/tree_nofp" ] || skip "no $PROGS/tree_nofp (make tests-build)"
gcc -shared -fPIC -O1 -Wall -Werror -I"$FLAME_TOP"/include -o "$T/chaindump.so" \
	"$FLAME_TOP"/tests/data/perf-patches/chaindump.c || die "cannot build chaindump.so"

perf record -q -e cpu-clock -F 999 --call-graph dwarf -o "$T/d.data" -- \
	"$PROGS/tree_nofp" 600 >/dev/null 2>"$T/rec.err" ||
	skip "perf record --call-graph dwarf failed: $(head -c 300 "$T/rec.err")"
nsamp=$(perf_samples "$T/d.data")
echo "perf reports $nsamp samples"
[ "$nsamp" -gt 200 ] || die "too few samples ($nsamp)"
full='^tree_nofp;.*;main;(outer_a;inner_a|outer_b);crunch( |;)'

# Debian's perf: the slot is empty
perf script -i "$T/d.data" --dlfilter "$T/chaindump.so" >"$T/stock.out" 2>/dev/null ||
	die "chaindump.so on Debian's perf failed"
check "Debian's perf: no resolved_callchain, the filter still runs" \
	test "$(grep -c '^(no api)$' "$T/stock.out")" = "$nsamp"

for PP in "${perfs[@]}"; do
	v=$(patched_version "$PP") || exit 1
	echo "--- $PP: $v"

	# the chain, sample by sample, against perf script's own output
	"$PP" script -i "$T/d.data" --dlfilter "$T/chaindump.so" >"$T/chain.out" 2>"$T/chain.err" ||
		die "chaindump.so on $PP: $(cat "$T/chain.err")"
	check "$v: no convention check failed" bash -c "! grep -q '^BAD' '$T/chain.out'"
	"$PP" script -i "$T/d.data" >"$T/text.out" 2>/dev/null || die "$PP script failed"
	awk 'NF == 0 { if (h) print n; h = 0; next }
	     /^[^ \t]/ { if (h) print n; h = 1; n = 0; next }
	     { n++ } END { if (h) print n }' "$T/text.out" >"$T/text.counts"
	cut -d' ' -f1 "$T/chain.out" >"$T/chain.counts"
	check "$v: every sample's chain has the frames perf script prints ($(wc -l <"$T/chain.counts") samples)" \
		cmp "$T/text.counts" "$T/chain.counts"
	check "$v: the chains reach main" \
		test "$(grep -c ';main;' "$T/chain.out")" -ge $((nsamp * 95 / 100))

	# flame.so: full stacks, as perf script | flame collapse with this perf
	"$FLAME" collapse <"$T/text.out" >"$T/ref.folded" || die "flame collapse failed"
	"$PP" script -i "$T/d.data" --dlfilter "$FLAME_SO" --dlarg out="$T/p.folded" \
		>/dev/null 2>"$T/p.err" || die "flame.so on $PP: $(cat "$T/p.err")"
	cat "$T/p.err"
	check "$v: flame.so says perf unwound the user stacks" grep -q 'user stacks unwound by perf (DWARF)' "$T/p.err"
	n=$(folded_match "$T/p.folded" "$full")
	check "$v: flame.so: full stacks in $n of $nsamp samples (>= 95%)" \
		test $((n * 100)) -ge $((nsamp * 95))
	check "$v: flame.so writes what perf script | flame collapse writes" \
		cmp "$T/ref.folded" "$T/p.folded"
	"$PP" script -i "$T/d.data" --dlfilter "$FLAME_SO" --dlarg unwind=check >/dev/null 2>&1
	check "$v: unwind=check: exit status 0" test $? = 0

	# flame report --perf: the plugin path, no text-path notice
	if [ "$(id -u)" = 0 ]; then
		"$FLAME" report --perf "$PP" -i "$T/d.data" -o "$T/r.folded" 2>"$T/r.err" ||
			die "flame report --perf $PP: $(cat "$T/r.err")"
		check "$v: flame report --perf: flame.so unwound by perf" \
			grep -q 'user stacks unwound by perf (DWARF)' "$T/r.err"
		check "$v: flame report --perf: same folded stacks" cmp "$T/ref.folded" "$T/r.folded"
	fi
done
