#!/bin/bash
# flame bench --from-gperf (lib/input/gperf.c + lib/names/elfsym.c) vs google-pprof
# --collapsed on the same gperftools CPU profile: 20000 records of depth 16
# whose pcs are functions of Debian's haproxy (a PIE, mapped at a load bias)
# and the real PT_LOAD layout in the embedded maps. Medians of 3 runs.
set -eu
BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
FLAME=$BUILD/flame
BIN=/usr/sbin/haproxy
[ -x "$BIN" ] || { echo "bench-gperf: needs haproxy (scripts/deps.sh bench)"; exit 0; }
P=$BUILD/bench-gperf.prof
if [ ! -s "$P" ]; then
	python3 - "$BIN" "$P" <<'PY'
import random, struct, subprocess, sys
binary, out = sys.argv[1], sys.argv[2]
base = 0x555555554000
syms = []
for l in subprocess.run(["nm", "-D", "-S", "--defined-only", binary], capture_output=True, text=True).stdout.splitlines():
    f = l.split()
    if len(f) == 4 and f[2] in "Tt" and int(f[1], 16) > 8:
        syms.append((int(f[0], 16), int(f[1], 16)))
maps = []
for l in subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True).stdout.splitlines():
    f = l.split()
    if f and f[0] == "LOAD":
        off, va, memsz = int(f[1], 16), int(f[2], 16), int(f[5], 16)
        s = base + (va & ~0xfff); e = base + ((va + memsz + 0xfff) & ~0xfff)
        maps.append("%x-%x r-xp %08x 08:01 1234 %s\n" % (s, e, off & ~0xfff, binary))
random.seed(42)
w = [0, 3, 0, 10000, 0]
for i in range(20000):
    depth = 16
    pcs = []
    for d in range(depth):
        a, sz = random.choice(syms)
        pcs.append(base + a + random.randrange(1, sz))
    w += [random.randrange(1, 5), depth] + pcs
w += [0, 1, 0]
with open(out, "wb") as fp:
    fp.write(struct.pack("<%dQ" % len(w), *w))
    fp.write("".join(maps).encode())
PY
fi
size=$(stat -c %s "$P")
median() { sort -n | sed -n 2p; }
t() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
o=$(mktemp -d)
f_t=$(for i in 1 2 3; do t "$FLAME" bench --from-gperf "$P" --outdir "$o"; done | median)
printf 'gperftools CPU profile: %d KB, 20000 records x 16 frames (haproxy)\n' $((size / 1000))
printf '  flame bench --from-gperf  %7.3f s  (folded + svg)\n' "$f_t"
if command -v google-pprof >/dev/null; then
	p_t=$(for i in 1 2 3; do t google-pprof --collapsed "$BIN" "$P"; done | median)
	printf '  google-pprof --collapsed  %7.3f s  (folded only)   flame is %.1fx faster\n' \
		"$p_t" "$(echo "$p_t / $f_t" | bc -l)"
	# same answer: the stacks pprof prints (addresses stripped) vs ours
	"$FLAME" bench --from-gperf "$P" --outdir "$o/one" >/dev/null 2>&1
	sed 's/^haproxy;//' "$o"/one/*.folded | sort > "$o/f"
	google-pprof --collapsed "$BIN" "$P" 2>/dev/null | sed 's/<[0-9a-f]*>//g' | sort > "$o/p"
	printf '  identical folded lines: %d of %d (pprof) / %d (flame)\n' \
		"$(comm -12 "$o/f" "$o/p" | wc -l)" "$(wc -l < "$o/p")" "$(wc -l < "$o/f")"
else
	echo "  google-pprof not installed (apt-get install google-perftools): no reference timing"
fi
rm -rf "$o"
