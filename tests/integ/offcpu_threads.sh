#!/bin/bash
# Off-CPU time of threads with known blocking (tests/progs/offcpu_work.c),
# recorded with flame record --off-cpu: per-thread totals against what each
# thread measured itself, the waker of a pipe reader, a spinner's states,
# the off-wake join, and perf sched timehist on the same file.
. "$(dirname "$0")/lib.sh"
need_root "system-wide sched tracepoints"
command -v perf >/dev/null || skip "perf not installed"

# cpu-clock at 499 Hz (for mode=wall) keeps the system-wide file small; no
# build-id pass (perf 6.1's has asserted here while others filled ~/.debug);
# one retry when perf record itself fails
for try in 1 2; do
	"$FLAME" record --off-cpu -e cpu-clock/freq=499/ --no-buildid -o "$T/p.data" -- \
		"$PROGS/offcpu_work" >"$T/work.out" 2>"$T/rec.err" && break
	[ $try = 2 ] && die "flame record --off-cpu failed: $(tail -3 "$T/rec.err")"
	echo "perf record failed, once more: $(grep -m1 -E 'assert|error' "$T/rec.err")"
done
cat "$T/work.out"
check "record warns about the overhead" grep -q 'overhead grows with the switch rate' "$T/rec.err"
perf evlist -i "$T/p.data" >"$T/evlist" 2>/dev/null
for e in sched:sched_switch sched:sched_waking sched:sched_wakeup_new sched:sched_process_exit cpu-clock; do
	check "recording has $e" grep -q "^$e" "$T/evlist"
done

run() {	# run NAME ARGS...: perf script with flame.so, stderr kept in $T/NAME.err
	local n=$1; shift
	perf script -i "$T/p.data" --dlfilter "$FLAME_SO" "$@" >"$T/$n.stdout" 2>"$T/$n.err" ||
		die "perf script $*: $(cat "$T/$n.err")"
}

run off --dlarg mode=offcpu --dlarg unit=ns --dlarg show-tid=1 \
	--dlarg out="$T/off.folded" --dlarg out="$T/off.svg"
head -1 "$T/off.err"
check "formats came from the perf.data header" grep -q 'formats from perf.data header' "$T/off.err"
check "svg parses" xmllint --noout "$T/off.svg"
check "svg counts ns (unit=ns)" grep -q ' ns' "$T/off.svg"
check "svg is titled for off-CPU time" grep -q 'Off-CPU Time Flame Graph' "$T/off.svg"

# per thread: flame.so's off-CPU total against the thread's own measure
tid_of() { awk -v n="$1" '$1 == n {sub("tid=", "", $2); print $2}' "$T/work.out"; }
measured() { awk -v n="$1" '$1 == n {sub("blocked_ns=", "", $4); print $4}' "$T/work.out"; }
offcpu_of() { # FOLDED TID [REGEX]: total of the thread's stacks
	awk -v t="$2" -v re="${3:-}" '{ split($1, f, ";"); n = split(f[1], p, "/")
		if (p[n] == t && (re == "" || $0 ~ re)) s += $NF } END { printf "%.0f\n", s }' "$1"
}
for th in offA offB offC offD; do
	tid=$(tid_of $th) m=$(measured $th)
	o=$(offcpu_of "$T/off.folded" "$tid")
	err=$(awk -v a="$o" -v b="$m" 'BEGIN {printf "%.3f", b ? 100 * (a - b) / b : 100}')
	echo "  $th tid $tid: measured ${m} ns, flame.so ${o} ns, error ${err}%"
	# offA's 2000 short blocks: each switch-in missing from the file (said
	# in the summary, docs/offcpu.md) ends its block late, an upper bound;
	# with some missing, 2% over is allowed on top (seen: +2.7% on a loaded
	# machine); never under
	tol=2 hi=2
	if [ $th = offA ] && grep -q 'switch-ins not in the recording' "$T/off.err"; then hi=4; fi
	check "$th off-CPU within -$tol%..+$hi% of its own measure" \
		awk -v e="$err" -v lo="$tol" -v hi="$hi" 'BEGIN {exit !(e > -lo && e < hi)}'
