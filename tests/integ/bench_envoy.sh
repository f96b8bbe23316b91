#!/bin/bash
# flame bench --envoy_profiler against a real gperftools program: the test
# proxy (tests/bench/testproxy.c, linked with -lprofiler -ltcmalloc) serves
# Envoy's admin endpoints; flame enables the CPU profiler (then the heap
# profiler) over HTTP for the duration under wrk load, collects the file
# and converts it with its own reader, symbolized against the binary.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench_helpers.bash"
[ -e /usr/include/gperftools/profiler.h ] || skip "libgoogle-perftools-dev missing"

cc -O1 -g -fno-omit-frame-pointer -fno-inline -pthread -o "$T/testproxy" \
	"$FLAME_TOP/tests/bench/testproxy.c" -lprofiler -ltcmalloc || die "building testproxy"
bport=$(free_port); pport=$(free_port); aport=$(free_port)
"$FLAME" bench --serve-backend 127.0.0.1:$bport & backend=$!
CPUPROFILE_FREQUENCY=500 "$T/testproxy" --listen $pport --backend $bport --admin $aport \
	--profile-path "$T/envoy.prof" >"$T/proxy.log" 2>&1 & proxy=$!
cleanup_hooks+=("kill $backend $proxy 2>/dev/null; wait $backend $proxy 2>/dev/null")
for _ in $(seq 50); do
	curl -fsS "http://127.0.0.1:$aport/ready" >/dev/null 2>&1 &&
		curl -fsS "http://127.0.0.1:$pport/" >/dev/null 2>&1 && break
	sleep 0.1
done
check "the test proxy forwards to the backend" curl -fsS "http://127.0.0.1:$pport/" -o /dev/null

# CPU profiler (Istio's underscore spelling)
"$FLAME" bench --envoy_profiler cpuprofiler --admin 127.0.0.1:$aport \
	--envoy-profile-path "$T/envoy.prof" --sidecar-pid $proxy \
	--url http://127.0.0.1:$pport/ --duration 3 --qps 0 --conn 8 \
	--outdir "$T/cpu" >"$T/cpu.out" 2>"$T/cpu.err" || { cat "$T/cpu.err"; die "cpu run failed"; }
cat "$T/cpu.out"
s=$(summary_of "$T/cpu")
check "summary written" test -s "$s"
check "the profile is a gperftools CPU profile" \
	test "$(json "$s" "j['profiles'][0]['kind']")" = "gperftools CPU profile"
check "the profiler wrote its file" test -s "$T/envoy.prof"
folded=$(json "$s" "j['profiles'][0]['files']['folded']")
svg=$(json "$s" "j['profiles'][0]['files']['svg']")
check "SVG written" xmllint --noout "$svg"
total=$(folded_total "$folded")
own=$(folded_match "$folded" ';tp_connection(;| )')
echo "  samples: $total, under tp_connection: $own"
check "samples were converted (>= 50)" test "$total" -ge 50
check "samples count as in the summary" test "$total" = "$(json "$s" "j['profiles'][0]['total']")"
check "the root frame is the binary's name" test "$(folded_match "$folded" '^testproxy;')" = "$total"
check "the proxy's functions dominate (> 60% under tp_connection)" test $((own * 100)) -gt $((total * 60))
check "functions resolved by the ELF reader (tp_filter_headers, tp_read_message)" \
	grep -q ';tp_proxy_one;tp_filter_headers' "$folded"
