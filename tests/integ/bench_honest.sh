#!/bin/bash
# flame bench never reports more than it measured:
# - an idle sidecar: each profile "EMPTY: 0 samples", with the sidecar's CPU
#   time over the run (from /proc) and perf's own last message; the log the
#   message names exists after the run; no graph is listed or left; exit 1,
#   or 0 with --allow-empty;
# - an empty profile of a busy sidecar (page faults of a loop that does not
#   fault): EMPTY with the CPU time it did use, exit 1;
# - --exec-prefix without a sidecar selector: one error naming the
#   selectors, nothing started;
# - a custom command that writes perf.data into its working directory: it
#   runs in the run's directory, the caller's directory stays as it was.
# The sidecars are real processes in their own PID and mount namespaces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench_helpers.bash"
set -o pipefail

# a process in its own PID/mount namespaces: the holder is unshare, the
# sidecar its child (the cleanup hooks are added in this shell, not in $())
holders=()
start_sidecar() {
	unshare --pid --mount --fork --mount-proc --kill-child -- "$@" >/dev/null 2>&1 &
	holders+=($!)
	cleanup_hooks+=("pkill -9 -P $! 2>/dev/null; kill -9 $! 2>/dev/null; wait $! 2>/dev/null")
}
child_of() {
	local pid=""
	for _ in $(seq 50); do
		pid=$(pgrep -P "$1" | head -n 1)
		[ -n "$pid" ] && [ "$(cat /proc/$pid/comm 2>/dev/null)" != unshare ] && { echo "$pid"; return; }
		sleep 0.1
	done
}
start_sidecar sleep 600
start_sidecar awk 'BEGIN { while (1); }'
idle=$(child_of "${holders[0]}")
busy=$(child_of "${holders[1]}")
[ -n "$idle" ] && [ -n "$busy" ] || die "the sidecars did not start"

# --- an idle sidecar -------------------------------------------------------
"$FLAME" bench --sidecar-pid "$idle" --no-load --duration 2 --grace 40 --label idle \
	--outdir "$T/idle" >"$T/idle.out" 2>"$T/idle.err" && rc=0 || rc=$?
cat "$T/idle.out" "$T/idle.err"
check "idle: exit status 1 (a requested profile is empty)" test $rc = 1
check "idle: EMPTY, 0 samples" grep -q "^    profile perf-oncpu: EMPTY: 0 samples; " "$T/idle.out"
check "idle: the reason: its CPU time over the run, idle" \
	grep -Eq "the sidecar \(pid $idle\) used 0\.0[0-9] s of CPU in the 2 s run \(/proc/$idle/stat\): it was idle" "$T/idle.out"
check "idle: perf's own message is quoted" grep -q 'its last message: "\[ perf record: Captured and wrote' "$T/idle.out"
check "idle: never an I/O error" bash -c "! grep -qi 'input/output error' '$T/idle.out' '$T/idle.err'"
log=$(sed -n 's/^      log: //p' "$T/idle.out")
check "idle: the log named in the summary exists after the run ($log)" test -s "$log"
check "idle: the log is next to the outputs" test "$(dirname "$log")" = "$T/idle"
check "idle: the log holds perf record's own output" grep -q "perf record: Woken up" "$log"
check "idle: the warning names the same log" grep -qF "log: $log" "$T/idle.err"
check "idle: no graph listed as written" bash -c "! grep -q '^ *wrote ' '$T/idle.out'"
check "idle: no graph left" bash -c "! ls '$T/idle' | grep -Eq '\\.(svg|folded|html)$'"
check "idle: the summary says why it exits 1" grep -q "exit status 1: a profile failed or is empty" "$T/idle.out"
eval "$(python3 - "$(summary_of "$T/idle")" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
p = j['profiles'][0]
print("empty=%s total=%d svg=%s cpu=%s" % (p['empty'], p['total'], p['files']['svg'], j['sidecars'][0]['cpu']['seconds']))
PY
)"
check "idle: JSON empty, total 0, no files" test "$empty $total $svg" = "True 0 None"
check "idle: JSON cpu seconds < 0.1 ($cpu)" awk -v c="$cpu" 'BEGIN { exit !(c < 0.1) }'

"$FLAME" bench --sidecar-pid "$idle" --no-load --duration 1 --allow-empty \
	--outdir "$T/idle2" >"$T/idle2.out" 2>&1 || die "--allow-empty: exit status $?"
check "--allow-empty: exit 0, still reported EMPTY" grep -q "profile perf-oncpu: EMPTY: 0 samples" "$T/idle2.out"

# --- an empty profile of a busy sidecar ------------------------------------
"$FLAME" bench --sidecar-pid "$busy" --no-load --duration 2 --grace 40 --label busy \
	--profile perf-oncpu --profile perf-pagefaults \
	--outdir "$T/busy" >"$T/busy.out" 2>"$T/busy.err" && rc=0 || rc=$?
