#!/bin/bash
# Real JIT: node --perf-basic-prof in a container. After the container is
# gone, stock perf script names none of its JS frames; flame.so names them.
# hot.js runs until node used 2 s of CPU time (not 2 s of wall time: on a
# loaded machine start-up would then outweigh the hot function).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
command -v node >/dev/null || skip "node not installed (apt-get install nodejs)"
cd "$T" || die "cd $T"
H=$(mktemp -d /var/tmp/flame-node.XXXXXX) || die "mktemp"
cleanup_hooks+=("rm -rf $H")
cat > "$H/hot.js" <<'EOS'
function fibonacciHotPath(n) { return n < 2 ? n : fibonacciHotPath(n - 1) + fibonacciHotPath(n - 2); }
const t0 = process.cpuUsage();
let s = 0, u;
do {
	s += fibonacciHotPath(22);
	u = process.cpuUsage(t0);
} while (u.user + u.system < 2e6);
console.log("done", s > 0);
EOS
timeout 240 "$FLAME" record --interval 0.2 -e cpu-clock -F 999 -g -o perf.data -- \
	unshare -m -p -f --mount-proc sh -c "mount -t tmpfs ctr-tmp /tmp && exec node --perf-basic-prof $H/hot.js" \
	> rec.out 2> rec.err || { cat rec.err; die "flame record failed"; }
grep '^flame' rec.err
check "node's map is in the snapshot" grep -qP '^P\t.*\.map\t.*\tnode$' perf.data.maps/index
stock=$(perf script -i perf.data -F ip,sym 2>/dev/null | grep -c 'fibonacciHotPath')
echo "stock perf script: $stock frames named fibonacciHotPath"
check "stock perf names none" test "$stock" = 0
timeout 240 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=n.folded --dlarg annotate=jit \
	2> plugin.err || { cat plugin.err; die "flame.so failed"; }
cat plugin.err
total=$(folded_match n.folded '^node;')
hot=$(folded_match n.folded '^node;.*JS:[*~]?fibonacciHotPath [^;]*hot\.js:[0-9:]*_\[j\]')
read -r named unnamed < <(jit_frames n.folded '^node;')
echo "node: $total samples, $hot with fibonacciHotPath named; JIT frames named $named, unnamed $unnamed"
check "flame.so names the hot JS function in most node samples" \
	awk -v h="$hot" -v t="$total" 'BEGIN { exit !(t > 200 && h * 100 >= 60 * t) }'
check ">= 99% of node's JIT frames named" ratio_ok "$named" "$unnamed" 99
echo PASS
