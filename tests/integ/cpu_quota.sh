#!/bin/bash
# Is it the quota? A container cgroup made here, in every hierarchy, runs a
# spinner: (1) under a quota of 5 ms per 100 ms: throttled in most periods,
# verdict "capped by quota", figures as cpu.stat shows them within one poll;
# (2) without a quota: "not throttled", and the host figure agrees with
# /proc/stat; (3) without a quota beside two spinners per CPU of ours, each
# in a neighbour cgroup: host saturated. Through the real path: flame record, then flame report.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgcpu.inc"
command -v perf >/dev/null || skip "perf not installed"

ID=$(new_id)
LABEL=container:${ID:0:12}
cg_make "$ID"
ncpu=$(nproc)
INTERVAL=0.5

# record NAME: flame record of the spinner for 3 s, then flame report
record() {
	"$FLAME" record --interval $INTERVAL -q -F 29 -g -p "$SPIN" -o "$T/$1.data" \
		-- sleep 3 >"$T/$1.rec.out" 2>"$T/$1.rec.err" ||
		die "flame record failed: $(tail -5 "$T/$1.rec.err")"
}
report() {
	"$FLAME" report -i "$T/$1.data" -o "$T/$1.svg" --container "${ID:0:12}" \
		>"$T/$1.rep.out" 2>"$T/$1.rep.err" ||
		die "flame report failed: $(tail -5 "$T/$1.rep.err")"
	sed -n '/^cpu /,$p' "$T/$1.rep.err"
}

# ---- 1. capped by its quota --------------------------------------------------
echo "== spinner under cpu quota 5000/100000 us"
cg_quota "$ID" 5000 100000
spin "$ID"
p0=$(cg_stat "$ID" nr_periods)
record capped
p1=$(cg_stat "$ID" nr_periods) t1=$(cg_stat "$ID" nr_throttled)
unspin "$SPIN"
tsv=$T/capped.data.maps/cpu.tsv
check "cpu.tsv is written, versioned" test "$(head -1 "$tsv")" = "# flame-cpu 1"
nsamp=$(grep -c "^G	[0-9]*	$LABEL	" "$tsv")
check "the container is sampled at every poll ($nsamp samples in 3 s)" test "$nsamp" -ge 5
lp=$(last_g "$tsv" "$LABEL" 6) lt=$(last_g "$tsv" "$LABEL" 7)
fp=$(first_g "$tsv" "$LABEL" 6) ft=$(first_g "$tsv" "$LABEL" 7)
echo "cpu.stat by the test: nr_periods $p0 -> $p1, nr_throttled now $t1; series: $fp/$ft -> $lp/$lt"
# one poll of 0.5 s spans at most ~5 periods of 100 ms; 3 more for scheduling
check "last sample's nr_periods ($lp) within one poll of cpu.stat's ($p1)" \
	awk -v a="$lp" -v b="$p1" 'BEGIN {exit !(b >= a && b - a <= 8)}'
check "last sample's nr_throttled ($lt) within one poll of cpu.stat's ($t1)" \
	awk -v a="$lt" -v b="$t1" 'BEGIN {exit !(b >= a && b - a <= 8)}'
check "first sample no earlier than the test's read" test "$fp" -ge "$p0"
report capped
periods=$((lp - fp)) throttled=$((lt - ft))
grep -q "^cpu $LABEL .*quota 0.050 CPU (5000/100000 us)" "$T/capped.rep.err" ||
	die "no summary line with the quota"
check "summary names periods throttled/total from the series ($throttled of $periods)" \
	grep -q "^cpu $LABEL .*throttled $throttled of $periods periods" "$T/capped.rep.err"
check "throttled in most periods" test $((throttled * 2)) -gt "$periods"
check "verdict: capped by quota, naming its figures" \
	grep -q "verdict $LABEL: capped by quota: throttled in $throttled of $periods periods" "$T/capped.rep.err"
check "the graph's subtitle carries the one-line CPU summary" \
	grep -q "CPU $LABEL: capped by quota; used 0.0[0-9]* CPU of a 0.050 quota; throttled $throttled/$periods periods" "$T/capped.svg"
check "no warnings" test -z "$(grep -i 'warn\|cannot' "$T/capped.rec.err" "$T/capped.rep.err")"
check "no run-queue latency without sched events (no --off-cpu)" \
	test -z "$(grep 'run-queue latency' "$T/capped.rep.err")"

