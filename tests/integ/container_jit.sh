#!/bin/bash
# A JIT in a container writes /tmp/perf-<NSpid>.map in its own mount
# namespace; the container exits before the analysis. Stock perf script names
# none of its JIT frames; flame.so (snapshot from flame record) names >= 99 %,
# plain and through flame report's sandbox; group=container and container=ID
# use the docker-style cgroup the container ran in.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
cd "$T" || die "cd $T"

cg=$(docker_cgroup) || skip "cannot create a cgroup v2 directory"
id=${cg##*/docker-}; id=${id%.scope}
timeout 60 "$FLAME" record --interval 0.1 -e cpu-clock -F 999 -g -o perf.data -- \
	sh -c "echo \$\$ > $cg/cgroup.procs && exec unshare -m -p -f --mount-proc sh -c 'mount -t tmpfs ctr-tmp /tmp && exec $JITSIM -t 1.5 \"JS:*hotA /app/a.js:1\" \"JS:*hotB /app/b.js:2\"'" \
	> rec.out 2> rec.err || { cat rec.err; die "flame record failed"; }
cat rec.err
check "flame record reports its CPU cost" grep -q "own CPU" rec.err
check "jitsim ran as pid 1 of its container" grep -q "jitsim pid=1 " rec.out
check "the snapshot holds the map" grep -qP '^P\t.*\tjitsim$' perf.data.maps/index

# stock perf script: the container is gone, so are the names
perf script -i perf.data -F comm,ip,sym 2>/dev/null > stock.txt
stock_named=$(grep -c 'JS:\*hot' stock.txt)
stock_unknown=$(awk '/^ *jitsim/ {getline; if ($2 == "[unknown]") n++} END {print n+0}' stock.txt)
echo "stock perf script: $stock_named named, $stock_unknown jitsim samples with an [unknown] leaf"
check "stock perf names none of the JIT frames" test "$stock_named" = 0
check "stock perf leaves them [unknown]" test "$stock_unknown" -gt 100

timeout 60 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=plugin.folded \
	--dlarg annotate=jit 2> plugin.err || { cat plugin.err; die "perf script --dlfilter failed"; }
cat plugin.err
read -r named unnamed < <(jit_counts plugin.folded)
echo "flame.so: $named JIT samples named, $unnamed not"
check "flame.so names >= 99% of the JIT samples" ratio_ok "$named" "$unnamed" 99
check "both JIT functions are there, annotated" \
	test "$(grep -c 'run_jit;JS:\*hot[AB] /app/[ab].js:[12]_\[j\]' plugin.folded)" -ge 2
check "the summary names the snapshot source" grep -q "snapshot" plugin.err

# flame report: perf sandboxed, same names
timeout 60 "$FLAME" report -i perf.data -o report.folded --annotate jit 2> report.err ||
	{ cat report.err; die "flame report failed"; }
read -r rnamed runnamed < <(jit_counts report.folded)
echo "flame report: $rnamed named, $runnamed not"
check "flame report names >= 99% too" ratio_ok "$rnamed" "$runnamed" 99
check "flame report's total equals the plugin's" \
	test "$(folded_total report.folded)" = "$(folded_total plugin.folded)"

# containers in the graph
timeout 60 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=group.folded \
	--dlarg group=container 2>/dev/null || die "group=container failed"
check "jitsim stacks sit under docker:${id:0:12}" \
	test "$(folded_match group.folded "^docker:${id:0:12};jitsim;")" -ge "$named"
check "every stack has a container root frame" \
	test "$(grep -cvE '^(host|docker:[0-9a-f]{12});' group.folded)" = 0
timeout 60 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=one.folded \
	--dlarg "container=docker:${id:0:12}" 2>/dev/null || die "container=ID failed"
check "container=ID keeps exactly that container's samples" \
	test "$(folded_total one.folded)" = "$(folded_match group.folded "^docker:${id:0:12};")"
check "container=ID keeps all of it" test "$(folded_match one.folded 'jitsim')" -ge "$named"
echo PASS
