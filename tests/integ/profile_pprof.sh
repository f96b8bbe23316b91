#!/bin/bash
# flame profile writes pprof (.pb.gz) next to folded stacks of the same
# profile; Go's own pprof reads it back with the same total and the same
# top functions (flat: the leaf frames of the folded stacks).
. "$(dirname "$0")/lib.sh"
set -o pipefail
need_root "perf_event_open for another process"
command -v go >/dev/null || skip "go not installed (golang-go)"
export HOME=$T GOCACHE=$T/gocache GOFLAGS= PPROF_TMPDIR=$T

"$PROGS/known_tree" 3000 &
kt=$!
"$FLAME" profile -p "$kt" -F 499 -o "$T/p.pb.gz" -o "$T/p.folded" 2>"$T/err" ||
	die "flame profile failed: $(cat "$T/err")"
wait "$kt"
total=$(folded_total "$T/p.folded")
echo "folded total $total"
check "gzip magic" test "$(head -c2 "$T/p.pb.gz" | od -An -tx1 | tr -d ' ')" = 1f8b

go tool pprof -raw "$T/p.pb.gz" >"$T/raw" 2>"$T/raw.err" || die "pprof -raw: $(cat "$T/raw.err")"
head -8 "$T/raw"
check "sample types: samples/count and cpu/nanoseconds" grep -q '^samples/count cpu/nanoseconds' "$T/raw"
check "period type cpu nanoseconds" grep -q '^PeriodType: cpu nanoseconds' "$T/raw"
check "period 1e9/499 ns" grep -q '^Period: 2004008$' "$T/raw"
rawtotal=$(awk '/^Samples:/ {s = 1; next} /^Locations/ {s = 0} s && $2 ~ /^[0-9]+:$/ && $1 ~ /^[0-9]+$/ {t += $1} END {print t + 0}' "$T/raw")
check "raw total $rawtotal = folded total $total" test "$rawtotal" = "$total"
check "locations and functions listed" grep -q 'spin' "$T/raw"
check "mapping table present" grep -q '^Mappings' "$T/raw"

go tool pprof -top -nodecount=5 -sample_index=samples "$T/p.pb.gz" >"$T/top" 2>"$T/top.err" ||
	die "pprof -top: $(cat "$T/top.err")"
cat "$T/top"
check "pprof total = folded total" grep -q "of $total total" "$T/top"
# top 3 flat functions from the folded stacks (leaf frame weights)
awk '{ w = $NF; sub(/ [0-9]+$/, ""); n = split($0, f, ";"); c[f[n]] += w }
     END { for (k in c) print c[k], k }' "$T/p.folded" | sort -rn | head -3 >"$T/leaf"
while read -r w name; do
	check "top: $name flat $w as in folded" \
		awk -v w="$w" -v n="$name" '$1 == w && $NF == n {ok = 1} END {exit !ok}' "$T/top"
done <"$T/leaf"

# the output table serves every command: flame svg/collapse write pprof too
"$FLAME" svg "$T/p.folded" -o "$T/again.pb.gz" 2>"$T/svg.err" || die "flame svg -o .pb.gz: $(cat "$T/svg.err")"
go tool pprof -top -sample_index=samples "$T/again.pb.gz" 2>/dev/null | out_has "of $total total" ||
	die "flame svg's pprof has another total"
echo "  ok: flame svg FILE -o x.pb.gz reads back with the same total"
exit 0
