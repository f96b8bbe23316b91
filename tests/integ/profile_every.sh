#!/bin/bash
# flame profile --every: rotated outputs with strftime names, each complete
# and parseable, memory flat across rotations; --push POSTs each pprof to a
# local HTTP receiver; a tiny ring buffer makes the kernel drop samples,
# which is reported.
. "$(dirname "$0")/lib.sh"
set -o pipefail
need_root "perf_event_open for every CPU"
command -v python3 >/dev/null || skip "python3 not installed"
command -v go >/dev/null || die "go not installed (scripts/deps.sh test)"

# a receiver on a free loopback port: stores each POST body as N.pb.gz
mkdir -p "$T/recv" "$T/rot"
cat > "$T/recv.py" <<'EOS'
import http.server, os, sys
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    n = 0
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        H.n += 1
        with open(os.path.join(d, "%d.pb.gz" % H.n), "wb") as f:
            f.write(body)
        with open(os.path.join(d, "%d.path" % H.n), "w") as f:
            f.write(self.path)
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(os.path.join(d, "port"), "w") as f:
    f.write(str(s.server_address[1]))
s.serve_forever()
EOS
python3 "$T/recv.py" "$T/recv" &
recv=$!
cleanup_hooks+=("kill $recv 2>/dev/null")
for _ in $(seq 50); do [ -s "$T/recv/port" ] && break; sleep 0.1; done
port=$(cat "$T/recv/port") || die "receiver did not start"

"$PROGS/known_tree" 60000 >/dev/null &
kt=$!
cleanup_hooks+=("kill $kt 2>/dev/null")
# -p: with -a, RSS follows whatever else runs on the machine (the symbol
# tables of its programs), which says nothing about rotation
"$FLAME" profile -p "$kt" -F 199 --every 1.5 --duration 9.5 \
	-o "$T/rot/%H%M%S.pb.gz" -o "$T/rot/%H%M%S.folded" \
	--push "http://127.0.0.1:$port/ingest?name=test" 2>"$T/err" &
fp=$!
sleep 3.5
rss1=$(awk '/^VmRSS/ {print $2}' /proc/$fp/status)
sleep 5
rss2=$(awk '/^VmRSS/ {print $2}' /proc/$fp/status)
wait "$fp" || die "flame profile --every failed: $(cat "$T/err")"
kill "$kt"
ls -l "$T/rot" "$T/recv"
echo "RSS after 2 windows: $rss1 kB, after 5: $rss2 kB"
n=$(ls "$T/rot"/*.folded | wc -l)
check "at least three rotations ($n)" test "$n" -ge 3
check "as many pprof files as folded" test "$(ls "$T/rot"/*.pb.gz | wc -l)" = "$n"
check "no temporary files left" test -z "$(ls "$T/rot" | grep -v '\.pb\.gz$\|\.folded$')"
check "RSS flat across rotations ($rss1 -> $rss2 kB)" \
	awk -v a="$rss1" -v b="$rss2" 'BEGIN { exit !(b <= a * 1.25 + 2048) }'
# the last window is the 0.5 s left of the duration: on a loaded machine
# known_tree may get no CPU in it, so only that one may be empty
last=$(ls "$T"/rot/*.folded | tail -1)
for f in "$T"/rot/*.folded; do
	t=$(folded_total "$f")
	if [ "$t" -eq 0 ] && [ "$f" = "$last" ]; then
		gzip -t "${f%.folded}.pb.gz" || die "${f%.folded}.pb.gz is not complete gzip"
		echo "  note: the last (partial) window $f has no samples"
		continue
	fi
	[ "$t" -gt 0 ] || die "$f is empty (not the last window)"
	awk 'NF < 2 || $NF !~ /^[0-9]+$/ {exit 1}' "$f" || die "$f has a malformed line"
	gzip -t "${f%.folded}.pb.gz" || die "${f%.folded}.pb.gz is not complete gzip"
	HOME=$T GOCACHE=$T/gocache go tool pprof -top -sample_index=samples \
		"${f%.folded}.pb.gz" 2>/dev/null | out_has "of $t total" ||
		die "${f%.folded}.pb.gz does not read back with total $t"
done
echo "  ok: every window complete: folded parses, pprof reads back with the folded total"
pushed=$(ls "$T"/recv/*.pb.gz | wc -l)
check "one POST a window ($pushed for $n windows)" test "$pushed" = "$n"
check "POSTed to the URL's path and query" grep -q '^/ingest?name=test$' "$T/recv/1.path"
cmp -s "$T/recv/1.pb.gz" "$(ls "$T"/rot/*.pb.gz | head -1)" ||
	gzip -t "$T/recv/1.pb.gz" || die "pushed body is not gzip"
echo "  ok: pushed bodies are pprof"
kill "$recv"; wait "$recv" 2>/dev/null

# --push to nothing: one clear line, non-zero exit
"$FLAME" profile -a --duration 0.5 --push "http://127.0.0.1:$port/x" 2>"$T/e1" >/dev/null &&
	die "a push nobody receives must fail"
check "push failure: one clear line" grep -q 'push http://127.0.0.1.*cannot connect' "$T/e1"

# lost records: a one-page ring buffer at a high rate
"$PROGS/known_tree" 3000 >/dev/null &
kt=$!
"$FLAME" profile -a -F 5000 --mmap-pages 1 --duration 2 -o "$T/l.folded" 2>"$T/lost.err"
kill "$kt" 2>/dev/null
cat "$T/lost.err"
check "lost samples reported" grep -qE 'lost [1-9][0-9]* samples in [1-9][0-9]* LOST records' "$T/lost.err"
exit 0
