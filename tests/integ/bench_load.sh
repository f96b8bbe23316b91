#!/bin/bash
# flame bench's load tools: wrk (bench_builtin.sh), hey and ab recognised by
# their reports and parsed into the same JSON fields, each figure checked
# against the tool's own report (kept beside the summary); a load command
# whose report is none of these is run and marked "not parsed"; a run
# without load says so (no qps/conn) and --require-load refuses it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench_helpers.bash"
command -v haproxy >/dev/null || skip "haproxy not installed"
command -v hey >/dev/null || skip "hey not installed"
command -v ab >/dev/null || skip "ab (apache2-utils) not installed"
set -o pipefail

run() {	# NAME ARGS...: a built-in topology run into $T/NAME
	local n=$1; shift
	# the profile is not what this test is about: a folded line, no perf
	"$FLAME" bench --builtin --duration 3 --grace 40 --conn 4 --outdir "$T/$n" \
		--custom-profiling-command "echo 'haproxy;x 1'" --custom-profiling-name marker "$@" \
		>"$T/$n.out" 2>"$T/$n.err" || { cat "$T/$n.err"; die "$n: flame bench failed"; }
	summary_of "$T/$n"
}
# same number (a float) within 0.01% or 0.001
same() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(a != "" && b != "" && d <= (m * 1e-4 > 1e-3 ? m * 1e-4 : 1e-3)) }'; }
# the summary's figures as shell variables (one python run: it is slow on a
# loaded machine): L_tool L_ran L_parsed L_report L_requests L_qps ...
load_vars() {
	eval "$(python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
l = j['load']
v = {k: l.get(k) for k in ('tool', 'ran', 'parsed', 'report', 'requests', 'qps', 'seconds', 'errors', 'why')}
v['has_qps'] = 'qps' in l
for k, x in (l.get('latency_ms') or {}).items():
    v[k] = x
v['qps_target'], v['conn'] = j['qps_target'], j['conn']
for k, x in v.items():
    print("L_%s='%s'" % (k, str(x).replace("'", "")))
PY
)"
}

# hey, paced (-q per worker), through --load-tool
s=$(run hey --load-tool hey --qps 400)
load_vars "$s"; r=$L_report
cat "$T/hey.out"
check "hey: recognised" test "$L_tool" = hey
check "hey: its report is kept beside the summary" test -s "$r"
check "hey: the command line paced each of 4 workers at 100/s" grep -q "load: hey -z 3s -c 4 -q 100.000 " "$T/hey.err"
resp=$(awk '/^Status code distribution:/{f=1;next} f && /^ *\[[0-9]+\]/{gsub(/[][]/,"",$1); s+=$2} /^Error distribution:/{f=0} END{print s+0}' "$r")
check "hey: requests = the responses in its status code table ($resp)" test "$L_requests" = "$resp"
check "hey: requests > 500" test "$resp" -gt 500
check "hey: achieved rate = its Requests/sec" same "$L_qps" "$(awk '/Requests\/sec:/{print $2}' "$r")"
check "hey: seconds = its Total" same "$L_seconds" "$(awk '/Total:/{print $2; exit}' "$r")"
for p in 50 75 90 99; do
	want=$(awk -v p="$p%" '$1 == p && $2 == "in" {print $3 * 1000}' "$r")
	check "hey: p$p = its $p% line ($want ms)" same "$(eval echo \$L_p$p)" "$want"
done
check "hey: max = its Slowest" same "$L_max" "$(awk '/Slowest:/{print $2 * 1000}' "$r")"
check "hey: avg = its Average" same "$L_avg" "$(awk '/Average:/{print $2 * 1000}' "$r")"
check "hey: no errors" test "$L_errors" = 0
check "hey: the text summary names the tool" grep -q "^  load (hey): .* req/s achieved" "$T/hey.out"

# ab, recognised from a --load-command's output
s=$(run ab --load-command "ab -k -t {duration} -n 100000000 -c {conn} {url}")
load_vars "$s"; r=$L_report
cat "$T/ab.out"
check "ab: recognised from the command's output" test "$L_tool" = ab
check "ab: requests = its Complete requests" test "$L_requests" = "$(awk '/^Complete requests:/{print $3}' "$r")"
check "ab: achieved rate = its Requests per second" same "$L_qps" "$(awk '/^Requests per second:/{print $4}' "$r")"
check "ab: seconds = its Time taken" same "$L_seconds" "$(awk '/^Time taken for tests:/{print $5}' "$r")"
check "ab: avg = its Time per request (mean)" same "$L_avg" "$(awk '/^Time per request:/ && !/across/{print $4; exit}' "$r")"
for p in 50 75 90 99; do
	check "ab: p$p = its $p% line" same "$(eval echo \$L_p$p)" "$(awk -v p="$p%" '$1 == p {print $2}' "$r")"
done
check "ab: max = its 100% line" same "$L_max" "$(awk '$1 == "100%" {print $2}' "$r")"
check "ab: errors = Failed requests" test "$L_errors" = "$(awk '/^Failed requests:/{print $3}' "$r")"
check "ab: requests > 500" test "$L_requests" -gt 500

# a load command whose report is none of these: run, marked not parsed
s=$(run other --load-command "for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code}\n' {url}; sleep 0.5; done")
load_vars "$s"
cat "$T/other.out"
check "other: ran" test "$L_ran" = True
check "other: not parsed (JSON)" test "$L_parsed" = False
check "other: no figures in the JSON" test "$L_has_qps" = False
check "other: its output is kept" grep -qx 200 "$L_report"
check "other: the text says not parsed" grep -q "^  load: --load-command ran (exit 0); figures not parsed" "$T/other.out"

# no load: said in the header and the summary, no qps/conn
s=$(run none --no-load)
load_vars "$s"
cat "$T/none.out"
check "no load: the header says so" grep -q "^flame bench .*: label builtin, duration 3s, no load$" "$T/none.out"
check "no load: no qps or conn in the text" bash -c "! grep -Eq 'qps|conn' '$T/none.out'"
check "no load: the load line says why" grep -qx "  load: none (--no-load)" "$T/none.out"
check "no load: JSON qps_target/conn null" test "$L_qps_target $L_conn" = "None None"
check "no load: JSON load.ran false" test "$L_ran" = False

# --require-load: refused up front when nothing would load
"$FLAME" bench --builtin --no-load --require-load --outdir "$T/x" 2>"$T/rl1" && rc1=0 || rc1=$?
"$FLAME" bench --sidecar-pid $$ --require-load --duration 1 --outdir "$T/x" 2>"$T/rl2" && rc2=0 || rc2=$?
check "--require-load --no-load: exit 1" test $rc1 = 1
check "--require-load --no-load: one line" grep -qx "flame: bench: --require-load and --no-load contradict each other" "$T/rl1"
check "--require-load without a load for an existing sidecar: exit 1" test $rc2 = 1
check "--require-load without a load: the message" grep -qx "flame: bench: --require-load: no load would run (no --url or --load-command for an existing sidecar)" "$T/rl2"
check "nothing was written" test ! -e "$T/x"
echo PASS
