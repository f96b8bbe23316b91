#!/bin/bash
# Runs every unit test binary and every end-to-end script; prints one
# closing line "N passed, N failed, N skipped". Exit 0 only when none failed.
# Integration scripts: exit 0 = pass, 77 = skip (reason on stdout), else fail.
# ONLY=pattern runs the matching tests only; TESTS="a b" runs only these
# end-to-end scripts (by name), with every unit test.
set -u
set -o pipefail
BUILD=${BUILD:-build}
export BUILD
export FLAME_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$FLAME_TOP"
BUILD=$(cd "$BUILD" && pwd)
export BUILD
pass=0 fail=0 skip=0 failed=()
logdir=$BUILD/test-logs
mkdir -p "$logdir"

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	[ -n "${ONLY:-}" ] && [[ $n != *$ONLY* ]] && continue
	out=$("$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	printf '%s\n' "$out" > "$logdir/$n.log"
	if [ "$f" != 0 ]; then
		failed+=("$n")
		printf 'FAIL unit %s\n' "$n"
		printf '%s\n' "$out" | grep -E 'FAILED|ERROR|Failure|error' | head -20
	else
		printf 'ok   unit %s (%s tests)\n' "$n" "$p"
	fi
done

for t in tests/integ/*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	[ "$n" = lib ] && continue	# sourced by the others
	[ -n "${ONLY:-}" ] && [[ $n != *$ONLY* ]] && continue
	[ -n "${TESTS:-}" ] && [[ " $TESTS " != *" $n "* ]] && continue
	start=$(date +%s)
	timeout -k 10 600 bash "$t" > "$logdir/$n.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); printf 'ok   %s (%ss)\n' "$n" "$secs"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); printf 'skip %s: %s\n' "$n" "$(tail -n 1 "$logdir/$n.log")"
	else
		fail=$((fail + 1)); failed+=("$n")
		printf 'FAIL %s (exit %s, %ss); last lines of %s:\n' "$n" "$rc" "$secs" "$logdir/$n.log"
		tail -n 25 "$logdir/$n.log" | sed 's/^/    /'
	fi
done

[ ${#failed[@]} -gt 0 ] && printf 'failed: %s\n' "${failed[*]}"
printf '%d passed, %d failed, %d skipped\n' "$pass" "$fail" "$skip"
[ $fail -eq 0 ]
