#!/bin/bash
# The CPU series under bad input, on real cgroups: one container's cgroup is
# removed while flame snapshot polls, another's cpu.stat is replaced (bind
# mount, in a private mount namespace) by non-numeric text, a third's
# cpu.cfs_quota_us by a FIFO. Each gives one warning; nothing hangs or
# crashes; the healthy container and the host keep being sampled (5 s:
# 8 polls of 25 even when the machine or ASan slows the poller down).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgcpu.inc"
[ -n "$CG_V1CPU" ] || skip "the bind-mount cases use the v1 cpu controller's files"
command -v unshare >/dev/null || skip "unshare(1) not installed"

GONE=$(new_id) BAD=$(new_id) FIFO=$(new_id) OK=$(new_id) EMPTY=$(new_id)
for c in $GONE $BAD $FIFO $OK $EMPTY; do cg_make "$c"; done
spin "$GONE"; gone_pid=$SPIN
spin "$OK"
# the broken ones hold a sleeping process, as a container's cgroup does
# (an empty cgroup is sampled once only: its counters stand still)
for c in $BAD $FIFO; do
	( cg_move "$c" "$BASHPID"; exec sleep 60 ) &
	cg_pids+=("$!")
done
printf 'nr_periods many\nnr_throttled 0\nthrottled_time 0\n' > "$T/bad.stat"
mkfifo "$T/fifo"

# remove GONE's cgroup 1.5 s into the run
( sleep 1.5; unspin "$gone_pid"; sleep 0.2
  for d in $(cg_dirs "$CG_TOP/$GONE"); do rmdir "$d"; done ) &
remover=$!
timeout -k 5 40 unshare -m sh -c '
	mount --make-rprivate / &&
	mount --bind "$1" "$2/cpu.stat" &&
	mount --bind "$3" "$4/cpu.cfs_quota_us" &&
	exec "$5" snapshot -o "$6" --interval 0.2 --duration 5' sh \
	"$T/bad.stat" "$CG_V1CPU/$CG_TOP/$BAD" "$T/fifo" "$CG_V1CPU/$CG_TOP/$FIFO" \
	"$FLAME" "$T/snap" >"$T/out" 2>"$T/err"
rc=$?
wait $remover
{ wait "$gone_pid"; } 2>/dev/null
cat "$T/err"
check "flame snapshot exits 0 (got $rc)" test "$rc" = 0
tsv=$T/snap/cpu.tsv
check "one warning for the removed cgroup" \
	test "$(grep -c "cpu: cgroup .*$GONE (container:${GONE:0:12}) was removed" "$T/err")" = 1
check "one warning for the non-numeric cpu.stat" \
	test "$(grep -c "cpu: cgroup .*$BAD .*cpu.stat has non-numeric or malformed content" "$T/err")" = 1
check "one warning for the FIFO" \
	test "$(grep -c "cpu: cgroup .*$FIFO .*cpu.cfs_quota_us is not a regular file" "$T/err")" = 1
ng=$(grep -c "^G	[0-9]*	container:${GONE:0:12}	" "$tsv")
nok=$(grep -c "^G	[0-9]*	container:${OK:0:12}	" "$tsv")
nh=$(grep -c '^H	' "$tsv")
echo "samples: removed $ng, healthy $nok, host $nh"
check "the removed cgroup was sampled before, and not after" test "$ng" -ge 2 -a "$ng" -lt "$nok"
check "the healthy container is sampled at every poll" test "$nok" = "$nh" -a "$nok" -ge 8
nbad=$(grep -c "^G	[0-9]*	container:${BAD:0:12}	v1	[0-9]*	-	" "$tsv")
check "the malformed cgroup's lines carry '-' for what could not be read ($nbad)" test "$nbad" -ge 8
ne=$(grep -c "^G	[0-9]*	container:${EMPTY:0:12}	" "$tsv")
check "a cgroup with no process is sampled once ($ne), not at every poll" test "$ne" = 1
exit 0
