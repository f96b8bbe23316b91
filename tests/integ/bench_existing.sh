#!/bin/bash
# flame bench against an existing sidecar: haproxy started by this test in
# its own mount and PID namespaces (host loopback), found by --sidecar-name,
# profiled by a custom command run through --exec-prefix nsenter (inside
# the sidecar's namespaces, so {sidecar_pid} is its PID there: 1), loaded by
# wrk paced at --qps.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench_helpers.bash"
command -v haproxy >/dev/null || skip "haproxy not installed"

bport=$(free_port); pport=$(free_port)
"$FLAME" bench --serve-backend 127.0.0.1:$bport & backend=$!
sed -e "s/@LISTEN@/127.0.0.1:$pport/" -e "s/@BACKEND@/127.0.0.1:$bport/" -e "s/@THREADS@/1/" \
	"$FLAME_TOP/scripts/bench-topology/haproxy.cfg.in" > "$T/sidecar.cfg"
unshare --mount --pid --fork --mount-proc --kill-child -- \
	haproxy -db -f "$T/sidecar.cfg" >"$T/haproxy.log" 2>&1 & holder=$!
# unshare --fork ignores SIGTERM, haproxy is PID 1 of its namespace: SIGKILL
# haproxy, then unshare reaps it and exits
cleanup_hooks+=("kill $backend 2>/dev/null; pkill -9 -P $holder 2>/dev/null; sleep 0.2; kill -9 $holder 2>/dev/null; wait $backend $holder 2>/dev/null")
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$pport/" -o /dev/null 2>/dev/null && break; sleep 0.1; done
check "the sidecar proxies to the backend" curl -fsS "http://127.0.0.1:$pport/" -o /dev/null
hpid=$(pgrep -f "^haproxy -db -f $T/sidecar.cfg")
[ -n "$hpid" ] || die "no haproxy pid"

# the regex matches haproxy's command line, not unshare's, nor ours
"$FLAME" bench --sidecar-name "^haproxy -db -f $T/sidecar\.cfg" \
	--exec-prefix "nsenter -t {host_pid} -m -p" \
	--custom_profiling_command "perf record -F 499 -g -p {sidecar_pid} -o {output} -- sleep {duration}" \
	--custom_profiling_name oncpu-in-ns \
	--custom-profiling-command "perf record -e sched:sched_switch -g -p {sidecar_pid} -o {output} -- sleep {duration}" \
	--custom-profiling-name offcpu-in-ns \
	--url "http://127.0.0.1:$pport/" --duration 4 --qps 400 --conn 4 \
	--label existing --outdir "$T/out" >"$T/stdout" 2>"$T/stderr" || { cat "$T/stderr"; die "flame bench failed"; }
cat "$T/stderr" "$T/stdout"
s=$(summary_of "$T/out")
check "summary written" test -s "$s"
check "--sidecar-name found haproxy ($hpid)" test "$(json "$s" "j['sidecar_pid']")" = "$hpid"
check "its PID inside its namespace is 1" test "$(json "$s" "j['sidecar_nspid']")" = 1
check "the command ran through the prefix with the namespace PID" \
	grep -q "nsenter -t $hpid -m -p sh -c 'perf record -F 499 -g -p 1 -o /tmp/flame-bench-" "$T/stderr"
check "no file of the run stays in the sidecar's /tmp" bash -c "! ls /tmp/flame-bench-*-oncpu-in-ns.out 2>/dev/null"
for n in 0 1; do
	name=$(json "$s" "j['profiles'][$n]['name']")
	folded=$(json "$s" "j['profiles'][$n]['files']['folded']")
	check "$name: files are named <date>_existing-$name" bash -c "[[ $(basename "$folded") == *_existing-$name.folded ]]"
	check "$name: perf.data fetched and rendered" test "$(json "$s" "j['profiles'][$n]['kind']")" = "perf.data (flame.so)"
	total=$(folded_total "$folded")
	echo "  $name: $total samples"
	check "$name: has samples" test "$total" -gt 5
	check "$name: all of them haproxy's" test "$(folded_match "$folded" '^haproxy;')" = "$total"
	check "$name: SVG written" xmllint --noout "$(json "$s" "j['profiles'][$n]['files']['svg']")"
done
check "off-CPU stacks end in the scheduler" test "$(folded_match "$(json "$s" "j['profiles'][1]['files']['folded']")" '__schedule')" -gt 0

# wrk paced by the Lua delay(): 400 qps over 4 connections
qps=$(json "$s" "j['load']['qps']")
echo "  achieved $qps req/s for --qps 400"
check "achieved QPS capped near the target (100..440; less on a loaded machine)" python3 -c "import sys; q=float('$qps'); sys.exit(not 100 <= q <= 440)"

# --container: the sidecar's cgroup (cgroup2), here one made for the test
cg=""
for root in /sys/fs/cgroup/unified /sys/fs/cgroup; do
	if [ -e "$root/cgroup.procs" ] && grep -q cgroup2 <(stat -f -c %T "$root" 2>/dev/null; mount | grep " $root ") ; then
		cg=$root/flame-bench-test-$$ && break
	fi
done
if [ -n "$cg" ] && mkdir "$cg" 2>/dev/null && echo "$hpid" > "$cg/cgroup.procs"; then
	cleanup_hooks+=("echo $hpid > $(dirname "$cg")/cgroup.procs 2>/dev/null; rmdir $cg 2>/dev/null")
	# no load: the sidecar is idle, its profile may well be empty (--allow-empty)
	"$FLAME" bench --container "flame-bench-test-$$" --no-load --allow-empty --duration 2 --label cg \
		--outdir "$T/cg" >"$T/cg.out" 2>"$T/cg.err" || { cat "$T/cg.err"; die "--container run failed"; }
	s=$(summary_of "$T/cg")
	check "--container found the process of that cgroup" test "$(json "$s" "j['sidecar_pid']")" = "$hpid"
	check "--container: profiled it (samples, or empty and said so)" \
		test "$(json "$s" "j['profiles'][0]['empty'] or j['profiles'][0]['error'] is None")" = True
else
	echo "NOTE: no writable cgroup2 hierarchy: --container not exercised"
fi

# errors: a regex that matches nothing, an unknown preset
! "$FLAME" bench --sidecar-name '^no-such-process-xyz$' --no-load --duration 1 --outdir "$T/x" 2>"$T/e1" || die "accepted"
check "no match: one error line" grep -qx "flame: bench: no process matches --sidecar-name ^no-such-process-xyz\\$" "$T/e1"
! "$FLAME" bench --sidecar-pid $hpid --profile nope --outdir "$T/x" 2>"$T/e2" || die "accepted"
check "unknown preset: one error line" grep -q "^flame: bench: unknown --profile 'nope'" "$T/e2"
echo PASS
