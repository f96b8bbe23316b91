#!/bin/bash
# Off-CPU time of a program in a container (unshare -m -p, docker-style
# cgroup): group=container roots its blocked time under the container's
# label, container=ID keeps only it, and run-queue latency has a row for it.
. "$(dirname "$0")/lib.sh"
need_root "containers and system-wide sched tracepoints"
command -v perf >/dev/null || skip "perf not installed"
command -v unshare >/dev/null || skip "unshare(1) not installed"
unshare -m -p -f --mount-proc true 2>/dev/null || skip "unshare -m -p -f --mount-proc does not work here"
. "$(dirname "$0")/container.inc"
cd "$T" || die "cd $T"

cg=$(docker_cgroup) || skip "cannot create a cgroup v2 directory"
id=${cg##*/docker-}; id=${id:0:12}
# a container cannot see a build tree under a private /tmp: run a copy
dir=$(mktemp -d /var/tmp/flame-off.XXXXXX) || die "mktemp in /var/tmp"
cleanup_hooks+=("rm -rf '$dir'")
cp "$PROGS/offcpu_work" "$dir/" || die "cannot copy offcpu_work"

# --buildid-mmap (no copies of binaries): with --no-buildid, perf script
# aborted at util/build-id.c:1010 on this file while another session with
# build ids recorded (see container_hostjava.sh); build ids in every MMAP2
# record make the file immune and skip perf's end-of-run build-id pass
for try in 1 2; do
	timeout 120 "$FLAME" record --off-cpu -e cpu-clock/freq=99/ --no-keep-binaries --buildid-mmap -o perf.data -- \
		sh -c "echo \$\$ > $cg/cgroup.procs && exec unshare -m -p -f --mount-proc sh -c 'mount -t tmpfs ctr-tmp /tmp && exec $dir/offcpu_work 300 1000 10'" \
		>work.out 2>rec.err && break
	[ $try = 2 ] && die "flame record --off-cpu failed: $(tail -3 rec.err)"
done
cat work.out
grep -q '^offB ' work.out || die "offcpu_work printed nothing"

perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg mode=offcpu --dlarg unit=ns \
	--dlarg group=container --dlarg out=group.folded --dlarg out=group.svg \
	>/dev/null 2>group.err || die "group=container: $(cat group.err)"
sed -n '1p; /run-queue/,$p' group.err | head -12
measured() { awk -v n="$1" '$1 == n {sub("blocked_ns=", "", $4); print $4}' work.out; }
for th in offB offC offD; do
	m=$(measured $th) o=$(folded_match group.folded "^docker:$id;$th;")
	err=$(awk -v a="$o" -v b="$m" 'BEGIN {printf "%.3f", b ? 100 * (a - b) / b : 100}')
	echo "  $th in docker:$id: measured $m ns, flame.so $o ns, error $err%"
	check "$th's off-CPU time sits under docker:$id, within 2%" \
		awk -v e="$err" 'BEGIN {exit !(e > -2 && e < 2)}'
done
check "nothing of offcpu_work outside the container root" \
	test "$(folded_match group.folded '^(host|unknown);off[A-E];')" = 0
check "every stack has a container root" test "$(grep -cvE '^(host|unknown|docker:[0-9a-f]{12}|[a-z]+:[^;]+);' group.folded)" = 0
check "svg parses" xmllint --noout group.svg

perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg mode=offcpu --dlarg unit=ns \
	--dlarg "container=docker:$id" --dlarg out=one.folded >/dev/null 2>one.err ||
	die "container=ID: $(cat one.err)"
check "container=ID keeps exactly that container's off-CPU time" \
	test "$(folded_total one.folded)" = "$(folded_match group.folded "^docker:$id;")"
check "run-queue latency has a row for the container" grep -qE "^  \[docker:$id\] +[0-9]+ +p50 " group.err
check "and one for offcpu_work inside it" \
	awk -v id="$id" '/^  \[/ {g = $1} g == "[docker:" id "]" && /^    offcpu_work-[0-9]+ / {f = 1} END {exit !f}' group.err

# a PID namespace with no container runtime's cgroup, gone before perf
# script runs: its run-queue row comes from flame record's snapshot index
for try in 1 2; do
	timeout 120 "$FLAME" record --off-cpu -e cpu-clock/freq=99/ --no-buildid -o ns.data -- \
		unshare -m -p -f --mount-proc sh -c "readlink /proc/self/ns/pid && exec $dir/offcpu_work 100 300 3" \
		>ns.out 2>ns.rec && break
	[ $try = 2 ] && die "flame record --off-cpu (unshare -p) failed: $(tail -3 ns.rec)"
done
ns=$(sed -n 's/^pid:\[\([0-9]*\)\]$/\1/p' ns.out)
[ -n "$ns" ] || die "the namespaced shell printed no PID namespace: $(head -3 ns.out)"
perf script -i ns.data --dlfilter "$FLAME_SO" --dlarg mode=runq --dlarg out=ns.folded \
	>/dev/null 2>ns.err || die "mode=runq (unshare -p): $(cat ns.err)"
sed -n '/run-queue/,$p' ns.err | head -8
# (offcpu_work has exited: unshare -p ended with it; its namespace's
# inode number may already name another namespace, so /proc proves nothing)
check "run-queue latency has a row for pidns:$ns (from the snapshot index)" \
	grep -qE "^  \[pidns:$ns\] +[0-9]+ +p50 " ns.err
check "and offcpu_work inside it" \
	awk -v g="[pidns:$ns]" '/^  \[/ {c = $1} c == g && /^    offcpu_work-[0-9]+ / {f = 1} END {exit !f}' ns.err
echo PASS