cat "$T/busy.out"
check "busy: exit status 1 (one profile is empty)" test $rc = 1
check "busy: the on-CPU profile has samples" grep -Eq "^    profile perf-oncpu: perf.data \(flame.so\), [1-9][0-9]* samples" "$T/busy.out"
check "busy: the page-fault profile is EMPTY" grep -q "^    profile perf-pagefaults: EMPTY: 0 samples; " "$T/busy.out"
check "busy: with the CPU time the sidecar did use (not idle)" \
	grep -Eq "perf-pagefaults: EMPTY: .*used [0-9.]+ s of CPU in the 2 s run \(/proc/$busy/stat\)$" "$T/busy.out"
cpu=$(sed -n 's/^    cpu: \([0-9.]*\) s in the 2 s run.*/\1/p' "$T/busy.out")
check "busy: it used CPU ($cpu s; little when other work starves it)" awk -v c="$cpu" 'BEGIN { exit !(c > 0.02) }'
check "busy: the empty profile's graphs are not listed" bash -c "! grep -q '^ *wrote .*perf-pagefaults' '$T/busy.out'"

# --- --exec-prefix without a selector --------------------------------------
"$FLAME" bench --exec-prefix 'kubectl exec POD -c perf --' --duration 1 --outdir "$T/ep" \
	>"$T/ep.out" 2>"$T/ep.err" && rc=0 || rc=$?
cat "$T/ep.err"
check "--exec-prefix without a selector: exit 1" test $rc = 1
check "--exec-prefix without a selector: one line naming the selectors" \
	test "$(cat "$T/ep.err")" = "flame: bench: --exec-prefix needs a sidecar selector: --sidecar, --sidecar-pid, --sidecar-name or --container"
check "--exec-prefix without a selector: nothing started or written" \
	bash -c "[ ! -e '$T/ep' ] && ! grep -q 'starting the built-in' '$T/ep.err'"

# --- the caller's directory ------------------------------------------------
mkdir "$T/caller"
echo keep > "$T/caller/mine"
(cd "$T/caller" && "$FLAME" bench --sidecar-pid "$busy" --no-load --duration 2 --grace 40 --label cwd \
	--custom-profiling-command "perf record -q -F 99 -g -p {sidecar_pid} -- sleep {duration} && perf record -q -F 99 -g -p {sidecar_pid} -- sleep 0.2 && perf script" \
	--custom-profiling-name inplace --outdir "$T/cwd" >"$T/cwd.out" 2>"$T/cwd.err") ||
	{ cat "$T/cwd.err"; die "the custom command's run failed"; }
cat "$T/cwd.out"
check "custom command: rendered from its perf script text" grep -Eq "profile inplace: perf script text, [1-9][0-9]* samples" "$T/cwd.out"
check "custom command: the caller's directory is unchanged" test "$(ls -A "$T/caller")" = mine
# --- frame pointers: the default profile follows the sidecar's binary -------
[ -x "$PROGS/known_tree" ] && [ -x "$PROGS/tree_nofp" ] || die "no $PROGS/known_tree or tree_nofp (make tests-build)"
if :; then
	start_sidecar "$PROGS/known_tree" 60000	# -fno-omit-frame-pointer
	start_sidecar "$PROGS/tree_nofp" 60000	# -O2, as distributions build
	fp=$(child_of "${holders[2]}")
	nofp=$(child_of "${holders[3]}")
	"$FLAME" bench --sidecar fp=pid:$fp --sidecar nofp=pid:$nofp --no-load --duration 1 --grace 40 \
		--allow-empty --outdir "$T/fp" >"$T/fp.out" 2>"$T/fp.err" || { cat "$T/fp.err"; die "frame pointer run failed"; }
	cat "$T/fp.err"
	check "fp: the binary with frame pointers keeps perf-oncpu" \
		grep -q "^flame: bench: profile fp perf-oncpu: perf record -F 99 -g -p $fp " "$T/fp.err"
	check "nofp: said why it is profiled with DWARF" \
		grep -Eq "^flame: bench: sidecar nofp pid $nofp: its executable keeps no frame pointers \(0 of [0-9]+ functions .*\): profiling it with perf-oncpu-dwarf$" "$T/fp.err"
	check "nofp: perf-oncpu-dwarf ran" grep -q "^flame: bench: profile nofp perf-oncpu-dwarf: perf record -F 99 --call-graph dwarf" "$T/fp.err"
	check "nofp: files named by it" bash -c "ls '$T/fp' | grep -q -- '-nofp-perf-oncpu-dwarf\.'"
	# asked for explicitly, perf-oncpu stays, with a warning
	"$FLAME" bench --sidecar-pid $nofp --profile perf-oncpu --no-load --duration 1 --grace 40 \
		--allow-empty --outdir "$T/fp2" >"$T/fp2.out" 2>"$T/fp2.err" || { cat "$T/fp2.err"; die "explicit perf-oncpu run failed"; }
	check "explicit perf-oncpu: kept, with a warning" \
		grep -q "^flame: warning: bench: sidecar pid $nofp: its executable keeps no frame pointers .*--profile perf-oncpu-dwarf unwinds them$" "$T/fp2.err"
	check "explicit perf-oncpu: it ran" grep -q "^flame: bench: profile perf-oncpu: perf record -F 99 -g " "$T/fp2.err"
else
	echo "NOTE: test programs not built (make tests-build): frame pointer detection not exercised"
fi
echo PASS
