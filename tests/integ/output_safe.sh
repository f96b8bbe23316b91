#!/bin/bash
# Output paths never replace what is at them (issue 16 items 1 and 5):
# `flame svg -o PATH`, flame.so `out=PATH` and the --cp palette save write
# devices (/dev/null, /dev/full), FIFOs and /dev/stdout in place, write a
# symbolic link's target (the link stays a link), replace a regular file
# atomically through a random temporary name (a planted symlink at the old
# predictable PATH.tmp.PID name is never followed), and accept a 250-byte
# file name. The /dev nodes are real device nodes made in a private tmpfs
# mounted over /dev in a private mount namespace, so a regression cannot
# touch the host's /dev.
. "$(dirname "$0")/lib.sh"

[ -x "$FLAME" ] || die "$FLAME not built"
printf 'main;a;b 3\nmain;c 2\n' > "$T/in.folded"

# ---- regular file, new file, symlink, 250-byte name ---------------------
"$FLAME" svg "$T/in.folded" -o "$T/new.svg" 2>/dev/null || die "new file"
check "new file written" grep -q '<svg' "$T/new.svg"
echo old > "$T/reg.svg"; chmod 0640 "$T/reg.svg"
"$FLAME" svg "$T/in.folded" -o "$T/reg.svg" 2>/dev/null || die "regular file"
check "regular file replaced" grep -q '<svg' "$T/reg.svg"
check "replaced file keeps its mode" test "$(stat -c %a "$T/reg.svg")" = 640
echo target > "$T/target.svg"
ln -s target.svg "$T/link.svg"
"$FLAME" svg "$T/in.folded" -o "$T/link.svg" 2>/dev/null || die "symlink"
check "symlink still a symlink" test -L "$T/link.svg"
check "symlink target written" grep -q '<svg' "$T/target.svg"
ln -s missing.svg "$T/dangling.svg"
"$FLAME" svg "$T/in.folded" -o "$T/dangling.svg" 2>/dev/null || die "dangling symlink"
check "dangling symlink kept" test -L "$T/dangling.svg"
check "dangling symlink's target created" grep -q '<svg' "$T/missing.svg"
long=$(printf 'x%.0s' $(seq 1 246)).svg
check "250-byte name" test ${#long} = 250
"$FLAME" svg "$T/in.folded" -o "$T/$long" 2>"$T/err" || die "250-byte name: $(cat "$T/err")"
check "250-byte name written" grep -q '<svg' "$T/$long"
check "no temporary files left" test -z "$(find "$T" -name '.flame-*')"
mkdir "$T/dir.svg"
check "directory refused" bash -c "! '$FLAME' svg '$T/in.folded' -o '$T/dir.svg' 2>'$T/err'"
check "directory error names it" grep -q "dir.svg.*directory" "$T/err"
check "directory untouched" test -d "$T/dir.svg"

# ---- --cp: a planted symlink at the old predictable temp name -----------
echo secret > "$T/secret"
printf 'main->rgb(1,2,3)\n' > "$T/pal.map"
# the old code wrote PATH.tmp.PID; plant links for the next pids
for i in $(seq 0 300); do ln -s "$T/secret" "$T/pal.map.tmp.$(($$ + i))" 2>/dev/null; done
(cd "$T" && "$FLAME" svg --cp=pal.map in.folded > cp.svg) || die "--cp failed"
check "palette rewritten" grep -q '^c->rgb' "$T/pal.map"
check "palette kept existing entry" grep -q '^main->rgb(1,2,3)$' "$T/pal.map"
check "planted symlink target untouched" test "$(cat "$T/secret")" = secret

# ---- FIFO with a reader --------------------------------------------------
mkfifo "$T/fifo"
timeout 90 cat "$T/fifo" > "$T/fifo.out" &
reader=$!
timeout 60 "$FLAME" svg "$T/in.folded" -o "$T/fifo" 2>/dev/null || die "FIFO write failed"
wait $reader
check "FIFO still a FIFO" test -p "$T/fifo"
check "FIFO reader got the SVG" grep -q '<svg' "$T/fifo.out"

# ---- /dev/stdout (a pipe and a file) -------------------------------------
"$FLAME" svg "$T/in.folded" -o /dev/stdout 2>/dev/null | cat > "$T/stdout.svg"
check "/dev/stdout to a pipe" grep -q '<svg' "$T/stdout.svg"
"$FLAME" svg "$T/in.folded" -o /dev/stdout > "$T/stdout2.svg" 2>/dev/null || die "/dev/stdout to a file"
check "/dev/stdout to a file" grep -q '<svg' "$T/stdout2.svg"

# ---- flame.so out=: regular, symlink, FIFO, stdout -----------------------
command -v perf >/dev/null || die "perf not installed"
[ -x "$PROGS/known_tree" ] || die "no $PROGS/known_tree (make tests-build)"
if :; then
	perf record -q -e cpu-clock -F 499 -g -o "$T/p.data" -- "$PROGS/known_tree" 300 \
		>/dev/null 2>"$T/rec.err" || die "perf record failed: $(cat "$T/rec.err")"
	echo target > "$T/ptarget.folded"
	ln -s ptarget.folded "$T/plink.folded"
	perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg "out=$T/plink.folded" \
		>/dev/null 2>"$T/err" || die "plugin symlink: $(cat "$T/err")"
	check "plugin: symlink kept" test -L "$T/plink.folded"
	check "plugin: symlink target written" grep -q known_tree "$T/ptarget.folded"
	mkfifo "$T/pfifo"
	timeout 150 cat "$T/pfifo" > "$T/pfifo.out" &
	reader=$!
	timeout 120 perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg format=folded --dlarg "out=$T/pfifo" \
		>/dev/null 2>"$T/err" || die "plugin FIFO: $(cat "$T/err")"
	wait $reader
	check "plugin: FIFO still a FIFO" test -p "$T/pfifo"
	check "plugin: FIFO reader got the stacks" grep -q known_tree "$T/pfifo.out"
	perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg format=folded --dlarg "out=/dev/stdout" \
		2>/dev/null | cat > "$T/pstdout.folded"
	check "plugin: /dev/stdout" grep -q known_tree "$T/pstdout.folded"
fi

# ---- devices, as root in a private mount namespace with its own /dev ----
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	cat > "$T/dev.sh" <<'EOS'
set -u
T=$1 FLAME=$2 FLAME_SO=$3
mount -t tmpfs -o mode=0755 flame-dev /dev || exit 3
mknod -m 0666 /dev/null c 1 3 && mknod -m 0666 /dev/full c 1 7 || exit 3
ln -s /proc/self/fd/1 /dev/stdout
fail=0
"$FLAME" svg "$T/in.folded" -o /dev/null 2>/dev/null || { echo "FAIL: -o /dev/null exit $?"; fail=1; }
[ -c /dev/null ] && echo "ok: /dev/null still a device" || { echo "FAIL: /dev/null replaced"; fail=1; }
if "$FLAME" svg "$T/in.folded" -o /dev/full 2>"$T/full.err"; then
	echo "FAIL: -o /dev/full exit 0"; fail=1
else
	grep -q 'No space left' "$T/full.err" && echo "ok: -o /dev/full fails with ENOSPC" ||
		{ echo "FAIL: /dev/full message: $(cat "$T/full.err")"; fail=1; }
fi
[ -c /dev/full ] && echo "ok: /dev/full still a device" || { echo "FAIL: /dev/full replaced"; fail=1; }
"$FLAME" svg "$T/in.folded" -o /dev/stdout > "$T/ns-stdout.svg" 2>/dev/null
[ -L /dev/stdout ] && echo "ok: /dev/stdout still a link" || { echo "FAIL: /dev/stdout replaced"; fail=1; }
grep -q '<svg' "$T/ns-stdout.svg" && echo "ok: /dev/stdout got the SVG" || { echo "FAIL: /dev/stdout empty"; fail=1; }
if [ -f "$T/p.data" ]; then
	perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg format=folded --dlarg out=/dev/null >/dev/null 2>&1
	perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg format=folded --dlarg out=/dev/full >/dev/null 2>&1
	[ -c /dev/null ] && [ -c /dev/full ] && echo "ok: plugin leaves /dev/null, /dev/full devices" ||
		{ echo "FAIL: plugin replaced a device"; fail=1; }
fi
exit $fail
EOS
	unshare -m --propagation private bash "$T/dev.sh" "$T" "$FLAME" "$FLAME_SO" > "$T/dev.out" 2>&1
	rc=$?
	cat "$T/dev.out"
	[ $rc = 3 ] && skip "cannot mount a private /dev"
	[ $rc = 0 ] || die "device checks failed"
	check "host /dev/null still a device" test -c /dev/null
else
	echo "  (device checks need root)"
fi
exit 0
