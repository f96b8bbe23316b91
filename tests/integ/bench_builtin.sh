#!/bin/bash
# flame bench with the built-in topology (backend + haproxy sidecar in its
# own network/mount/PID namespaces + wrk), a few seconds end to end:
# graphs exist, the sidecar's on-CPU graph is haproxy's, load figures are
# present, and nothing is left behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench_helpers.bash"
command -v haproxy >/dev/null || skip "haproxy not installed"

out=$T/out
before_tmp=$(ls -d /tmp/flame-bench.* 2>/dev/null | sort)
# the default preset (perf-oncpu, frame pointers) and a DWARF one at once:
# Debian's haproxy has no frame pointers, so only DWARF shows its full stacks
"$FLAME" bench --duration 4 --qps 0 --conn 16 --outdir "$out" \
	--profile perf-oncpu --profile perf-oncpu-dwarf >"$T/stdout" 2>"$T/stderr" ||
	{ cat "$T/stderr"; die "flame bench failed"; }
cat "$T/stdout"
s=$(summary_of "$out")
check "summary JSON written" test -s "$s"
svg=$(json "$s" "j['profiles'][0]['files']['svg']")
folded=$(json "$s" "j['profiles'][0]['files']['folded']")
check "the SVG exists" test -s "$svg"
check "the SVG is XML" xmllint --noout "$svg"
check "the folded file exists" test -s "$folded"
check "the summary names the text summary too" test -s "${s%.json}.txt"
check "graphs are named <date>_builtin-perf-oncpu" bash -c "[[ $(basename "$svg") =~ ^[0-9]{8}-[0-9]{6}_builtin-perf-oncpu\.svg$ ]]"
check "rendered through flame.so" test "$(json "$s" "j['profiles'][0]['kind']")" = "perf.data (flame.so)"

# load figures from wrk
qps=$(json "$s" "j['load']['qps']")
p99=$(json "$s" "j['load']['latency_ms']['p99']")
check "achieved QPS present ($qps)" python3 -c "import sys; sys.exit(not float('$qps') > 100)"
check "p99 latency present ($p99 ms)" python3 -c "import sys; sys.exit(not float('$p99') > 0)"
check "the text summary shows latency percentiles" grep -q "p50 .* p99" "$T/stdout"

# the sidecar's graph: every sample is haproxy's, haproxy's own functions
# are symbolized, nothing of the load generator or the backend
total=$(folded_total "$folded")
hap=$(folded_match "$folded" '^haproxy;')
echo "  samples: $total, under haproxy: $hap"
check "samples were taken (>= 20)" test "$total" -ge 20
check "all samples belong to the sidecar process" test "$hap" -eq "$total"
nm -D --defined-only /usr/sbin/haproxy | awk '$2 ~ /[Tt]/ {print $3}' | sort -u > "$T/hsyms"
tr ';' '\n' < <(sed 's/ [0-9]*$//' "$folded") | sort -u > "$T/frames"
own=$(comm -12 "$T/hsyms" "$T/frames" | wc -l)
echo "  distinct haproxy functions in the graph: $own"
check "haproxy's own functions are in the graph (>= 3)" test "$own" -ge 3
check "no load-generator or backend frames" bash -c "! grep -Eq '(^|;)(wrk|flame-backend|bench__backend_serve|serve_conn)(;| )' '$folded'"

# the proxy's own functions dominate: with full (DWARF) stacks, most samples
# run under haproxy's functions (main, run_poll_loop, ...)
dfolded=$(json "$s" "j['profiles'][1]['files']['folded']")
check "the DWARF profile went through perf script's unwinder" \
	test "$(json "$s" "j['profiles'][1]['kind']")" = "perf.data (DWARF, perf script text)"
dtotal=$(folded_total "$dfolded")
ownw=$(awk -v F="$T/hsyms" 'BEGIN{while((getline l < F)>0) h[l]=1} {w=$NF; sub(/ [0-9]+$/,""); n=split($0,a,";"); for(i=2;i<=n;i++) if(a[i] in h){s+=w; break}} END{print s+0}' "$dfolded")
echo "  DWARF graph: $ownw of $dtotal samples under haproxy's own functions"
check "samples were taken with DWARF stacks (>= 20)" test "$dtotal" -ge 20
check "haproxy's own functions dominate the on-CPU graph (> 80%)" test $((ownw * 100)) -gt $((dtotal * 80))

# nothing left behind
sp=$(json "$s" "j['sidecar_pid']")
check "the sidecar process is gone" test ! -e "/proc/$sp"
check "no haproxy of ours runs" bash -c "! pgrep -f '[h]aproxy -db -f /tmp/flame-bench' >/dev/null"
bp=$(json "$s" "j['backend_pid']")
netns=$(json "$s" "j['pod_netns']")
check "the backend process is gone" bash -c "[ ! -e /proc/$bp ] || grep -q '^State:.*Z' /proc/$bp/status"
left=""
for p in /proc/[0-9]*; do
	[ "$(readlink $p/ns/net 2>/dev/null)" = "$netns" ] && left="$left ${p#/proc/}"
done
check "no process left in the pod's network namespace ($netns)" test -z "$left"
after_tmp=$(ls -d /tmp/flame-bench.* 2>/dev/null | sort)
check "the run directory was removed" test "$before_tmp" = "$after_tmp"
check "no mount of ours remains" bash -c "! grep -q flame-bench /proc/self/mountinfo"
check "no named network namespace was made" bash -c "! ls /run/netns 2>/dev/null | grep -q flame"
echo "PASS"
