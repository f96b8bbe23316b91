#!/bin/bash
# flame profile names the frames of a stripped binary from its separate
# debug file (.gnu_debuglink next to it), and only from it.
. "$(dirname "$0")/lib.sh"
set -o pipefail
need_root "perf_event_open for another process"
command -v objcopy >/dev/null || skip "objcopy not installed (binutils)"
D=$(mktemp -d /var/tmp/flame-dbg.XXXXXX) || die "mktemp"
cleanup_hooks+=("rm -rf $D")
cp "$PROGS/known_tree" "$D/kt" || die "cp"
objcopy --only-keep-debug "$D/kt" "$D/kt.debug" || die "objcopy --only-keep-debug"
strip --strip-all "$D/kt" || die "strip"
cp "$D/kt" "$D/kt_nolink"
objcopy --add-gnu-debuglink="$D/kt.debug" "$D/kt" || die "objcopy --add-gnu-debuglink"
readelf -S "$D/kt" > "$T/kt.sections" || die "readelf -S kt"
grep -q '\.symtab' "$T/kt.sections" && die "kt still has .symtab"

for b in kt kt_nolink; do
	"$D/$b" 2000 &
	pid=$!
	"$FLAME" profile -p "$pid" -F 499 -o "$T/$b.folded" 2>"$T/$b.err" ||
		die "flame profile failed: $(cat "$T/$b.err")"
	wait "$pid"
done
named=$(folded_match "$T/kt.folded" '^kt;.*main;phase_one;leaf_one_a;spin')
total=$(folded_total "$T/kt.folded")
echo "stripped + debuglink: $named of $total samples in main;phase_one;leaf_one_a;spin"
check "debug file named the stripped binary's functions" test "$named" -gt 50
check "without the link: no names, the file's [kt_nolink]" \
	test -z "$(grep -E 'leaf_one_a|phase_one' "$T/kt_nolink.folded")"
check "without the link: frames show the file" grep -q '\[kt_nolink\]' "$T/kt_nolink.folded"
exit 0
