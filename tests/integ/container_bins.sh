#!/bin/bash
# Binaries kept while alive: a container runs a binary that exists only in
# its own tmpfs for 1 s of CPU time under flame record -a, which ends 1 s
# after the container is gone. perf looks for binaries when the recording
# ends, when that root is gone; flame
# record copied the binary (by build id, through /proc/PID/map_files) into
# perf's build-id cache while it ran, and perf recorded the build ids
# (--buildid-mmap). Control: the same run with --no-keep-binaries (build
# ids still recorded, --buildid-mmap) leaves the binary's frames unnamed, so
# the check can fail.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
[ -x "$PROGS/known_tree" ] || die "$PROGS/known_tree not built"
cd "$T" || die "cd $T"
cp "$PROGS/known_tree" kt || die "copy known_tree"
# known_tree's own functions (text symbols)
syms=$(nm kt | awk '$2 ~ /^[tT]$/ {print $3}' | tr '\n' ' ')
cat > ctr.sh <<'EOS'
mount -t tmpfs ctr-root /mnt || exit 1
d=/mnt/flame-bins-$2
mkdir -p "$d" && cp "$1" "$d/kt-ctr" && cd "$d" && exec ./kt-ctr 1000
EOS

# run MODE: record with or without the feature into MODE.folded; prints
# "named unnamed" frames of the container binary
run() {
	local mode=$1 extra=
	# off keeps --buildid-mmap: without it perf 6.1 may abort on MMAP2
	# records that another session's build ids left flagged (see
	# container_hostjava.sh), and the control then differs in the copies only
	[ "$mode" = off ] && extra="--no-keep-binaries --buildid-mmap"
	mkdir -p "bid-$mode"
	# start once perf records: perf starts the recorded command once its
	# events are on, and that command makes MODE.started (a loaded machine
	# may take seconds to get there; pgrep could see another test's perf).
	# known_tree runs for 1 s of CPU time (wall time: few samples on a
	# loaded machine); the recorded command waits for the container's end.
	( for _ in $(seq 1 1200); do
		[ -e "$mode.started" ] && break
		sleep 0.1
	  done
	  sleep 0.5
	  unshare -m -p -f --mount-proc sh "$T/ctr.sh" "$T/kt" $$ >/dev/null 2>&1
	  touch "$mode.done" ) &
	local bg=$!
	PERF_BUILDID_DIR=$T/bid-$mode timeout 240 "$FLAME" record $extra -a \
		-e cpu-clock -F 499 -g -o "$mode.data" -- \
		sh -c "touch $mode.started
			for i in \$(seq 1800); do [ -e $mode.done ] && break; sleep 0.1; done
			sleep 1" \
		> "rec-$mode.out" 2> "rec-$mode.err" ||
		{ cat "rec-$mode.err" >&2; die "flame record ($mode) failed"; }
	wait "$bg"
	grep '^flame' "rec-$mode.err" >&2
	# perf 6.1 sets PERF_BUILDID_DIR for its children but never reads it:
	# --buildid-dir points it at this run's cache alone (with $HOME/.debug
	# the check passed only when an earlier perf record of known_tree had
	# cached a binary with the same build id there, and failed on others)
	timeout 240 perf --buildid-dir "$T/bid-$mode" script -i "$mode.data" \
		--dlfilter "$FLAME_SO" --dlarg out="$mode.folded" 2> "plugin-$mode.err" ||
		{ cat "plugin-$mode.err" >&2; die "flame.so failed ($mode)"; }
	awk -v syms="$syms" 'BEGIN { n = split(syms, a, " "); for (i = 1; i <= n; i++) own[a[i]] = 1 }
	/^kt-ctr;/ {
		w = $NF; sub(/ [0-9]+$/, "")
		n = split($0, f, ";")
		for (i = 2; i <= n; i++) {
			if (f[i] == "[kt-ctr]") u += w
			else if (f[i] in own) k += w
		}
	} END { printf "%.0f %.0f\n", k, u }' "$mode.folded"
}

read -r named unnamed < <(run on)
echo "kept: the binary's frames named $named, unnamed $unnamed"
check "the container ran under the recording" [ $((named + unnamed)) -ge 200 ]
check "its binary was copied to the build-id cache" \
	test -f "bid-on/.build-id/$(readelf -n kt | awk '/Build ID/ {print substr($3, 1, 2) "/" substr($3, 3)}')/elf"
check ">= 99% of the binary's frames named after its container exited" ratio_ok "$named" "$unnamed" 99
check "main;phase_one;leaf_one_a;spin named" grep -q '^kt-ctr;.*main;phase_one;leaf_one_a;spin' on.folded

read -r named unnamed < <(run off)
echo "not kept (--no-keep-binaries): named $named, unnamed $unnamed"
check "control: without the copies most of them are unnamed" [ $((unnamed * 2)) -gt $((named + unnamed)) ]
echo PASS
