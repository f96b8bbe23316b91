#!/bin/bash
# speedscope output (out=x.speedscope.json): a real recording through flame.so
# and folded stacks through `flame svg -o`; the JSON is checked against the
# file format's rules (schema fields, frame indices, weights) and its frame
# totals against the folded output of the same run; samples from perf.data are
# in time order (twophase: phase_alpha first, phase_beta last).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || die "python3 missing"
[ -x "$PROGS/twophase" ] || die "$PROGS/twophase not built"
perf record -q -e cpu-clock -F 499 -g -o "$T/perf.data" -- "$PROGS/twophase" 300 \
	> "$T/rec.log" 2>&1 || die "perf record failed: $(tail -3 "$T/rec.log")"
perf script -i "$T/perf.data" --dlfilter "$FLAME_SO" --dlarg out="$T/p.speedscope.json" \
	--dlarg out="$T/p.folded" > /dev/null 2> "$T/plugin.log" ||
	die "flame.so failed: $(cat "$T/plugin.log")"
printf '%s\n' 'main;parse;lex 30' 'main;parse 10' 'main;eval 20' > "$T/in.folded"
printf '%s\n' 'main;"<odd>\name 5' >> "$T/in.folded"
"$FLAME" svg "$T/in.folded" -o "$T/f.speedscope.json" -o "$T/f.folded" 2> "$T/cli.log" ||
	die "flame svg -o x.speedscope.json failed: $(cat "$T/cli.log")"

check_json() {	# FILE FOLDED TIME_ORDERED
	python3 - "$@" <<'PY'
import json, sys, collections
path, folded, timed = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
d = json.load(open(path))
assert d["$schema"] == "https://www.speedscope.app/file-format-schema.json", "schema"
frames = d["shared"]["frames"]
assert all(isinstance(f["name"], str) for f in frames), "frame names"
p = d["profiles"][d.get("activeProfileIndex", 0)]
assert p["type"] == "sampled" and p["unit"] == "none", "profile type/unit"
s, w = p["samples"], p["weights"]
assert len(s) == len(w) and len(s) > 0, "samples and weights"
assert all(0 <= i < len(frames) for st in s for i in st), "frame index out of range"
assert p["endValue"] - p["startValue"] == sum(w), "endValue = total weight"
# inclusive total per frame name, from the JSON and from the folded file
got, want = collections.Counter(), collections.Counter()
for st, wt in zip(s, w):
    for n in set(frames[i]["name"] for i in st):
        got[n] += wt
for line in open(folded):
    stack, n = line.rstrip("\n").rsplit(" ", 1)
    for f in set(stack.split(";")):
        want[f] += int(n)
assert got == want, "frame totals differ: %s" % (set(got.items()) ^ set(want.items()))
if timed:
    names = [set(frames[i]["name"] for i in st) for st in s]
    a = [k for k, n in enumerate(names) if "phase_alpha" in n]
    b = [k for k, n in enumerate(names) if "phase_beta" in n]
    assert a and b and max(a) < min(b), "samples not in time order"
print("  ok: %s: %d frames, %d samples, total %d" % (path.split("/")[-1], len(frames), len(s), sum(w)))
PY
}
check_json "$T/p.speedscope.json" "$T/p.folded" 1 || die "plugin speedscope file is wrong"
check_json "$T/f.speedscope.json" "$T/f.folded" 0 || die "CLI speedscope file is wrong"
check "hostile names escaped as JSON" grep -q '"\\"\\u003codd\\u003e\\\\name"' "$T/f.speedscope.json"
echo "all speedscope checks passed"
