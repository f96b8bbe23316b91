#!/bin/bash
# Real Erlang/OTP BeamAsm JIT (Debian's erlang-base) in a container with its
# own tmpfs /tmp: +JPperf writes "0x7f87fdce0000 68 $hot:fib/1" lines while
# it runs; after the container is gone flame.so still names them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
command -v erl >/dev/null && command -v erlc >/dev/null ||
	skip "Erlang/OTP not installed (apt-get install erlang-base)"
cd "$T" || die "cd $T"
E=$(mktemp -d /var/tmp/flame-erl.XXXXXX) || die "mktemp"
cleanup_hooks+=("rm -rf $E")
timeout 60 erlc -o "$E" "$FLAME_TOP/tests/progs/hot.erl" || die "erlc hot.erl failed"
# +JPperf true = the map (as +JPperf map) plus frame pointers for whole stacks
timeout 240 "$FLAME" record --interval 0.2 -e cpu-clock -F 499 -g -o perf.data -- \
	unshare -m -p -f --mount-proc sh -c "mount -t tmpfs ctr-tmp /tmp &&
		exec erl +JPperf true -noshell -pa $E -run hot main 2000" \
	> rec.out 2> rec.err || { cat rec.err; die "flame record failed"; }
grep '^flame' rec.err
check "no map line rejected" sh -c '! grep -q malformed rec.err'
check "BEAM's map is in the snapshot" grep -qP '^P\t.*\.map\t.*\tbeam\.smp$' perf.data.maps/index
check "the snapshot holds \$hot:fib/1" grep -q ' \$hot:fib/1$' perf.data.maps/*.map
stock=$(perf script -i perf.data -F ip,sym 2>/dev/null | grep -c 'hot:fib')
echo "stock perf script: $stock frames named \$hot:fib/1"
check "stock perf names none (the container is gone)" test "$stock" = 0
timeout 240 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=e.folded --dlarg annotate=jit \
	2> plugin.err || { cat plugin.err; die "flame.so failed"; }
cat plugin.err
total=$(folded_match e.folded '^1_scheduler;')
hot=$(folded_match e.folded '^1_scheduler;.*\$hot:fib/1_\[j\]')
read -r named unnamed < <(jit_frames e.folded '^1_scheduler;')
echo "scheduler 1: $total samples, $hot with \$hot:fib/1; JIT frames named $named, unnamed $unnamed"
check "\$hot:fib/1 named in most scheduler samples" ratio_ok "$hot" "$((total - hot))" 60
check ">= 99% of BEAM's JIT frames named" ratio_ok "$named" "$unnamed" 99
echo PASS