done
check "offA sleeps under do_nanosleep, state S" \
	grep -qE "^offA-[0-9]+/$(tid_of offA);.*do_nanosleep;.*\[S\] sleep [0-9]+$" "$T/off.folded"
check "offC blocks in pipe_read" grep -qE "^offC-.*pipe_read;.*\[S\] sleep [0-9]+$" "$T/off.folded"

# the spinner: off the CPU only when preempted
etid=$(tid_of offE)
eSD=$(offcpu_of "$T/off.folded" "$etid" '\[[SD]\] [a-z]+ [0-9]+$')
eR=$(offcpu_of "$T/off.folded" "$etid" '\[R\] preempted')
eall=$(offcpu_of "$T/off.folded" "$etid")
echo "  offE: ${eR} ns preempted, ${eSD} ns sleeping or waiting, ${eall} ns in all"
check "offE never sleeps (< 5 ms in S or D)" test "$eSD" -lt 5000000
check "offE is off the CPU when preempted" test "$eR" -gt 0

# who woke the pipe reader: offD's write stack
run wake --dlarg mode=wakeup --dlarg unit=ns --dlarg out="$T/wake.folded" --dlarg out="$T/wake.svg"
cw=$(folded_match "$T/wake.folded" '^offC;')
cd=$(folded_match "$T/wake.folded" '^offC;offD_\[w\];.*thread_d_\[w\];.*write_\[w\];.*pipe_write_\[w\];.*try_to_wake_up_\[w\] ')
echo "  offC woken: ${cw} ns in all, ${cd} ns by offD's write"
check "offC's wakeups come from offD's write() (>= 95%)" \
	awk -v a="$cd" -v b="$cw" 'BEGIN {exit !(b > 0 && a >= 0.95 * b)}'
check "wakeup svg parses" xmllint --noout "$T/wake.svg"

# off-wake: blocked stack, separator, waker stack leaf first
run ow --dlarg mode=offwake --dlarg out="$T/ow.folded"
check "offwake joins pipe_read and offD's write with --" \
	grep -qE '^offC;.*pipe_read;.*;--;try_to_wake_up_\[w\];.*pipe_write_\[w\];.*thread_d_\[w\];.*offD_\[w\] [0-9]+$' "$T/ow.folded"

# perf sched timehist on the same file: wait time per switch-in (it already
# includes sch delay); it drops a thread's last wait before it exits
perf sched timehist -i "$T/p.data" >"$T/th.txt" 2>/dev/null || die "perf sched timehist failed"
th_wait() { awk -v t="$1" '$3 ~ "\\[" t "/" {s += $4} END {printf "%.0f\n", s * 1e6}' "$T/th.txt"; }
for th in offA offB offC offD; do
	tid=$(tid_of $th)
	o=$(offcpu_of "$T/off.folded" "$tid") w=$(th_wait "$tid")
	echo "  $th: flame.so ${o} ns, timehist wait ${w} ns, difference $(( o - w )) ns"
done
# timehist loses a thread's last wait when the thread's final switch-out
# sample carries pid/tid -1 (it is already unhashed): flame.so closes each
# block at the switch-in, from the payload's pids; it never has less
for th in offA offB offC offD; do
	tid=$(tid_of $th)
	o=$(offcpu_of "$T/off.folded" "$tid") w=$(th_wait "$tid")
	check "$th: flame.so has every wait timehist has (>= 98%)" \
		awk -v o="$o" -v w="$w" 'BEGIN {exit !(o >= 0.98 * w)}'
	[ $th = offA ] && continue	# 2000 waits: see the 2% check below
	# with switch-ins missing from the file timehist counts each gap as
	# run time and splits or drops waits anywhere (seen on a loaded CI
	# machine: offD 14.5 ms short, offB's one 2 s wait dropped): only the
	# >= 98% bound above holds then
	if grep -q 'switch-ins not in the recording' "$T/off.err"; then
		echo "  $th: switch-ins missing from the recording: difference not checked for shape"
		continue
	fi
	check "$th: a difference is none or one last wait (< 5 ms or 50 ms..2.5 s)" \
		awk -v o="$o" -v w="$w" 'BEGIN {d = o - w; if (d < 0) d = -d
			exit !(d < 5e6 || (d > 5e7 && d < 2.5e9))}'
