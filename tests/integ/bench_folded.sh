#!/bin/bash
# flame bench recognises what a profiling command printed: folded stacks
# (bcc tools with -f) and perf script text, each rendered to graphs, here
# on the built-in topology. bcc needs kernel headers to compile its
# programs; when it cannot run, tests/bench/procstack-folded.sh (kernel
# stacks sampled from /proc/PID/task/*/stack, printed as folded stacks)
# stands in for it, and the log says so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench_helpers.bash"
command -v haproxy >/dev/null || skip "haproxy not installed"

if command -v offcputime-bpfcc >/dev/null && offcputime-bpfcc -df 1 >/dev/null 2>&1; then
	folded_cmd="offcputime-bpfcc -df -p {sidecar_pid} {duration}"
	echo "using bcc: $folded_cmd"
else
	folded_cmd="bash $FLAME_TOP/tests/bench/procstack-folded.sh {sidecar_pid} {duration}"
	echo "NOTE: bcc tools are absent or cannot run here (no kernel headers);"
	echo "NOTE: a stand-in script prints folded stacks instead: $folded_cmd"
fi
"$FLAME" bench --topology server --duration 3 --grace 40 --qps 0 --conn 8 --outdir "$T/out" --label folded \
	--custom_profiling_command "$folded_cmd" --custom_profiling_name offcpu-folded \
	--custom_profiling_command "perf record -q -F 499 -g -p {sidecar_pid} -o {output}.data -- sleep {duration} && perf script -i {output}.data" \
	--custom_profiling_name oncpu-text \
	>"$T/stdout" 2>"$T/stderr" || { cat "$T/stderr"; die "flame bench failed"; }
cat "$T/stdout"
s=$(summary_of "$T/out")
check "summary written" test -s "$s"
check "the folded output is recognised" test "$(json "$s" "j['profiles'][0]['kind']")" = "folded stacks"
folded=$(json "$s" "j['profiles'][0]['files']['folded']")
total=$(folded_total "$folded")
echo "  folded profile: $total samples"
check "folded: stacks were read (the stand-in polls slowly on a loaded machine)" test "$total" -ge 3
check "folded: the graph is haproxy's" test "$(folded_match "$folded" '^haproxy;')" = "$total"
check "folded: the sidecar waits in epoll" test "$(folded_match "$folded" 'epoll')" -gt 0
check "folded: SVG written" xmllint --noout "$(json "$s" "j['profiles'][0]['files']['svg']")"
check "folded: the summary has top frames" test "$(json "$s" "len(j['profiles'][0]['top'])")" -gt 0

check "perf script text is recognised" test "$(json "$s" "j['profiles'][1]['kind']")" = "perf script text"
tfolded=$(json "$s" "j['profiles'][1]['files']['folded']")
ttotal=$(folded_total "$tfolded")
echo "  perf script text profile: $ttotal samples"
check "text: samples were collapsed" test "$ttotal" -gt 5
# roots other than haproxy (seen once in CI's rehearsal, never reproduced):
# shown so the next failure says what they were; 90% must be haproxy's
echo "  text roots:"; cut -d';' -f1 "$tfolded" | sort | uniq -c | sed 's/^/    /'
hm=$(folded_match "$tfolded" '^haproxy;')
check "text: the graph is haproxy's ($hm of $ttotal)" test $((hm * 10)) -ge $((ttotal * 9))
html=$(json "$s" "j['profiles'][1]['files']['html']")
check "text: sample times give a heatmap page" test -s "$html"

# a command printing something else fails that profile, with a clear reason
"$FLAME" bench --topology server --duration 1 --qps 100 --conn 1 --outdir "$T/bad" --no-load \
	--custom_profiling_command "echo this is not a profile" --custom_profiling_name junk \
	>"$T/bad.out" 2>"$T/bad.err" && die "junk output accepted"
check "junk output: named as unrecognised" grep -q "profile junk: unrecognised output" "$T/bad.err"
echo PASS
