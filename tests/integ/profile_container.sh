#!/bin/bash
# flame profile --container: a container (private mount + PID namespaces,
# its own /tmp, its own cgroup named as docker's systemd driver names them)
# runs node --perf-basic-prof and a binary that exists only on the
# container's /tmp. Sampled live with cgroup events, JIT frames are named
# from the map read while node lives, the binary's frames through the
# container's root; a busy process outside the cgroup is not sampled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
set -o pipefail
ctr_need
cd "$T" || die "cd $T"	# node may write isolate-*.log into its cwd
command -v node >/dev/null || skip "node not installed (apt-get install nodejs)"
cg=$(docker_cgroup) || skip "no cgroup2 mount to make a container cgroup in"
id=$(basename "$cg" .scope); id=${id#docker-}
H=$(mktemp -d /var/tmp/flame-prof.XXXXXX) || die "mktemp"
cleanup_hooks+=("rm -rf $H")
cp "$PROGS/known_tree" "$H/kt_inner" || die "cp"
cat > "$H/hot.js" <<'EOS'
function fibonacciHotPath(n) { return n < 2 ? n : fibonacciHotPath(n - 1) + fibonacciHotPath(n - 2); }
const end = Date.now() + 9000;
let s = 0;
while (Date.now() < end) s += fibonacciHotPath(22);
console.log("done", s > 0);
EOS
test ! -e /tmp/kt_inner || die "/tmp/kt_inner exists on the host"

# outside the cgroup: a busy process that must not show up
"$PROGS/known_tree" 20000 >/dev/null &
host=$!
cleanup_hooks+=("kill $host 2>/dev/null")
# the container: joins the cgroup, then unshares; kt_inner lives on its /tmp
sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" \
	unshare -m -p -f --mount-proc sh -c \
	"mount -t tmpfs ctr-tmp /tmp && cp $H/kt_inner /tmp/kt_inner && rm $H/kt_inner &&
	 (/tmp/kt_inner 20000 &) && exec node --perf-basic-prof $H/hot.js" >/dev/null 2>"$T/ctr.err" &
ctr=$!
# our container's node and kt_inner (other tests may run node too)
in_cg() {
	local p
	for p in $(cat "$cg/cgroup.procs"); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = "$1" ] && { echo "$p"; return 0; }
	done
	return 1
}
for _ in $(seq 200); do
	in_cg node >/dev/null && in_cg kt_inner >/dev/null && break
	sleep 0.1
done
np=$(in_cg node) || die "node did not start in the container: $(cat "$T/ctr.err")"
# node has compiled the hot function (its map, pid 1 in the container, names it)
for _ in $(seq 100); do
	grep -qs fibonacciHotPath "/proc/$np/root/tmp/perf-1.map" && break
	sleep 0.1
done
timeout 60 "$FLAME" profile --container "$id" -F 499 --duration 4 --annotate jit \
	-o "$T/c.folded" 2>"$T/prof.err" || die "flame profile --container failed: $(cat "$T/prof.err")"
cat "$T/prof.err"
kill "$host" 2>/dev/null
kill $(in_cg kt_inner) 2>/dev/null
wait "$ctr" 2>/dev/null
cut -d';' -f1 "$T/c.folded" | sort | uniq -c
total=$(folded_total "$T/c.folded")
check "samples from the container ($total)" test "$total" -gt 200
check "only the container's tasks: no host known_tree" test -z "$(grep '^known_tree;' "$T/c.folded")"
check "roots are the container's processes" test -z "$(cut -d';' -f1 "$T/c.folded" | grep -vxE 'node|kt_inner|sh|unshare|cp|rm|mount|V8 .*|.*Worker.*|:[0-9]+')"
node=$(folded_match "$T/c.folded" '^node;')
hot=$(folded_match "$T/c.folded" '^node;.*JS:[*~]?fibonacciHotPath [^;]*hot\.js:[0-9:]*_\[j\]')
echo "node: $node samples, $hot with fibonacciHotPath named"
check "JIT frames named while node lives (>= 60% of node's samples)" \
	awk -v h="$hot" -v t="$node" 'BEGIN { exit !(t > 50 && h * 100 >= 60 * t) }'
kt=$(folded_match "$T/c.folded" '^kt_inner;')
named=$(folded_match "$T/c.folded" '^kt_inner;.*main;phase_one;leaf_one_a;spin')
echo "kt_inner: $kt samples, $named in main;phase_one;leaf_one_a;spin"
check "the container's own binary named through its root" test "$named" -gt 10
check "no [kt_inner] file-only frames" test -z "$(grep '\[kt_inner\]' "$T/c.folded")"

# --cgroup with the path as /proc/PID/cgroup shows it
"$FLAME" profile --cgroup "/nosuch-$$" --duration 1 2>"$T/e1" && die "a missing cgroup must fail"
check "missing cgroup: one clear line" grep -q "cgroup /nosuch-$$: No such file" "$T/e1"
"$FLAME" profile --container nosuchcontainer --duration 1 2>"$T/e2" && die "a missing container must fail"
check "missing container: one clear line" grep -q 'no running process of such a container' "$T/e2"
exit 0
