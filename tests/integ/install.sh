#!/bin/bash
# make install PREFIX=... installs flame.so, flame and the docs, and the
# installed pieces work from there.
. "$(dirname "$0")/lib.sh"

make -s -C "$FLAME_TOP" BUILD="$BUILD" install DESTDIR="$T/root" PREFIX=/usr/local >"$T/log" 2>&1 ||
	die "make install failed: $(tail -3 "$T/log")"
R=$T/root/usr/local
check "flame.so installed" test -f "$R/lib/perf-flame/flame.so"
check "flame installed" test -x "$R/bin/flame"
check "docs installed" test -f "$R/share/doc/perf-flame/plugin.md"
check "installed flame runs" "$R/bin/flame" --help
printf 'a;b 3\na;c 1\n' > "$T/in.folded"
check "installed flame renders" bash -c "'$R/bin/flame' svg '$T/in.folded' > '$T/o.svg' && xmllint --noout '$T/o.svg'"
