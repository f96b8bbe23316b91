#!/bin/bash
# The option tables (lib/model/opts.c, lib/names/namer.c, plugin/cfg.c, each
# command's own; FG_GRP_* groups) against the help texts and the docs: a
# command lists and takes only its groups; every option a doc table names is
# one the command takes, and every option it takes is in its doc's table or
# in the tables of the commands whose options it shares; the plugin's option
# list in docs/plugin.md is its --dlarg help, verbatim.
. "$(dirname "$0")/lib.sh"
D=$FLAME_TOP/docs

# the tables of docs FILE (all of them) or FILE#ID (the one after "<!-- options: ID -->")
doc_tables() {
	local f
	for f in "$@"; do
		case $f in
		*#*) awk -v id="${f#*#}" '$0 == "<!-- options: " id " -->" {o = 1; next}
			o && /^\|/ {t = 1; print; next} o && t {exit}' "$D/${f%%#*}" ;;
		*) grep '^|' "$D/$f" ;;
		esac
	done
}
# option names in the first column of docs' tables: `--x`, `x`, `x=...`, `-x, --y`
doc_opts() {
	doc_tables "$@" | sed 's/\\|/\//g' | grep '^| `' | cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`' |
		sed -E 's/^-[a-zA-Z], //; s/^--//; s/[=[ ].*//' | grep -E '^[a-z][a-z0-9-]*$' | sort -u
}
# option names a CLI help text lists ("  --name ...", "  -x, --name ...")
help_opts() {
	grep -E '^  (-[a-zA-Z], )?--[a-z][a-z0-9-]*' | sed -E 's/^  (-[a-zA-Z], )?--//; s/[][ =,].*//' | sort -u
}
# COMMAND OWN-DOC OTHER-DOCS...: the command's doc tables against its help
docs_match() {
	local c=$1 own=$2 extra missing
	shift 2
	"$FLAME" $c --help > "$T/$c.help" || die "flame $c --help"
	help_opts < "$T/$c.help" > "$T/$c.h"
	doc_opts "$own" > "$T/$c.own"
	doc_opts "$own" "$@" > "$T/$c.d"
	[ -s "$T/$c.h" ] || die "flame $c --help lists no option"
	extra=$(comm -23 "$T/$c.own" "$T/$c.h" | tr '\n' ' ')
	check "docs/$own: tables name only options flame $c takes (extra: $extra)" [ -z "$extra" ]
	missing=$(comm -13 "$T/$c.d" "$T/$c.h" | grep -vx 'out\|format\|help' | tr '\n' ' ')
	check "docs tables name every option flame $c lists, $(grep -c . "$T/$c.h") (missing: $missing)" [ -z "$missing" ]
}

docs_match svg svg.md
docs_match heatmap heatmap.md collapse.md
docs_match collapse collapse.md svg.md heatmap.md
docs_match diff diff.md collapse.md svg.md
docs_match profile profile.md svg.md heatmap.md
docs_match record "containers.md#record"
docs_match snapshot "containers.md#snapshot"
docs_match bench "bench.md#bench" svg.md heatmap.md

# a command lists and takes only its groups
check "heatmap does not list graph-only options" bash -c "! grep -Eq '^  --(flamechart|reverse|colors|normalize) ' '$T/heatmap.help'"
check "svg does not list heatmap or diff options" bash -c "! grep -Eq '^  --(rows|idle|normalize|strip-hex) ' '$T/svg.help'"
check "profile does not list diff options" bash -c "! grep -Eq '^  --(normalize|strip-hex) ' '$T/profile.help'"
rc=0; "$FLAME" heatmap --flamechart "$FLAME_TOP/tests/data/collapse/c.perf.txt" 2>"$T/err" >/dev/null || rc=$?
check "heatmap refuses --flamechart" [ $rc != 0 ]
check "naming it" grep -q "unknown option '--flamechart'" "$T/err"
rc=0; "$FLAME" svg --rows 5 "$FLAME_TOP/tests/data/collapse/c.folded" 2>"$T/err" >/dev/null || rc=$?
check "svg refuses --rows" [ $rc != 0 ]
check "diff lists --normalize once" [ "$(grep -c -- '--normalize' "$T/diff.help")" = 1 ]
# the table's checks run in every parser: ranges, values, --no-flag
rc=0; "$FLAME" bench --qps -1 --no-load >/dev/null 2>"$T/err" || rc=$?
check "bench --qps -1 refused by the table's range" grep -q 'option --qps -1: expects a whole number from 0 to 10000000' "$T/err"
rc=0; "$FLAME" collapse --weight bytes "$FLAME_TOP/tests/data/collapse/c.perf.txt" >/dev/null 2>"$T/err" || rc=$?
check "collapse --weight bytes refused" grep -q 'option --weight bytes: expects samples or period' "$T/err"
rc=0; "$FLAME" snapshot --interval 0 -o "$T/snap" >/dev/null 2>"$T/err" || rc=$?
check "snapshot --interval 0 refused, exit non-zero" [ $rc != 0 ]
check "naming the range" grep -q 'option --interval 0: expects seconds between 0.01 and 3600' "$T/err"
"$FLAME" collapse --period --no-demangle "$FLAME_TOP/tests/data/collapse/c.perf.txt" > "$T/p.folded" ||
	die "collapse --period --no-demangle"
"$FLAME" collapse --weight=period "$FLAME_TOP/tests/data/collapse/c.perf.txt" > "$T/w.folded" ||
	die "collapse --weight=period"
check "collapse --period is --weight=period" cmp -s "$T/p.folded" "$T/w.folded"

command -v perf >/dev/null || die "perf not installed (scripts/deps.sh build)"
perf record -q -e cpu-clock -F 499 -g -o "$T/p.data" -- "$PROGS/known_tree" 300 >/dev/null 2>&1 ||
	die "perf record failed"
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg help > "$T/plugin.help" 2>&1 || die "--dlarg help"
# docs/plugin.md: the block after "## Options" is the help, verbatim
awk '/^## Options/ {o = 1} o && /^```$/ {if (b) exit; b = 1; next} b' "$D/plugin.md" > "$T/plugin.doc"
check "docs/plugin.md's option list is --dlarg help ($(grep -c '=' "$T/plugin.help") options)" \
	diff -u "$T/plugin.doc" "$T/plugin.help"
check "plugin help does not list diff options" bash -c "! grep -Eq '^  (normalize|strip-hex)=' '$T/plugin.help'"
# the shared naming table: the same rows, the same text in flame.so and flame profile
for o in annotate kernel-only user-only show-pid show-tid addrs; do
	pl=$(grep -E "^  $o=" "$T/plugin.help" | sed -E 's/^  [^ ]+ +//')
	pr=$(grep -E "^  --$o( |$)" "$T/profile.help" | sed -E 's/^  [^ ]+( [A-Z]+)? +//')
	check "$o: one row for flame.so and flame profile ($pl)" [ -n "$pl" -a "$pl" = "$pr" ]
done
rc=0; perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg normalize=1 \
	--dlarg out="$T/n.folded" >/dev/null 2>"$T/err" || rc=$?
check "plugin refuses normalize=" grep -q "unknown option 'normalize=1'" "$T/err"
rc=0; perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg annotate=java \
	--dlarg out="$T/n.folded" >/dev/null 2>"$T/err" || rc=$?
check "plugin refuses annotate=java, naming the values" grep -q "option 'annotate=java': expects kernel, jit, all or none" "$T/err"
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
