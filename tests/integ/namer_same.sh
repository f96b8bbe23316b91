#!/bin/bash
# One namer for every input: on the same real perf recording (a C program
# with a known tree, a syscall-heavy pipeline for kernel and [vdso] frames,
# node with a JIT perf map), the plugin
#   perf script --dlfilter flame.so --dlarg ...
# and the text collapser
#   perf script | flame collapse ...
# write byte-identical folded stacks, for every naming option set.
. "$(dirname "$0")/lib.sh"
set -o pipefail
command -v perf >/dev/null || skip "perf not installed"

js=$T/hot.js
cat > "$js" <<'EOF'
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
const end = Date.now() + 60000;
let s = 0;
while (Date.now() < end) s += fib(20);
console.log(s > 0 ? "" : "x");
EOF
# node keeps running (stopped) while perf script reads its perf map: the
# plugin trusts a host /tmp/perf-PID.map only for a process it can see
# in the host's mount namespace (docs/containers.md), perf text always.
node_cmd=:
if command -v node >/dev/null; then node_cmd="node --perf-basic-prof $js"
else echo "  (node not installed: no JIT frames in this run; scripts/deps.sh browser)"; fi
cleanup_hooks+=('[ -s "$T/node.pid" ] && kill -KILL "$(cat "$T/node.pid")" 2>/dev/null')
cd "$T" || die "cd $T"
# perf 6.1 aborts now and then on a loaded machine while it collects build
# ids at the end ("assertion failed at util/build-id.c"): retry that only,
# then without build ids (-B: the files are all on the host, by path)
nb=
for try in 1 2 3; do
	perf record $nb -q -e cpu-clock -F 499 -g -o "$T/p.data" -- sh -c "
		$node_cmd >/dev/null & echo \$! > $T/node.pid
		dd if=/dev/urandom bs=4k count=3000 2>/dev/null | gzip -1 > /dev/null &
		$PROGS/known_tree 700 >/dev/null; sleep 0.2" >/dev/null 2>"$T/rec.err" && break
	[ -s "$T/node.pid" ] && kill -KILL "$(cat "$T/node.pid")" 2>/dev/null
	grep -q 'build-id.c' "$T/rec.err" && [ $try -lt 3 ] ||
		die "perf record failed: $(cat "$T/rec.err")"
	echo "perf record aborted in its build-id code (try $try): again with -B"
	nb=-B
done
[ -s "$T/node.pid" ] && kill -STOP "$(cat "$T/node.pid")"
n=$(perf_samples "$T/p.data")
[ "$n" -gt 150 ] || die "too few samples ($n)"
# the text the collapser reads: perf script's defaults plus the pid
perf script -i "$T/p.data" -F +pid > "$T/p.txt" 2>/dev/null || die "perf script"

sets=(
	"|"
	"annotate=kernel|--kernel"
	"annotate=jit|--jit"
	"annotate=all|--all"
	"addrs=1|--addrs"
	"pid=1|--pid"
	"annotate=all addrs=1 tid=1|--all --addrs --tid"
)
for s in "${sets[@]}"; do
	dl=${s%%|*} cl=${s#*|}
	args=()
	for a in $dl; do args+=(--dlarg "$a"); done
	perf script -i "$T/p.data" --dlfilter "$FLAME_SO" "${args[@]}" \
		--dlarg "out=$T/plugin.folded" 2>"$T/err" || die "plugin $dl: $(cat "$T/err")"
	# shellcheck disable=SC2086
	"$FLAME" collapse $cl "$T/p.txt" > "$T/text.folded" 2>"$T/err" ||
		die "collapse $cl: $(cat "$T/err")"
	[ -s "$T/plugin.folded" ] || die "plugin wrote nothing for '$dl'"
	if ! cmp -s "$T/plugin.folded" "$T/text.folded"; then
		diff "$T/plugin.folded" "$T/text.folded" | head -20
		die "plugin '$dl' and collapse '$cl' differ"
	fi
	echo "  ok: '$dl' = '$cl' ($(wc -l < "$T/text.folded") stacks, $(folded_total "$T/text.folded") samples)"
done
# the cases above really exercise the rules
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg annotate=all \
	--dlarg "out=$T/all.folded" 2>/dev/null
check "kernel frames are annotated" grep -q '_\[k\];\|_\[k\] ' "$T/all.folded"
check "known_tree's tree is named" grep -q 'main;phase_one;leaf_one_a;spin' "$T/all.folded"
if [ "$node_cmd" != : ]; then
	check "node's JIT frames are named and annotated" grep -q 'fib[^;]*_\[j\]' "$T/all.folded"
fi
exit 0
