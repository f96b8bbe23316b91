#!/bin/bash
# Man pages from the help texts (which come from the option table), so there
# is no second copy to keep in sync: flame(1), flame-CMD(1) for every command
# `flame --help` lists, and flame.so(1) from `--dlarg help`.
# usage: scripts/mkman.sh BUILD_DIR OUT_DIR
set -eu -o pipefail
B=$1 O=$2
FLAME=$B/flame
mkdir -p "$O"
ver=$(git -C "$(dirname "$0")/.." describe --always --dirty 2>/dev/null || echo unknown)
date=$(date -u +%Y-%m-%d ${SOURCE_DATE_EPOCH:+-d @$SOURCE_DATE_EPOCH})

# help text on stdin -> man page on stdout (one awk: no process per line)
to_man() {
	awk -v name="$1" -v what="$2" -v date="$date" -v ver="$ver" '
	# roff-escape text: backslashes, hyphens, a leading . or \047
	function esc(s) {
		gsub(/\\/, "\\e", s)
		gsub(/-/, "\\-", s)
		gsub(/\342\200\224/, "\\(em", s)	# UTF-8 em dash
		if (s ~ /^[.\047]/)
			s = "\\&" s
		return s
	}
	BEGIN {
		printf ".TH %s 1 \"%s\" \"perf-flame %s\" \"perf-flame manual\"\n", esc(toupper(name)), date, ver
		printf ".SH NAME\n%s \\- %s\n", esc(name), esc(what)
	}
	/^usage: / { sub(/^usage: /, ""); print ".SH SYNOPSIS"; print ".nf"; print esc($0); insyn = 1; next }
	insyn && /^       / { sub(/^ +/, ""); print esc($0); next }
	insyn { print ".fi"; insyn = 0; print ".SH DESCRIPTION" }
	/^[A-Z][A-Za-z ]*:$/ { print ".SH " toupper(substr($0, 1, length($0) - 1)); next }
	/^  -/ || /^  [a-z][a-z0-9_-]*=/ || /^  [a-z][a-z0-9_-]* +[A-Z]/ {
		line = $0
		sub(/^  /, "", line)
		print ".TP"
		if (match(line, /   +/)) {
			print esc(substr(line, 1, RSTART - 1))
			print esc(substr(line, RSTART + RLENGTH))
		} else {
			print esc(line)
		}
		next
	}
	/^$/ { print ".PP"; next }
	{ sub(/^ +/, ""); print esc($0) }
	END {
		if (insyn)
			print ".fi"
		print ".SH SEE ALSO"
		print "\\fBflame\\fR(1), \\fBperf\\-script\\fR(1), /usr/share/doc/perf\\-flame/"
	}'
}

"$FLAME" --help 2>&1 | to_man flame "flame graphs from perf, containers and sidecars" > "$O/flame.1"
cmds=$("$FLAME" --help 2>&1 | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
for c in $cmds; do
	what=$("$FLAME" --help 2>&1 | awk -v c="$c" '$1 == c { $1 = ""; sub(/^ +/, ""); print; exit }')
	"$FLAME" "$c" --help 2>&1 | to_man "flame-$c" "$what" > "$O/flame-$c.1"
done
# flame.so: perf needs a perf.data to load a dlfilter; a tiny one will do
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if perf record -q -e cpu-clock -o "$T/p.data" -- true > /dev/null 2>&1; then
	perf script -i "$T/p.data" --dlfilter "$B/flame.so" --dlarg help 2>&1 |
		to_man flame.so "perf dlfilter drawing flame graphs (perf script --dlfilter flame.so)" \
		> "$O/flame.so.1"
else
	echo "mkman: perf record failed; flame.so(1) not made" >&2
fi
