#!/bin/bash
# flame bench with the built-in topology (wrk -> client haproxy sidecar in
# the client pod -> server haproxy sidecar in the server pod -> backend; each
# pod its own network namespace, each sidecar its own mount and PID
# namespaces), a few seconds end to end: both sidecars profiled in one run,
# graphs named by role, each sidecar's on-CPU graph is haproxy's, load
# figures are present, and nothing is left behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench_helpers.bash"
command -v haproxy >/dev/null || skip "haproxy not installed"

out=$T/out
# the default preset (perf-oncpu, frame pointers) and a DWARF one at once,
# from both sidecars: Debian's haproxy has no frame pointers, so only DWARF
# shows its full stacks
# The presets' commands with a fixed period of CPU time (-e cpu-clock -c,
# one sample per 0.5 ms the sidecar runs) instead of -F 99: on a machine
# busy with other work the sidecars get little CPU, and frequency mode then
# takes a handful of samples.
"$FLAME" bench --duration 4 --grace 40 --qps 0 --conn 16 --outdir "$out" \
	--custom-profiling-command "perf record -e cpu-clock -c 500000 -g -p {sidecar_pid} -o {output} -- sleep {duration}" \
	--custom-profiling-name perf-oncpu \
	--custom-profiling-command "perf record -e cpu-clock -c 500000 --call-graph dwarf,16384 -p {sidecar_pid} -o {output} -- sleep {duration}" \
	--custom-profiling-name perf-oncpu-dwarf >"$T/stdout" 2>"$T/stderr" ||
	{ cat "$T/stderr"; die "flame bench failed"; }
cat "$T/stdout"
s=$(summary_of "$out")
check "summary JSON written" test -s "$s"
check "the summary names the text summary too" test -s "${s%.json}.txt"
# one python run (slow on a loaded machine): the figures as shell variables
eval "$(python3 - "$s" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print("qps=%s p99=%s netns='%s' cnetns='%s' bp=%d" % (j['load']['qps'], j['load']['latency_ms']['p99'],
      j['pod_netns'], j['client_pod_netns'], j['backend_pid']))
print("roles='%s'" % ' '.join(sc['role'] for sc in j['sidecars']))
for sc in j['sidecars']:
    r = sc['role']
    print("pid_%s=%d cpu_%s=%s" % (r, sc['pid'], r, sc['cpu']['seconds']))
    for i in sc['profiles']:
        p = j['profiles'][i]
        k = p['name'].replace('-', '_')
        print("%s_%s_svg='%s' %s_%s_folded='%s' %s_%s_kind='%s' %s_%s_total=%d" % (
            r, k, p['files']['svg'], r, k, p['files']['folded'], r, k, p['kind'], r, k, p['total']))
PY
)"
check "two sidecars, client and server" test "$roles" = "client server"
check "they are two processes" test "$pid_client" != "$pid_server"
check "the client pod's network namespace is reported" bash -c "[[ '$cnetns' == net:\\[* ]]"
check "the pods differ" test "$netns" != "$cnetns"
check "the text summary has a section per sidecar" test "$(grep -Ec '^  sidecar (client|server): pid [0-9]+ ' "$T/stdout")" = 2

# load figures from wrk (through both sidecars)
check "achieved QPS present ($qps)" awk -v q="$qps" 'BEGIN { exit !(q > 100) }'
check "p99 latency present ($p99 ms)" awk -v q="$p99" 'BEGIN { exit !(q > 0) }'
check "the text summary shows latency percentiles" grep -q "p50 .* p99" "$T/stdout"

