#!/bin/bash
# flame report without flame record: a live container (own tmpfs /tmp, a JIT
# with a map, its binary only in that tmpfs) recorded with plain perf record
# -p. flame report's sandbox hides /proc and the container's root, so it
# snapshots the live processes' maps first: the container's JIT frames are
# named as perf script --dlfilter flame.so names them outside the sandbox.
# perf record -N (no build-id cache) leaves the container's binary where
# only its root can reach it: flame report copies it (by build id, through
# /proc/PID/map_files) into perf's build-id cache before the sandbox, so
# the binary's own functions (run_jit, main) are named. HOME is the test's,
# out of /tmp: the cache starts empty and the sandbox's /tmp does not hide it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
cd "$T" || die "cd $T"
tag=live$$_fn
export HOME=$(mktemp -d /var/tmp/flame-home.XXXXXX) || die "mktemp in /var/tmp"
cleanup_hooks+=("rm -rf '$HOME'")
bin=/tmp/jitsim-ctr-$$	# in the container's tmpfs only
bid=$(readelf -n "$JITSIM" | awk '/Build ID/ {print substr($3, 1, 2) "/" substr($3, 3)}')
[ -n "$bid" ] || die "jitsim has no build id"
ctr "cp '$JITSIM' $bin" "$bin" -t 30 "$tag" > ctr.out 2>&1 &
cpid=$!
cleanup_hooks+=("kill $cpid 2>/dev/null; wait $cpid 2>/dev/null")
jpid=
for _ in $(seq 1 100); do
	jpid=$(ps -eo pid=,comm=,args= | awk -v t="$tag" '$2 ~ /^jitsim/ && index($0, t) {print $1; exit}')
	[ -n "$jpid" ] && grep -q "$tag" "/proc/$jpid/root/tmp/perf-1.map" 2>/dev/null && break
	sleep 0.1
done
[ -n "$jpid" ] || die "the container's jitsim did not start"
cleanup_hooks+=("kill -KILL $jpid 2>/dev/null")
check "the binary is not on the host" test ! -e "$bin"
timeout 60 perf record -N -e cpu-clock -F 499 -g -p "$jpid" -o perf.data -- sleep 2 \
	> rec.out 2> rec.err || { cat rec.err; die "perf record failed"; }
check "perf record -N cached nothing" test ! -e "$HOME/.debug/.build-id/$bid"
timeout 60 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=plain.folded 2> plain.err ||
	{ cat plain.err; die "flame.so failed"; }
timeout 60 "$FLAME" report -i perf.data -o report.folded > report.out 2> report.err ||
	{ cat report.err; die "flame report failed"; }
cat report.err
kill -KILL "$jpid" 2>/dev/null  # pid 1 of its namespace: only SIGKILL ends it from here
read -r pk pu < <(jit_counts plain.folded)
read -r rk ru < <(jit_counts report.folded)
echo "JIT samples named: perf script --dlfilter flame.so $pk of $((pk + pu)), flame report $rk of $((rk + ru))"
check "flame.so outside the sandbox names them" ratio_ok "$pk" "$pu" 99
check "flame report names >= 99% of them" ratio_ok "$rk" "$ru" 99
check "the tag is named, under the binary's own run_jit" grep -q "run_jit;$tag" report.folded
check "main of the container's binary is named" grep -q "main;run_jit" report.folded
check "flame report copied the binary to perf's build-id cache" \
	test -f "$HOME/.debug/.build-id/$bid/elf"
grep -q "container binaries: [1-9][0-9]* copied" report.err || die "no line on the copies"
nu=$(awk -v b="[${bin##*/}]" '{for (i = 1; i < NF; i++) if (index($i, b)) {print; break}}' report.folded | wc -l)
check "no frame left as [${bin##*/}] ($nu stacks)" test "$nu" -eq 0
echo PASS
