#!/bin/bash
# flame.so takes samples in filter_event_early() (before perf resolves
# them) unless perf's own options filter after that call. On one real
# system-wide recording (sched events with callchains and cpu-clock):
# - mode=cpu and mode=offcpu write the same bytes early and with
#   FLAME_LATE=1 (samples taken in filter_event, after perf's resolution);
# - perf's --comms, --time and --cpu still apply: the graph holds only what
#   they keep, the same as FLAME_LATE=1 writes.
. "$(dirname "$0")/lib.sh"
need_root "system-wide sched tracepoints"
[ -x "$PROGS/offcpu_work" ] || skip "no $PROGS/offcpu_work (make tests-build)"

for try in 1 2 3; do
	perf record -q --buildid-mmap -a -g -e sched:sched_switch -e sched:sched_waking \
		-e cpu-clock/freq=499/ -o "$T/p.data" -- "$PROGS/offcpu_work" 200 300 3 \
		>"$T/work.out" 2>"$T/rec.err" && perf evlist -i "$T/p.data" >/dev/null 2>&1 && break
	[ $try = 3 ] && die "perf record failed: $(tail -3 "$T/rec.err")"
done

# fl NAME [perf options] -- [dlargs]: flame.so early and late into NAME.{early,late}
fl() {
	local name=$1 popts=() dl=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do popts+=("$1"); shift; done
	shift
	for a in "$@"; do dl+=(--dlarg "$a"); done
	FLAME_DEBUG=1 perf script -i "$T/p.data" "${popts[@]}" --dlfilter "$FLAME_SO" "${dl[@]}" \
		--dlarg out="$T/$name.early.folded" >/dev/null 2>"$T/$name.err" ||
		die "$name: $(cat "$T/$name.err")"
	FLAME_LATE=1 perf script -i "$T/p.data" "${popts[@]}" --dlfilter "$FLAME_SO" "${dl[@]}" \
		--dlarg out="$T/$name.late.folded" >/dev/null 2>"$T/$name.lerr" ||
		die "$name (late): $(cat "$T/$name.lerr")"
	check "$name: early and late write the same graph ($(folded_total "$T/$name.early.folded") in $(wc -l <"$T/$name.early.folded") stacks)" \
		cmp "$T/$name.early.folded" "$T/$name.late.folded"
}

fl cpu -- event=cpu-clock/freq=499/
check "perf script -i --dlfilter --dlarg: samples taken early" grep -q 'samples taken early' "$T/cpu.err"
fl offcpu -- mode=offcpu unit=ns
fl switch -- event=sched:sched_switch
[ "$(folded_total "$T/offcpu.early.folded")" -gt 300000000 ] || die "offcpu graph too small"

# perf's own filters: the graph holds only what they keep
fl comm --comms offA -- event=sched:sched_switch
check "--comms: samples taken late (perf filters after the early call)" grep -q 'samples taken late' "$T/comm.err"
check "--comms offA: every stack is offA's" \
	bash -c "! grep -qv '^offA;' '$T/comm.early.folded'"
check "--comms offA: offA's switches ($(folded_total "$T/comm.early.folded")), as in the whole graph" \
	[ "$(folded_total "$T/comm.early.folded")" = "$(folded_match "$T/switch.early.folded" '^offA;')" -a \
	  "$(folded_total "$T/comm.early.folded")" -gt 100 ]
first=$(perf script -i "$T/p.data" -F time 2>/dev/null | head -1 | tr -d ' :')
last=$(perf script -i "$T/p.data" -F time 2>/dev/null | tail -1 | tr -d ' :')
mid=$(awk -v a="$first" -v b="$last" 'BEGIN {printf "%.6f", (a + b) / 2}')
fl half --time "$first,$mid" -- event=sched:sched_switch
want=$(perf script -i "$T/p.data" --time "$first,$mid" -F event 2>/dev/null | grep -c 'sched:sched_switch')
check "--time (first half): $(folded_total "$T/half.early.folded") switches, perf script counts $want" \
	[ "$(folded_total "$T/half.early.folded")" = "$want" ]
fl cpu0 -C 0 -- event=sched:sched_switch
want=$(perf script -i "$T/p.data" -C 0 -F event 2>/dev/null | grep -c 'sched:sched_switch')
check "-C 0: $(folded_total "$T/cpu0.early.folded") switches, perf script counts $want" \
	[ "$(folded_total "$T/cpu0.early.folded")" = "$want" ]
echo PASS