done
oa=$(offcpu_of "$T/off.folded" "$(tid_of offA)") wa=$(th_wait "$(tid_of offA)")
# switch-ins missing from the file (a busy machine has more): timehist
# counts that gap as run time with no wait (docs/offcpu.md), so the two agree
# within 2% only when flame.so's summary reports none
if grep -q 'switch-ins not in the recording' "$T/off.err"; then
	echo "  offA: switch-ins missing from the recording ($(grep -o '[0-9]* switch-ins not in the recording' "$T/off.err")): timehist undercounts, compared with >= 98% only"
else
	check "offA: timehist within 2% of flame.so" \
		awk -v o="$oa" -v w="$wa" 'BEGIN {d = (o - w) / o; exit !(d > -0.02 && d < 0.02)}'
fi

# flame report spells it --mode offcpu
(cd "$T" && "$FLAME" report -i p.data --mode offcpu -o rep.folded 2>"$T/rep.err") ||
	die "flame report --mode offcpu: $(cat "$T/rep.err")"
check "flame report --mode offcpu draws offB's sleep" grep -qE '^offB;.*do_nanosleep' "$T/rep.folded"
# its one sleep (run-queue waits after it grow with the machine's load)
tb=$(folded_match "$T/rep.folded" '^offB;.*\[S\] sleep [0-9]+$')
check "unit us by default: offB's sleep about 2 s (${tb} us)" \
	awk -v t="$tb" 'BEGIN {exit !(t > 1990000 && t < 2200000)}'

# wall: on-CPU samples (cpu-clock, ns) and off-CPU time per thread
run wall --dlarg mode=wall --dlarg unit=ns --dlarg out="$T/wall.folded"
eon=$(folded_match "$T/wall.folded" "^offE-[0-9]+/$etid;.*e_spin")
eoff=$(folded_match "$T/wall.folded" "^offE-[0-9]+/$etid;.*\\[R\\] preempted")
ewall=$(folded_match "$T/wall.folded" "^offE-[0-9]+/$etid;")
echo "  offE wall: on-CPU ${eon} ns, preempted ${eoff} ns, all ${ewall} ns"
check "wall: offE is mostly on the CPU in e_spin" awk -v a="$eon" -v b="$ewall" 'BEGIN {exit !(a > 0.3 * b)}'
bwall=$(folded_match "$T/wall.folded" "^offB-[0-9]+/$(tid_of offB);")
check "wall: offB is its 2 s sleep" awk -v a="$bwall" 'BEGIN {exit !(a > 1.99e9 && a < 2.2e9)}'

# recordings that cannot give off-CPU time
# perf 6.1's record has aborted here on a loaded machine, leaving a file
# with no data size (seen 3 times in a row in its build-id pass while
# other builds filled ~/.debug): no build-id pass, and record again until
# perf itself reads the file
rec_ok() {	# rec_ok FILE ARGS...: perf record ARGS into FILE, up to 3 tries
	local f=$1 try; shift
	for try in 1 2 3; do
		perf record -q --no-buildid -o "$f" "$@" 2>/dev/null &&
			perf evlist -i "$f" >/dev/null 2>&1 && return 0
		echo "perf record $* failed (try $try), again"
	done
	die "perf record $* failed 3 times"
}
rec_ok "$T/cpu.data" -e cpu-clock -a -- sleep 0.2
perf script -i "$T/cpu.data" --dlfilter "$FLAME_SO" --dlarg mode=offcpu \
	--dlarg out="$T/x.svg" >/dev/null 2>"$T/nosched.err" && die "mode=offcpu on a file without sched events succeeded"
cat "$T/nosched.err"
check "no sched events: one clear line" grep -q 'has no sched tracepoints' "$T/nosched.err"
check "and no graph" test ! -e "$T/x.svg"
rec_ok "$T/task.data" -e sched:sched_switch -g -- sleep 0.2
perf script -i "$T/task.data" --dlfilter "$FLAME_SO" --dlarg mode=offcpu \
	--dlarg out="$T/y.svg" >/dev/null 2>"$T/task.err" && die "mode=offcpu on a per-task recording succeeded"
cat "$T/task.err"
check "per-task recording refused, naming -a" grep -q 'recorded per task (no -a)' "$T/task.err"
echo PASS
