#!/bin/bash
# The option table (lib/model/opts.c, plugin/cfg.c, FG_GRP_* groups) against
# the help texts and the docs' option tables: a command lists and accepts
# only its groups, and every option a doc table names is one the command
# takes, and the other way round.
. "$(dirname "$0")/lib.sh"
set -o pipefail
D=$FLAME_TOP/docs

# option names in the first column of a doc's tables: `--x`, `x`, `x=...`
doc_opts() {
	grep '^| `' "$1" | cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`' |
		sed -E 's/^--//; s/[= ].*//' | grep -E '^[a-z][a-z0-9-]*$' | sort -u
}
# option names a CLI help text lists ("  --name ...")
help_opts() {
	grep -E '^  --[a-z][a-z0-9-]*' | sed -E 's/^  --//; s/[ =,].*//' | sort -u
}

for c in svg heatmap; do
	"$FLAME" $c --help > "$T/$c.help" || die "flame $c --help"
	help_opts < "$T/$c.help" > "$T/$c.h"
	doc_opts "$D/$c.md" > "$T/$c.d"
	extra=$(comm -23 "$T/$c.d" "$T/$c.h" | tr '\n' ' ')
	check "docs/$c.md tables name only options flame $c takes (extra: $extra)" [ -z "$extra" ]
	missing=$(comm -13 "$T/$c.d" "$T/$c.h" | grep -vx 'out\|format\|help' | tr '\n' ' ')
	check "docs/$c.md tables name every option flame $c lists (missing: $missing)" [ -z "$missing" ]
done

# a command lists and takes only its groups
check "heatmap does not list graph-only options" bash -c "! grep -Eq '^  --(flamechart|reverse|colors|normalize) ' '$T/heatmap.help'"
check "svg does not list heatmap or diff options" bash -c "! grep -Eq '^  --(rows|idle|normalize|strip-hex) ' '$T/svg.help'"
rc=0; "$FLAME" heatmap --flamechart "$FLAME_TOP/tests/data/collapse/c.perf.txt" 2>"$T/err" >/dev/null || rc=$?
check "heatmap refuses --flamechart" [ $rc != 0 ]
check "naming it" grep -q "unknown option '--flamechart'" "$T/err"
rc=0; "$FLAME" svg --rows 5 "$FLAME_TOP/tests/data/collapse/c.folded" 2>"$T/err" >/dev/null || rc=$?
check "svg refuses --rows" [ $rc != 0 ]
check "diff lists --normalize once" [ "$("$FLAME" diff --help | grep -c -- '--normalize')" = 1 ]

command -v perf >/dev/null || die "perf not installed (scripts/deps.sh build)"
perf record -q -e cpu-clock -F 499 -g -o "$T/p.data" -- "$PROGS/known_tree" 300 >/dev/null 2>&1 ||
	die "perf record failed"
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg help > "$T/plugin.help" 2>&1 || die "--dlarg help"
check "plugin help does not list diff options" bash -c "! grep -Eq '^  (normalize|strip-hex)=' '$T/plugin.help'"
rc=0; perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg normalize=1 \
	--dlarg out="$T/n.folded" >/dev/null 2>"$T/err" || rc=$?
check "plugin refuses normalize=" grep -q "unknown option 'normalize=1'" "$T/err"
# a selection that matches nothing: one line, non-zero exit, nothing written
rc=0; perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg container=nosuch \
	--dlarg out="$T/c.folded" >/dev/null 2>"$T/err" || rc=$?
check "container=nosuch exits non-zero" [ $rc != 0 ]
check "in one line" [ "$(grep -c . "$T/err")" = 1 ]
check "saying the selection matched nothing" grep -q 'container=nosuch matched none of the [0-9]* samples' "$T/err"
check "and writing nothing" [ ! -e "$T/c.folded" ]
# flame report passes flags through without eating the next argument
(cd "$T" && "$FLAME" report -i p.data --kernel-only -o k.svg) >/dev/null 2>"$T/err" ||
	{ grep -q 'sandbox' "$T/err" && skip "flame report cannot sandbox here"; die "flame report --kernel-only -o k.svg: $(cat "$T/err")"; }
check "flame report --kernel-only -o k.svg writes k.svg" [ -s "$T/k.svg" ]
exit 0