# ---- 2. same spinner, no quota ---------------------------------------------------
echo "== spinner without a quota"
cg_quota "$ID" -1 100000
spin "$ID"
read -r i0 tot0 < <(host_ticks)
record free
read -r i1 tot1 < <(host_ticks)
unspin "$SPIN"
report free
idle_test=$(awk -v a="$((i1 - i0))" -v b="$((tot1 - tot0))" 'BEGIN {printf "%d", 100 * a / b}')
line=$(grep "^cpu $LABEL " "$T/free.rep.err")
idle_flame=$(sed -n 's/.*host idle \([0-9]*\)%.*/\1/p' <<<"$line")
used=$(sed -n 's/.*used \([0-9.]*\) CPU over.*/\1/p' <<<"$line")
echo "host idle: flame $idle_flame%, /proc/stat read by the test $idle_test%; spinner used $used CPU"
check "no quota reported" grep -q "^cpu $LABEL .*; no quota; throttled 0 of 0 periods" "$T/free.rep.err"
check "the spinner ran, at most one CPU ($used)" awk -v u="$used" 'BEGIN {exit !(u > 0.02 && u < 1.05)}'
check "host idle agrees with /proc/stat (within 20 points)" \
	awk -v a="$idle_flame" -v b="$idle_test" 'BEGIN {d = a - b; exit !(d < 20 && d > -20)}'
check "verdict: not throttled" grep -q "verdict $LABEL: not throttled (no quota)" "$T/free.rep.err"
# the machine is shared: the host may be busy with other work; the verdict
# must follow the host idle figure it names
if [ "$idle_flame" -ge 10 ]; then
	check "idle host: not a CPU cap" grep -q "verdict $LABEL: not throttled (no quota), host idle $idle_flame%: not a CPU cap" "$T/free.rep.err"
else	# busy with other work: saturated only if the container waited (PSI)
	fpsi=$(sed -n 's/.*PSI some \([0-9.]*\)%.*/\1/p' <<<"$line")
	if [ -n "$fpsi" ] && awk -v p="$fpsi" 'BEGIN {exit !(p < 5)}'; then
		check "busy host (other work), PSI some $fpsi%: busy but did not wait" \
			grep -q "verdict $LABEL: not throttled (no quota), host idle $idle_flame% but its tasks did not wait for a CPU (PSI some" "$T/free.rep.err"
	else
		check "busy host (other work): host saturated" grep -q "verdict $LABEL: not throttled (no quota); host saturated by neighbours: host idle $idle_flame%" "$T/free.rep.err"
	fi
fi

# ---- 3. neighbours saturate the host ------------------------------------------------
echo "== spinner without a quota, two spinners per CPU beside it"
# each neighbour in a cgroup of its own, as neighbour containers are: CFS
# shares CPU time between sibling cgroups, so four spinners in one shared
# cgroup would only take the other half and the container would not wait
# (seen: PSI some 3.5%, 0.96 CPU used); with 2 * ncpu neighbour cgroups it
# gets 1 / (2 * ncpu + 1) of each CPU's turn and waits
for ((i = 0; i < 2 * ncpu; i++)); do cg_make "neighbour$i"; spin "neighbour$i"; done
sleep 1
spin "$ID"
record busy
unspin "$SPIN"
report busy
line=$(grep "^cpu $LABEL " "$T/busy.rep.err")
idle=$(sed -n 's/.*host idle \([0-9]*\)%.*/\1/p' <<<"$line")
psi=$(sed -n 's/.*PSI some \([0-9.]*\)%.*/\1/p' <<<"$line")
echo "host idle $idle%, PSI some $psi%"
check "host idle below 10% with $((2 * ncpu)) spinners on $ncpu CPUs" test "$idle" -lt 10
check "verdict: host saturated by neighbours, naming host idle" \
	grep -q "verdict $LABEL: not throttled (no quota); host saturated by neighbours: host idle $idle% over" "$T/busy.rep.err"
if [ -n "$psi" ]; then
	check "its tasks waited for a CPU (PSI some $psi%)" awk -v p="$psi" 'BEGIN {exit !(p > 5)}'
fi
exit 0