nm -D --defined-only /usr/sbin/haproxy | awk '$2 ~ /[Tt]/ {print $3}' | sort -u > "$T/hsyms"
for r in client server; do
	eval "svg=\$${r}_perf_oncpu_svg folded=\$${r}_perf_oncpu_folded kind=\$${r}_perf_oncpu_kind"
	eval "dfolded=\$${r}_perf_oncpu_dwarf_folded dkind=\$${r}_perf_oncpu_dwarf_kind"
	check "$r: the SVG exists" test -s "$svg"
	check "$r: the SVG is XML" xmllint --noout "$svg"
	check "$r: the folded file exists" test -s "$folded"
	check "$r: graphs are named <date>_builtin-$r-perf-oncpu" bash -c "[[ $(basename "$svg") =~ ^[0-9]{8}-[0-9]{6}_builtin-$r-perf-oncpu\.svg$ ]]"
	check "$r: rendered through flame.so" test "$kind" = "perf.data (flame.so)"
	# the sidecar's graph: every sample is haproxy's, haproxy's own
	# functions are symbolized, nothing of the load generator or the backend
	total=$(folded_total "$folded")
	hap=$(folded_match "$folded" '^haproxy;')
	echo "  $r: samples: $total, under haproxy: $hap"
	# few when other work starves the sidecars of CPU (see the cpu: lines)
	check "$r: samples were taken (>= 3)" test "$total" -ge 3
	check "$r: all samples belong to the sidecar process" test "$hap" -eq "$total"
	check "$r: no load-generator or backend frames" bash -c "! grep -Eq '(^|;)(wrk|flame-backend|bench__backend_serve|serve_conn)(;| )' '$folded'"
	# the proxy's own functions dominate: with full (DWARF) stacks, most
	# samples run under haproxy's functions (main, run_poll_loop, ...)
	check "$r: the DWARF profile went through perf script's unwinder" \
		test "$dkind" = "perf.data (DWARF, perf script text)"
	check "$r: DWARF graph named by role" bash -c "[[ $(basename "$dfolded") == *_builtin-$r-perf-oncpu-dwarf.folded ]]"
	dtotal=$(folded_total "$dfolded")
	ownw=$(awk -v F="$T/hsyms" 'BEGIN{while((getline l < F)>0) h[l]=1} {w=$NF; sub(/ [0-9]+$/,""); n=split($0,a,";"); for(i=2;i<=n;i++) if(a[i] in h){s+=w; break}} END{print s+0}' "$dfolded")
	tr ';' '\n' < <(sed 's/ [0-9]*$//' "$dfolded") | sort -u > "$T/frames"
	own=$(comm -12 "$T/hsyms" "$T/frames" | wc -l)
	echo "  $r: distinct haproxy functions in the DWARF graph: $own"
	check "$r: haproxy's own functions are named in the DWARF graph (>= 3)" test "$own" -ge 3
	echo "  $r: DWARF graph: $ownw of $dtotal samples under haproxy's own functions"
	check "$r: samples were taken with DWARF stacks (>= 3)" test "$dtotal" -ge 3
	check "$r: haproxy's own functions dominate the on-CPU graph (> 80%)" test $((ownw * 100)) -gt $((dtotal * 80))
done

# nothing left behind
for sp in $pid_client $pid_server; do
	check "sidecar $sp is gone" test ! -e "/proc/$sp"
done
check "no haproxy of ours runs" bash -c "! pgrep -f '[h]aproxy -db -f /tmp/flame-bench' >/dev/null"
check "the backend process is gone" bash -c "[ ! -e /proc/$bp ] || grep -q '^State:.*Z' /proc/$bp/status"
left=$(find /proc/[0-9]*/ns -maxdepth 1 -name net -printf '%h %l\n' 2>/dev/null |
	grep -F -e " $netns" -e " $cnetns" | sed 's#^/proc/\([0-9]*\)/ns .*#\1#' | tr '\n' ' ')
check "no process left in the pods' network namespaces ($netns $cnetns)" test -z "$left"
rundir=$(sed -n 's/.* -o \(\/tmp\/flame-bench\.[A-Za-z0-9]*\)\/.*/\1/p' "$T/stderr" | head -n 1)
check "the run directory was removed ($rundir)" test -n "$rundir" -a ! -e "$rundir"
check "no mount of ours remains" bash -c "! grep -q flame-bench /proc/self/mountinfo"
check "no named network namespace was made" bash -c "! ls /run/netns 2>/dev/null | grep -q flame"
echo "PASS"
