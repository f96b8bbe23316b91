#!/bin/bash
# perf_dlfilter_fns.tp_field (perf-patches/0004) on every patched perf that
# is built: build/perf-patched/perf (6.1) and, when present,
# build/perf-patched-6.12/perf (make perf-patched PERF_SRC=6.12).
# - tpdump.so reads sched_switch and sched_process_exec (a __data_loc
#   string) fields through tp_field: every sample as perf script prints it;
#   a sample that is not a tracepoint and an unknown field give -1.
# - flame.so's off-CPU modes on the patched perf decode with tp_field and
#   draw what they draw on Debian's perf (header formats) from the same
#   recording; per-thread off-CPU time within 2% of what offcpu_work
#   measured, as offcpu_threads checks on Debian's perf.
. "$(dirname "$0")/lib.sh"
need_root "system-wide sched tracepoints"

patched_perfs
[ -x "$PROGS/offcpu_work" ] || skip "no $PROGS/offcpu_work (make tests-build)"
gcc -shared -fPIC -O1 -Wall -Werror -I"$FLAME_TOP"/include -o "$T/tpdump.so" \
	"$FLAME_TOP"/tests/data/perf-patches/tpdump.c || die "cannot build tpdump.so"

# 20 execs and 20 sleeps: at least 40 switches of our own even on an idle
# machine (a single 0.3 s sleep gave 50, one short of the bound, in CI);
# perf record has aborted on a loaded machine: retry
for try in 1 2 3; do
	perf record -q -a -e sched:sched_switch -e sched:sched_process_exec -e cpu-clock/freq=99/ \
		-o "$T/t.data" -- sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/true; sleep 0.01; done' 2>"$T/t.rec" &&
		perf evlist -i "$T/t.data" >/dev/null 2>&1 && break
	[ $try = 3 ] && die "perf record failed: $(tail -3 "$T/t.rec")"
done
perf script -i "$T/t.data" -F event,trace >"$T/ref.out" 2>/dev/null || die "perf script -F trace failed"
# perf script's words: event name, then fields; prev_state it prints as letters
sed -E 's/^ *(cpu-clock[^:]*): *$/\1 tp_field=-1/; s/^ *[^ ]+: //; s/ prev_state=[^ ]+//' \
	"$T/ref.out" >"$T/ref.norm"
nsw=$(grep -c 'next_pid=' "$T/ref.norm") nex=$(grep -c '^filename=' "$T/ref.norm")
echo "reference: $(wc -l <"$T/ref.norm") samples, $nsw sched_switch, $nex sched_process_exec"
[ "$nsw" -ge 40 ] && [ "$nex" -ge 20 ] || die "too few tracepoint samples ($nsw switches, $nex execs)"

perf script -i "$T/t.data" --dlfilter "$T/tpdump.so" >"$T/stock.out" 2>/dev/null ||
	die "tpdump.so on Debian's perf failed"
check "Debian's perf: no tp_field, the filter still runs" \
	test "$(grep -c '^(no api)$' "$T/stock.out")" = "$(wc -l <"$T/ref.norm")"

# off-CPU recording: the program with known blocking, short
for try in 1 2 3; do
	"$FLAME" record --off-cpu -e cpu-clock/freq=99/ --no-buildid -o "$T/p.data" -- \
		"$PROGS/offcpu_work" 300 1000 10 >"$T/work.out" 2>"$T/rec.err" && break
	[ $try = 3 ] && die "flame record --off-cpu failed: $(tail -3 "$T/rec.err")"
done
cat "$T/work.out"
modes="offcpu wakeup offwake runq wall"
for m in $modes; do
	perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg mode=$m --dlarg unit=ns \
		--dlarg show-tid=1 --dlarg out="$T/stock.$m.folded" >/dev/null 2>"$T/stock.$m.err" ||
		die "mode=$m on Debian's perf: $(cat "$T/stock.$m.err")"
done
check "Debian's perf: formats from the perf.data header" \
	grep -q 'formats from perf.data header' "$T/stock.offcpu.err"
measured() { awk -v n="$1" '$1 == n {sub("blocked_ns=", "", $4); print $4}' "$T/work.out"; }
tid_of() { awk -v n="$1" '$1 == n {sub("tid=", "", $2); print $2}' "$T/work.out"; }

for PP in "${perfs[@]}"; do
	v=$(patched_version "$PP") || exit 1
	echo "--- $PP: $v"

	"$PP" script -i "$T/t.data" --dlfilter "$T/tpdump.so" >"$T/tp.out" 2>"$T/tp.err" ||
		die "tpdump.so on $PP: $(cat "$T/tp.err")"
	check "$v: no field failed (BAD)" bash -c "! grep -q BAD '$T/tp.out'"
	check "$v: every sample's fields read as perf script prints them ($(wc -l <"$T/tp.out") samples)" \
		cmp "$T/ref.norm" "$T/tp.out"

	for m in $modes; do
		"$PP" script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg mode=$m --dlarg unit=ns \
			--dlarg show-tid=1 --dlarg out="$T/pp.$m.folded" >/dev/null 2>"$T/pp.$m.err" ||
			die "mode=$m on $PP: $(cat "$T/pp.$m.err")"
		check "$v: mode=$m decodes with tp_field" grep -q 'formats from perf, tp_field' "$T/pp.$m.err"
		# the summary's first line, without where formats came from
		check "$v: mode=$m: same summary as on Debian's perf" \
			cmp <(sed -n '1s/formats from [^)]*//p' "$T/stock.$m.err") \
			    <(sed -n '1s/formats from [^)]*//p' "$T/pp.$m.err")
		# per thread totals (frames may be named differently by another
		# perf); wall: its off-CPU part (on-CPU samples are named by perf,
		# 6.12 names some threads differently)
		tot() { awk -v w=$m '(w != "wall" || $0 ~ /\[[A-Z]\] [a-z]+ [0-9]+$/) {
			split($1, f, ";"); s[f[1]] += $NF} END {for (k in s) print k, s[k]}' "$1" | sort; }
		check "$v: mode=$m: same off-CPU time per thread as on Debian's perf" \
			cmp <(tot "$T/stock.$m.folded") <(tot "$T/pp.$m.folded")
	done
	for th in offB offC offD; do
		tid=$(tid_of $th) m=$(measured $th)
		o=$(awk -v t="$tid" '{ split($1, f, ";"); n = split(f[1], p, "/")
			if (p[n] == t) s += $NF } END { printf "%.0f\n", s }' "$T/pp.offcpu.folded")
		err=$(awk -v a="$o" -v b="$m" 'BEGIN {printf "%.3f", b ? 100 * (a - b) / b : 100}')
		check "$v: $th off-CPU ${o} ns within 2% of its own measure (${m} ns, ${err}%)" \
			awk -v e="$err" 'BEGIN {exit !(e > -2 && e < 2)}'
	done
done
echo PASS
