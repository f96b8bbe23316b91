#!/bin/bash
# PID reuse: two containers, one after the other, whose JIT processes get the
# same host PID (set through /proc/sys/kernel/ns_last_pid) and write
# different names. Each incarnation's samples get its own names.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
[ -w /proc/sys/kernel/ns_last_pid ] || skip "/proc/sys/kernel/ns_last_pid not writable"
cd "$T" || die "cd $T"
cat > two.sh <<EOS
run() { unshare -m -p -f --mount-proc sh -c 'mount -t tmpfs ctr-tmp /tmp && exec "\$@"' sh $JITSIM -t 0.8 "\$@" & u=\$!
	for i in 1 2 3 4 5 6 7 8 9 10; do c=\$(pgrep -P \$u) && break; sleep 0.02; done; echo \$c >> pids; wait \$u; }
run incA_one incA_two
p=\$(cat pids)
for off in 3 2 4 3 2 4; do
	echo \$((p - off)) > /proc/sys/kernel/ns_last_pid
	run incB_one incB_two
	[ "\$(tail -n 1 pids)" = "\$p" ] && break
done
true
EOS
timeout 60 "$FLAME" record --interval 0.1 -e cpu-clock -F 999 -g -o perf.data -- bash two.sh \
	> rec.out 2> rec.err || { cat rec.err; die "flame record failed"; }
cat pids
a=$(head -n 1 pids); b=$(tail -n 1 pids)
[ "$a" = "$b" ] || skip "could not make the kernel reuse pid $a (got $(tr '\n' ' ' < pids)): machine too busy"
check "two incarnations of pid $a in the snapshot" \
	test "$(awk -F'\t' -v p="$a" '$1 == "P" && $2 == p && $12 != "-"' perf.data.maps/index | wc -l)" = 2
timeout 60 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=p.folded --dlarg pid=1 \
	2> plugin.err || { cat plugin.err; die "flame.so failed"; }
cat plugin.err
A=$(folded_match p.folded "^jitsim-$a;.*run_jit;incA_"); B=$(folded_match p.folded "^jitsim-$a;.*run_jit;incB_")
read -r k u < <(grep "^jitsim-$a;" p.folded | jit_counts /dev/stdin)
echo "pid $a: $A samples named incA_*, $B named incB_*, $u unnamed"
check "the first incarnation is named" test "$A" -gt 100
check "the second incarnation is named" test "$B" -gt 100
check "no sample is unnamed (>= 99%)" ratio_ok "$k" "$u" 99
# each incarnation ran ~0.8 s: a wrong pick would give one of them everything
check "shares are about equal (each 30..70%)" \
	awk -v a="$A" -v b="$B" 'BEGIN { r = a / (a + b); exit !(r > 0.3 && r < 0.7) }'
echo PASS
