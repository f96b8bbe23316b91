#!/bin/bash
# make check N times in a row, each on a fresh clone of one commit, while
# a CPU hog (one busy loop per HOGS) runs beside it: the check that the
# suite does not depend on an idle machine (issue #16 item 10).
#
#   tests/loaded.sh [-n RUNS] [-j HOGS] [-c COMMIT] [-d LOGDIR]
#
# Each run: git clone, make perf-patched (so perf_patched does not skip),
# make check. One summary line per run goes to LOGDIR/summary (commit, exit
# status, seconds, the closing "N passed" line, load average); the full
# logs stay in LOGDIR. Stops at the first failed run unless KEEP_GOING=1.
# Exit 0 only when every run passed with nothing skipped.
set -u
runs=5 hogs=1 commit=HEAD logdir=
while getopts n:j:c:d:h o; do
	case $o in
	n) runs=$OPTARG ;;
	j) hogs=$OPTARG ;;
	c) commit=$OPTARG ;;
	d) logdir=$OPTARG ;;
	*) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$top" rev-parse --verify "$commit^{commit}") || {
	echo "loaded.sh: $commit: not a commit of $top" >&2; exit 2; }
[ -n "$logdir" ] || logdir=$(mktemp -d /var/tmp/flame-loaded.XXXXXX)
mkdir -p "$logdir" || exit 2
pids=()
for _ in $(seq "$hogs"); do
	sh -c 'while :; do :; done' &
	pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
echo "loaded.sh: $runs runs of make check at ${commit:0:12}, $hogs hog(s); logs in $logdir" >&2
bad=0
for i in $(seq "$runs"); do
	d=$(mktemp -d /var/tmp/flame-clone.XXXXXX)
	s=$(date +%s)
	{ git clone -q "$top" "$d" && git -C "$d" checkout -q "$commit" &&
	  make -C "$d" perf-patched > "$logdir/perf-patched.$i.log" 2>&1 &&
	  make -C "$d" check > "$logdir/check.$i.log" 2>&1; }
	rc=$?
	last=$(grep -E '^[0-9]+ passed, ' "$logdir/check.$i.log" 2>/dev/null | tail -1)
	line="run $i commit ${commit:0:12} exit $rc $(( $(date +%s) - s )) s: ${last:-no result} (load $(cut -d' ' -f1-3 /proc/loadavg))"
	echo "$line" | tee -a "$logdir/summary" >&2
	[ -d "$d/build/test-logs" ] && cp -r "$d/build/test-logs" "$logdir/test-logs.$i"
	rm -rf "$d"
	case $last in *" 0 failed, 0 skipped") [ $rc = 0 ] || bad=1 ;; *) bad=1 ;; esac
	[ $bad = 1 ] && [ "${KEEP_GOING:-0}" != 1 ] && break
done
exit $bad
