#!/bin/bash
# The include rules (scripts/check-layout.sh, docs/design.md "Headers"): the
# tree keeps them, and the check finds each kind of break in a copy of the
# tree — a lib/ folder including another's private header, cli/ including a
# lib/ header, a public header including a quoted one.
. "$(dirname "$0")/lib.sh"
CHECK=$FLAME_TOP/scripts/check-layout.sh

check "the tree keeps the include rules" "$CHECK" "$FLAME_TOP"

# a copy of the sources only (no build dir), then one break at a time
copy() {
	rm -rf "$T/tree"
	mkdir -p "$T/tree"
	(cd "$FLAME_TOP" && cp -r include lib plugin cli "$T/tree/")
}
# breaks FILE LINE WHAT: append LINE to FILE in a fresh copy; the check must
# fail and name FILE
breaks() {
	local file=$1 line=$2 what=$3 rc=0
	copy
	printf '%s\n' "$line" >>"$T/tree/$file"
	"$CHECK" "$T/tree" >"$T/out" 2>&1 || rc=$?
	cat "$T/out"
	[ "$rc" = 1 ] || die "$what: exit $rc, expected 1"
	out_has -F "$file:" <"$T/out" || die "$what: not named"
	echo "  ok: $what is found"
}
copy
check "an unchanged copy passes" "$CHECK" "$T/tree"
breaks lib/containers/snapshot.c '#include "collapse_int.h"' \
	"lib/containers including lib/input's private header"
breaks lib/output/out_svg.c '#include "../names/namer.c"' \
	"lib/output including a file of lib/names by a relative path"
breaks cli/bench/bench_run.c '#include "../../lib/input/live_int.h"' \
	"cli/ including a lib/ header by a relative path"
breaks cli/cmd_svg.c '#include "internal.h"' "cli/ including lib/internal.h"
breaks include/flame/flame.h '#include "internal.h"' \
	"a public header including a private one"
