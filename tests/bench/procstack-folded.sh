#!/bin/bash
# Stand-in for a bcc tool with -f when bcc cannot run (no kernel headers):
# samples the kernel stacks of every thread of PID from /proc/PID/task/*/stack
# (root only) every 10 ms for DURATION seconds, and prints folded stacks
# "comm;outer;...;inner_[k] COUNT" like `offcputime-bpfcc -f` does.
# usage: procstack-folded.sh PID DURATION
set -u
set -o pipefail
pid=$1 dur=$2
[ -r "/proc/$pid/stack" ] || { echo "procstack-folded: cannot read /proc/$pid/stack" >&2; exit 1; }
end=$((SECONDS + dur))
while [ $SECONDS -lt $end ] && [ -d "/proc/$pid" ]; do
	for t in /proc/"$pid"/task/*; do
		comm=$(<"$t/comm") 2>/dev/null || continue
		st=$(<"$t/stack") 2>/dev/null || continue
		[ -n "$st" ] || continue
		printf '%s\n%s\n--\n' "$comm" "$st"
	done
	sleep 0.01
done | awk '
	function flush(   s, i) {
		if (comm == "" || n == 0) return
		s = comm
		for (i = n; i >= 1; i--) s = s ";" f[i] "_[k]"
		count[s]++
	}
	$0 == "--" { flush(); comm = ""; n = 0; next }
	comm == "" { comm = $0; gsub(/[; ]/, "_", comm); next }
	{ sub(/^\[<[0-9a-f]+>\] /, ""); sub(/\+0x[0-9a-f]+\/0x[0-9a-f]+$/, ""); f[++n] = $0 }
	END { flush(); for (s in count) print s, count[s] }'