grep -q ';tp_read_message' "$folded" || die "tp_read_message missing"
# the same file converted again, offline
"$FLAME" bench --from-gperf "$T/envoy.prof" --outdir "$T/conv" >"$T/conv.out" 2>&1 || { cat "$T/conv.out"; die "--from-gperf failed"; }
check "--from-gperf gives the same stacks" diff <(sort "$folded") <(sort "$(ls "$T"/conv/*.folded)")
# a missing, empty or non-regular file is named with the reason
: > "$T/empty.prof"
for bad in "$T/nonexistent:No such file or directory" "/dev/null:not a regular file" \
	   "$T:not a regular file" "$T/empty.prof:empty file"; do
	f=${bad%%:*}; why=${bad#*:}
	"$FLAME" bench --from-gperf "$f" --outdir "$T/bad" >"$T/bad.out" 2>&1 && die "--from-gperf $f succeeded"
	check "--from-gperf $f: $why" grep -qF "bench: --from-gperf $f: $why" "$T/bad.out"
done
check "load figures present" python3 -c "import sys; sys.exit(not $(json "$s" "j['load']['qps']") > 100)"

# heap profiler: live bytes by allocation site
"$FLAME" bench --envoy-profiler heapprofiler --admin 127.0.0.1:$aport \
	--envoy-profile-path "$T/envoy.prof" --sidecar-pid $proxy \
	--url http://127.0.0.1:$pport/ --duration 2 --qps 0 --conn 8 \
	--outdir "$T/heap" >"$T/heap.out" 2>"$T/heap.err" || { cat "$T/heap.err"; die "heap run failed"; }
cat "$T/heap.out"
s=$(summary_of "$T/heap")
check "the profile is a gperftools heap profile" \
	test "$(json "$s" "j['profiles'][0]['kind']")" = "gperftools heap profile"
check "its unit is bytes" test "$(json "$s" "j['profiles'][0]['unit']")" = bytes
folded=$(json "$s" "j['profiles'][0]['files']['folded']")
# the 2 x 64 KiB per-connection buffers are in the dump only while wrk's
# connections are still open when the profiler stops (a race with the end of
# the load); tp_connection's own allocations are always there
echo "  under tp_connection: $(folded_match "$folded" ';tp_connection(;| |$)') bytes"
check "heap is attributed to tp_connection and its callees" \
	test "$(folded_match "$folded" ';tp_connection(;| |$)')" -gt 0
check "the request ring is attributed to tp_remember_request" grep -q ';tp_remember_request ' "$folded"
check "the SVG counts bytes" grep -q 'bytes' "$(json "$s" "j['profiles'][0]['files']['svg']")"
heapfile=$(ls -t "$T"/envoy.prof.*.heap | head -n 1)
"$FLAME" bench --from-gperf "$heapfile" --heap-value alloc_objects --outdir "$T/hv" >/dev/null 2>&1 || die "--heap-value run failed"
hs=$(summary_of "$T/hv")
check "--heap-value alloc_objects counts objects" test "$(json "$hs" "j['profiles'][0]['unit']")" = objects
check "allocated objects = the header's total" \
	test "$(json "$hs" "j['profiles'][0]['total']")" = "$(sed -n '1s/.*\[ *\([0-9]*\):.*/\1/p' "$heapfile")"

# the sidecar in its own mount namespace, writing to a tmpfs only it sees:
# the CPU profile is read through /proc/PID/root, the heap profile through
# --exec-prefix nsenter
mkdir -p "$T/private"
pport2=$(free_port); aport2=$(free_port)
unshare --mount --propagation private -- sh -c \
	"mount -t tmpfs none '$T/private' && CPUPROFILE_FREQUENCY=500 exec '$T/testproxy' \
	 --listen $pport2 --backend $bport --admin $aport2 --profile-path '$T/private/envoy.prof'" \
	>"$T/proxy2.log" 2>&1 & proxy2=$!
cleanup_hooks+=("kill $proxy2 2>/dev/null; wait $proxy2 2>/dev/null")
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$aport2/ready" >/dev/null 2>&1 && break; sleep 0.1; done
"$FLAME" bench --envoy_profiler cpuprofiler --admin 127.0.0.1:$aport2 \
	--envoy-profile-path "$T/private/envoy.prof" --sidecar-pid $proxy2 \
	--url http://127.0.0.1:$pport2/ --duration 2 --qps 0 --conn 4 \
	--outdir "$T/cpu2" >"$T/cpu2.out" 2>"$T/cpu2.err" || { cat "$T/cpu2.err"; die "container cpu run failed"; }
check "container: the profile is invisible on the host" test ! -e "$T/private/envoy.prof"
s=$(summary_of "$T/cpu2")
check "container: CPU profile read through the sidecar's root" \
	test "$(json "$s" "j['profiles'][0]['kind']")" = "gperftools CPU profile"
check "container: symbolized" grep -q ';tp_filter_headers' "$(json "$s" "j['profiles'][0]['files']['folded']")"
"$FLAME" bench --envoy_profiler heapprofiler --admin 127.0.0.1:$aport2 \
	--envoy-profile-path "$T/private/envoy.prof" --sidecar-pid $proxy2 \
	--exec-prefix "nsenter -t {host_pid} -m" \
	--url http://127.0.0.1:$pport2/ --duration 2 --qps 0 --conn 4 \
	--outdir "$T/heap2" >"$T/heap2.out" 2>"$T/heap2.err" || { cat "$T/heap2.err"; die "container heap run failed"; }
s=$(summary_of "$T/heap2")
check "container: heap profile fetched through the exec prefix" \
	test "$(json "$s" "j['profiles'][0]['kind']")" = "gperftools heap profile"
check "container: heap attributed to tp_connection" \
	grep -Eq ';tp_connection(;| )' "$(json "$s" "j['profiles'][0]['files']['folded']")"

# a dead admin port fails with one clear line
! "$FLAME" bench --envoy_profiler cpuprofiler --admin 127.0.0.1:1 --sidecar-pid $proxy \
	--no-load --duration 1 --outdir "$T/none" 2>"$T/dead.err" || die "dead admin port accepted"
check "dead admin port: one error line" grep -q '^flame: bench: POST http://127.0.0.1:1/cpuprofiler?enable=y' "$T/dead.err"
echo PASS
