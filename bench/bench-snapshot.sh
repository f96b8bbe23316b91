#!/bin/bash
# flame record's own polling cost (issue 18): `flame snapshot` (the polls,
# process events, pins and map copies of flame record, without perf) while
# 100 containers live 50 ms each, four at a time, each a JIT with its own
# tmpfs /tmp (the burst of tests/integ/container_burst.sh). Own CPU is the
# snapshot's summary line (getrusage of the whole process). FLAME_BASE=
# path/to/flame polls the same burst side by side (before/after): both see
# the same host churn, which decides most of the cost. RUNS runs (default 3).
set -eu
RUNS=${RUNS:-3}
BASE=${FLAME_BASE:-}
[ "$(id -u)" = 0 ] || { echo "bench-snapshot: needs root (unshare, process events); skipped"; exit 0; }
W=$B/snapshot
mkdir -p "$W"
cat > "$W/burst.sh" <<EOS
for i in \$(seq 1 100); do
	unshare -m -p -f --mount-proc sh -c 'mount -t tmpfs ctr-tmp /tmp && exec "\$@"' sh \\
		$BUILD/progs/jitsim -t 0.05 "burst\${i}_fn" > /dev/null &
	[ \$((i % 4)) = 0 ] && wait
done
wait
EOS
own() { sed -n 's/.*own CPU \([0-9.]*\) ms (\([0-9.]*\)% of \([0-9.]*\) s).*/\2% (\1 ms of \3 s)/p' "$1"; }
maps() { grep -l ' burst[0-9]*_fn$' "$1"/*.map 2>/dev/null | wc -l; }
for r in $(seq "$RUNS"); do
	rm -rf "$W/new" "$W/base"
	"$BUILD/flame" snapshot -o "$W/new" --duration 25 2>"$W/new.err" &
	n=$!
	if [ -n "$BASE" ]; then
		"$BASE" snapshot -o "$W/base" --duration 25 2>"$W/base.err" &
		b=$!
	fi
	sleep 1
	bash "$W/burst.sh"
	wait "$n"
	line="run $r: flame snapshot $(own "$W/new.err"), $(maps "$W/new") of 100 maps"
	if [ -n "$BASE" ]; then
		wait "$b"
		line="$line; FLAME_BASE $(own "$W/base.err"), $(maps "$W/base") of 100 maps"
	fi
	echo "$line; $(grep -o '[0-9]* process exec/exit events' "$W/new.err")"
done
