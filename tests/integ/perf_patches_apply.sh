#!/bin/bash
# perf-patches/: each series (perf-patches/series for Debian's
# linux-source-6.1, perf-patches/6.12/series for linux-source-6.12) applies
# cleanly, in order, to that kernel's tools/perf, each patch passes the
# kernel's checkpatch.pl (--no-tree --strict: no errors, warnings or checks)
# and has the form the kernel asks for: "perf script: " subject,
# Signed-off-by, documentation in the same patch. Extracts only the files
# the patches touch (~15 s per version).
. "$(dirname "$0")/lib.sh"

"$FLAME_TOP"/scripts/deps.sh perfsrc || skip "cannot install linux-source-6.1"
pp=$FLAME_TOP/perf-patches

# every version's series: same patch names, in the same order
names() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1" | xargs -n1 basename; }
for s in "$pp"/*/series; do
	check "${s#"$pp"/} names the patches of series, in order" \
		cmp <(names "$pp/series") <(names "$s")
done

series_check() {	# SERIES_FILE VERSION
local series=$1 ver=$2 sdir tarball
sdir=$(dirname "$series")
tarball=/usr/src/linux-source-$ver.tar.xz
[ "$ver" = 6.1 ] && tarball=${PERF_TARBALL:-$tarball}
if [ ! -r "$tarball" ]; then
	[ "$ver" = 6.1 ] && skip "$tarball missing"
	"$FLAME_TOP"/scripts/deps.sh perfsrc612 || skip "cannot install linux-source-$ver"
fi
echo "--- linux-source-$ver: ${series#"$FLAME_TOP"/}"

# series <-> files
patches=()
while read -r p; do
	p=${p%%#*}
	p=${p//[[:space:]]/}
	[ -n "$p" ] || continue
	check "series entry $p exists" test -f "$sdir/$p"
	patches+=("$sdir/$p")
done < "$series"
check "series is not empty" test ${#patches[@]} -gt 0
for f in "$sdir"/*.patch; do
	check "$(basename "$f") is listed in series" grep -qxF "$(basename "$f")" "$series"
done

# the form of each patch
n=0
for p in "${patches[@]}"; do
	n=$((n + 1))
	b=$(basename "$p")
	check "$b: numbered $n in the series" test "${b%%-*}" = "$(printf '%04d' $n)"
	check "$b: made by git format-patch" grep -q '^From [0-9a-f]\{40\} ' "$p"
	check "$b: subject 'perf script: ...'" \
		grep -qE '^Subject: \[PATCH( [0-9]+/[0-9]+)?\] perf script: [A-Z]' "$p"
	check "$b: Signed-off-by" grep -qE '^Signed-off-by: .+ <[^>]+@[^>]+>$' "$p"
	check "$b: documentation in the same patch" \
		grep -qE '^diff --git a/tools/perf/Documentation/' "$p"
	check "$b: touches tools/perf only" \
		bash -c "! grep -E '^diff --git ' '$p' | grep -vq ' a/tools/perf/'"
done

# extract exactly the files the series touches, plus checkpatch
mapfile -t files < <(sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "${patches[@]}" | sort -u)
src=$T/src
rm -rf "$src"
mkdir -p "$src"
members=()
for f in "${files[@]}" scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch; do
	members+=("linux-source-$ver/$f")
done
tar -xJf "$tarball" -C "$src" --strip-components=1 "${members[@]}" 2>"$T/tar.err" ||
	die "extracting ${files[*]} from $tarball: $(cat "$T/tar.err")"

export GIT_CEILING_DIRECTORIES=$T
for p in "${patches[@]}"; do
	b=$(basename "$p")
	(cd "$src" && git apply --check "$p") 2>"$T/apply.err" ||
		die "$b does not apply: $(cat "$T/apply.err")"
	(cd "$src" && git apply --whitespace=error "$p") 2>"$T/apply.err" ||
		die "$b: $(cat "$T/apply.err")"
	echo "  ok: $b applies cleanly"
done
# The result is what patch -R undoes: nothing else changed.
for p in $(printf '%s\n' "${patches[@]}" | tac); do
	(cd "$src" && git apply -R --check "$p") || die "$(basename "$p") does not reverse"
	(cd "$src" && git apply -R "$p")
done
echo "  ok: the series reverses cleanly"

for p in "${patches[@]}"; do
	b=$(basename "$p")
	out=$(perl "$src"/scripts/checkpatch.pl --no-tree --strict --no-color "$p" 2>&1) || true
	summary=$(printf '%s\n' "$out" | grep '^total: ')
	if [[ $summary != "total: 0 errors, 0 warnings, 0 checks,"* ]]; then
		printf '%s\n' "$out"
		die "$b: checkpatch.pl --no-tree --strict: $summary"
	fi
	echo "  ok: $b: checkpatch.pl --no-tree --strict: $summary"
done
}

series_check "$pp/series" 6.1
for s in "$pp"/*/series; do
	series_check "$s" "$(basename "$(dirname "$s")")"
done
