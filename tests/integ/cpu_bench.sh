#!/bin/bash
# flame bench with its sidecar (haproxy) in a container cgroup made here
# with a CPU quota of 2 ms per 100 ms: the summary, text and JSON, says it
# was throttled, with cpu.stat's figures, and the verdict "capped by quota".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench_helpers.bash"
. "$(dirname "$0")/cgcpu.inc"
command -v haproxy >/dev/null || skip "haproxy not installed"

json_ok() { json "$@" >/dev/null; }
ID=$(new_id)
LABEL=container:${ID:0:12}
cg_make "$ID"
cg_quota "$ID" 2000 100000

bport=$(free_port); pport=$(free_port)
"$FLAME" bench --serve-backend 127.0.0.1:$bport & backend=$!
sed -e "s/@LISTEN@/127.0.0.1:$pport/" -e "s/@BACKEND@/127.0.0.1:$bport/" -e "s/@THREADS@/1/" \
	"$FLAME_TOP/scripts/bench-topology/haproxy.cfg.in" > "$T/sidecar.cfg"
( cg_move "$ID" "$BASHPID"; exec haproxy -db -f "$T/sidecar.cfg" >"$T/haproxy.log" 2>&1 ) & hpid=$!
cg_pids+=("$hpid" "$backend")
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$pport/" -o /dev/null 2>/dev/null && break; sleep 0.1; done
check "the sidecar proxies to the backend" curl -fsS "http://127.0.0.1:$pport/" -o /dev/null
check "the sidecar runs in the container cgroup" grep -q "$CG_TOP/$ID" /proc/$hpid/cgroup

p0=$(cg_stat "$ID" nr_periods)
"$FLAME" bench --sidecar-pid "$hpid" --url "http://127.0.0.1:$pport/" --duration 3 \
	--qps 2000 --conn 8 --keep-raw --label quota --outdir "$T/out" >"$T/stdout" 2>"$T/stderr" ||
	{ cat "$T/stderr"; die "flame bench failed"; }
p1=$(cg_stat "$ID" nr_periods) t1=$(cg_stat "$ID" nr_throttled)
cat "$T/stdout"
s=$(summary_of "$T/out")
check "summary written" test -s "$s"
echo "cpu.stat read by the test: nr_periods $p0 -> $p1, nr_throttled $t1"
check "JSON: the sidecar's container" test "$(json "$s" "j['sidecars'][0]['cgroup_cpu']['container']")" = "$LABEL"
check "JSON: the v1 or v2 controller named" json_ok "$s" "j['sidecars'][0]['cgroup_cpu']['controller'] in ('v1', 'v2') or exit(1)"
periods=$(json "$s" "j['sidecars'][0]['cgroup_cpu']['periods']")
throttled=$(json "$s" "j['sidecars'][0]['cgroup_cpu']['throttled_periods']")
echo "summary: throttled $throttled of $periods periods"
check "JSON: periods within what cpu.stat counted over the run" test "$periods" -le $((p1 - p0)) -a "$periods" -ge 10
check "JSON: throttled in some periods ($throttled)" test "$throttled" -ge 1
check "JSON: quota 0.02 CPU" json_ok "$s" "abs(j['sidecars'][0]['cgroup_cpu']['quota_cpus'] - 0.02) < 1e-9 or exit(1)"
check "JSON: verdict capped by quota" test "$(json "$s" "j['sidecars'][0]['cgroup_cpu']['verdict']")" = capped_by_quota
check "JSON: avg throttle length = throttled time / throttled periods" \
	json_ok "$s" "abs(j['sidecars'][0]['cgroup_cpu']['avg_throttle_ms'] - 1000 * j['sidecars'][0]['cgroup_cpu']['throttled_s'] / j['sidecars'][0]['cgroup_cpu']['throttled_periods']) < 0.01 * j['sidecars'][0]['cgroup_cpu']['avg_throttle_ms'] + 0.01 or exit(1)"
check "text: the sidecar's CPU line" grep -q "^    cpu $LABEL .*quota 0.020 CPU (2000/100000 us).*throttled $throttled of $periods periods" "$T/stdout"
check "text: the verdict" grep -q "^    verdict $LABEL: capped by quota: throttled in $throttled of $periods periods" "$T/stdout"
check "the series is kept with the raw outputs" bash -c "ls /tmp/flame-bench.*/cpu.tsv | xargs grep -l '$LABEL' >/dev/null"
rm -rf $(grep -l "$LABEL" /tmp/flame-bench.*/cpu.tsv | xargs -r -n1 dirname)
exit 0
