#!/bin/bash
# The perfs built by `make perf-patched [PERF_SRC=6.12]` (perf-patches/
# applied to Debian's linux-source-6.1 or -6.12): `perf script -s flame.so WORDS` writes what
# `perf script --dlfilter flame.so --dlarg WORDS` writes, the words reach the
# filter exactly as --dlarg values, `-s x.so` with --dlfilter is an error, and
# Python and Perl -s scripts behave as with Debian's perf.
# Needs $BUILD/perf-patched/perf: `make check-perf-patched` builds it first;
# plain `make check` skips this test when it is absent (the build takes ~1 min).
. "$(dirname "$0")/lib.sh"

# Every patched perf that is built: 6.1 and, when built, 6.12
# (make perf-patched PERF_SRC=6.12), each in a run of this script.
if [ -z "${FLAME_PP:-}" ]; then
	ran=0
	for p in "$BUILD/perf-patched/perf" "$BUILD"/perf-patched-*/perf; do
		[ -x "$p" ] || continue
		echo "=== $p"
		FLAME_PP=$p bash "$0" || exit $?
		ran=1
	done
	[ $ran = 1 ] || skip "no $BUILD/perf-patched/perf: run make perf-patched (or make check-perf-patched)"
	exit 0
fi
PP=$FLAME_PP
[ -f "$FLAME_SO" ] || skip "no $FLAME_SO"
"$PP" version --build-options >"$T/opts" || die "$PP does not run"
grep -q '+flame' <("$PP" --version) || die "$PP is not the patched build: $("$PP" --version)"

# A dlfilter that prints the arguments it got.
gcc -shared -fPIC -O1 -Wall -Werror -o "$T/argdump.so" \
	"$FLAME_TOP"/tests/data/perf-patches/argdump.c || die "cannot build argdump.so"

perf record -q -e cpu-clock -F 999 -g -o "$T/p.data" -- "$PROGS/known_tree" 600 \
	>/dev/null 2>"$T/rec.err" || die "perf record failed: $(cat "$T/rec.err")"
nsamp=$(perf_samples "$T/p.data")
echo "perf reports $nsamp samples"
[ "$nsamp" -gt 200 ] || die "too few samples ($nsamp)"

# Debian's perf refuses -s FILE.so: the reason for patch 0001.
perf script -i "$T/p.data" -s "$FLAME_SO" out="$T/u.folded" >/dev/null 2>"$T/u.err" &&
	die "unpatched perf accepted -s flame.so"
check "unpatched perf: 'invalid script extension'" grep -q 'invalid script extension' "$T/u.err"

# --- -s flame.so == --dlfilter flame.so ---------------------------------
"$PP" script -i "$T/p.data" -s "$FLAME_SO" out="$T/x.folded" >"$T/x.out" 2>"$T/x.err" ||
	die "perf script -s flame.so failed: $(cat "$T/x.err")"
cat "$T/x.err"
"$PP" script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg out="$T/y.folded" \
	>"$T/y.out" 2>"$T/y.err" || die "perf script --dlfilter failed: $(cat "$T/y.err")"
perf script -i "$T/p.data" --dlfilter "$FLAME_SO" --dlarg out="$T/z.folded" \
	>"$T/z.out" 2>"$T/z.err" || die "Debian perf --dlfilter failed: $(cat "$T/z.err")"
check "-s flame.so out=x.folded wrote stacks" test -s "$T/x.folded"
total=$(folded_total "$T/x.folded")
check "its total ($total) is perf's sample count ($nsamp)" test "$total" = "$nsamp"
check "it holds the known tree" grep -qE '^known_tree;.*;main;phase_one;leaf_one_a;spin [0-9]+$' "$T/x.folded"
check "-s and --dlfilter write the same folded stacks" cmp "$T/x.folded" "$T/y.folded"
check "-s and --dlfilter print the same stdout" cmp "$T/x.out" "$T/y.out"
check "patched and Debian perf write the same folded stacks" cmp "$T/y.folded" "$T/z.folded"

# Both argument styles through -s: key=value and --key value, quoted spaces.
"$PP" script -i "$T/p.data" -s "$FLAME_SO" out="$T/t.svg" --title "CPU of known_tree" \
	>/dev/null 2>"$T/t.err" || die "-s flame.so out=t.svg --title ...: $(cat "$T/t.err")"
check "--title \"CPU of known_tree\" reached flame.so" grep -q '>CPU of known_tree<' "$T/t.svg"

# --- the words reach the filter as --dlarg values ---------------------------
args() { grep '^argdump: ' "$1"; }
"$PP" script -i "$T/p.data" -s "$T/argdump.so" out=a.folded --title "CPU x" \
	2>"$T/a1" >/dev/null || die "-s argdump.so failed: $(cat "$T/a1")"
"$PP" script -i "$T/p.data" --dlfilter "$T/argdump.so" --dlarg out=a.folded \
	--dlarg --title --dlarg "CPU x" 2>"$T/a2" >/dev/null || die "--dlfilter argdump.so failed"
printf 'argdump: arg[0]=<out=a.folded>\nargdump: arg[1]=<--title>\nargdump: arg[2]=<CPU x>\nargdump: samples=%s\n' \
	"$nsamp" >"$T/a.want"
check "-s argdump.so WORDS: the words, in order, one argument each" cmp "$T/a.want" <(args "$T/a1")
check "--dlarg WORDS: the same arguments" cmp "$T/a.want" <(args "$T/a2")
"$PP" script -i "$T/p.data" --dlarg first -s "$T/argdump.so" second third 2>"$T/a3" >/dev/null ||
	die "--dlarg with -s argdump.so failed"
check "--dlarg values come first, then the words" cmp \
	<(printf 'argdump: arg[0]=<first>\nargdump: arg[1]=<second>\nargdump: arg[2]=<third>\n') \
	<(args "$T/a3" | grep "arg\[")
"$PP" script -i "$T/p.data" -s "$T/argdump.so" -- --width 800 2>"$T/a4" >/dev/null ||
	die "-s argdump.so -- --width 800 failed"
check "'--' lets the first word start with '-'" cmp \
	<(printf 'argdump: arg[0]=<--width>\nargdump: arg[1]=<800>\n') <(args "$T/a4" | grep "arg\[")
"$PP" script -i "$T/p.data" -s "$T/argdump.so" 2>"$T/a5" >/dev/null || die "-s argdump.so failed"
check "no words: no arguments, every sample seen" cmp <(echo "argdump: samples=$nsamp") <(args "$T/a5")

# --- errors ---------------------------------------------------------------------
rm -f "$T/e.folded"
"$PP" script -i "$T/p.data" --dlfilter "$T/argdump.so" -s "$FLAME_SO" out="$T/e.folded" \
	>/dev/null 2>"$T/e1" && die "-s flame.so with --dlfilter succeeded"
cat "$T/e1"
check "-s x.so with --dlfilter: a clear error" grep -q "^-s $FLAME_SO and --dlfilter $T/argdump.so cannot be used together" "$T/e1"
check "and nothing was run" test ! -e "$T/e.folded"
check "and no usage dump" bash -c "! grep -q Usage '$T/e1'"
cat >"$T/count.py" <<'EOF'
import sys
n = 0
def process_event(param_dict):
	global n
	n += 1
def trace_end():
	print("python argv=%s samples=%d" % (sys.argv[1:], n))
EOF
"$PP" script -i "$T/p.data" -s "$T/count.py" -s "$FLAME_SO" x >/dev/null 2>"$T/e2" &&
	die "-s count.py -s flame.so succeeded"
check "-s x.py -s x.so: an error that suggests --dlfilter" grep -q "use --dlfilter $FLAME_SO -s $T/count.py instead" "$T/e2"
"$PP" script -i "$T/p.data" -s "$T/nosuch.so" >/dev/null 2>"$T/e3" && die "-s nosuch.so succeeded"
check "-s nosuch.so: perf's dlopen error" grep -q "dlopen failed for: '$T/nosuch.so'" "$T/e3"
"$PP" script -i "$T/p.data" -s "$T/count.xyz" >/dev/null 2>"$T/e4" && die "-s count.xyz succeeded"
check "other extensions: still 'invalid script extension'" grep -q 'invalid script extension' "$T/e4"

# --- Python and Perl scripts behave as before -----------------------------------
if grep -q 'libpython: \[ on' "$T/opts"; then
	"$PP" script -i "$T/p.data" -s "$T/count.py" hello "big world" >"$T/py1" 2>"$T/py1.err" ||
		die "python -s failed: $(cat "$T/py1.err")"
	perf script -i "$T/p.data" -s "$T/count.py" hello "big world" >"$T/py2" 2>/dev/null ||
		die "Debian perf: python -s failed"
	check "python -s script: its arguments and every sample" \
		grep -qxF "python argv=['hello', 'big world'] samples=$nsamp" "$T/py1"
	check "python -s script: same output as Debian's perf" cmp "$T/py1" "$T/py2"
	"$PP" script -i "$T/p.data" --dlfilter "$T/argdump.so" --dlarg z -s "$T/count.py" a \
		>"$T/py3" 2>"$T/py3.err" || die "--dlfilter with python -s failed: $(cat "$T/py3.err")"
	check "--dlfilter x.so -s x.py still combine (filter drops all)" \
		grep -qxF "python argv=['a'] samples=0" "$T/py3"
else
	echo "  (python scripting not built in: $(grep libpython "$T/opts"))"
	die "python scripting expected in the patched perf (python3-dev is in the perfsrc group)"
fi
if grep -q 'libperl: \[ on' "$T/opts"; then
	cat >"$T/count.pl" <<'EOF'
my $n = 0;
sub process_event { $n++; }
sub trace_end { print "perl argv=@ARGV samples=$n\n"; }
EOF
	"$PP" script -i "$T/p.data" -s "$T/count.pl" one two >"$T/pl1" 2>"$T/pl1.err" ||
		die "perl -s failed: $(cat "$T/pl1.err")"
	check "perl -s script: its arguments and every sample" \
		grep -qxF "perl argv=one two samples=$nsamp" "$T/pl1"
	if perf version --build-options 2>/dev/null | out_has 'libperl: \[ on'; then
		perf script -i "$T/p.data" -s "$T/count.pl" one two >"$T/pl2" 2>/dev/null
		check "perl -s script: same output as Debian's perf" cmp "$T/pl1" "$T/pl2"
	fi
fi

# --- perf_dlfilter_fns.cgroup_path (0002) through include/flame/perf_ext.h -----
gcc -shared -fPIC -O1 -Wall -Werror -I"$FLAME_TOP"/include -o "$T/cgdump.so" \
	"$FLAME_TOP"/tests/data/perf-patches/cgdump.c || die "cannot build cgdump.so"
cg2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
if [ "$(id -u)" = 0 ] && [ -n "$cg2" ] && [ -w "$cg2" ]; then
	cid=$(printf '%08x' $$ $$ $$ $$ $$ $$ $$ $$)
	cg=docker-$cid.scope	# named as docker names containers
	mkdir "$cg2/$cg" || die "cannot create cgroup $cg2/$cg"
	cleanup_hooks+=("rmdir '$cg2/$cg' 2>/dev/null")
	perf record -q --all-cgroups -e cpu-clock -F 999 -o "$T/cg.data" -- \
		sh -c "echo \$\$ > '$cg2/$cg/cgroup.procs' && exec '$PROGS/known_tree' 300" \
		>/dev/null 2>"$T/cgrec.err" || die "perf record --all-cgroups: $(cat "$T/cgrec.err")"
	ino=$(stat -c %i "$cg2/$cg")
	rmdir "$cg2/$cg"	# gone, as containers are by the time perf script runs
	cgn=$(perf_samples "$T/cg.data")
	"$PP" script -i "$T/cg.data" --dlfilter "$T/cgdump.so" >"$T/cg1" 2>"$T/cg1.err" ||
		die "cgdump.so on patched perf: $(cat "$T/cg1.err")"
	sort "$T/cg1" | uniq -c
	n=$(grep -c "^$ino /$cg\$" "$T/cg1")
	check "cgroup_path names the removed cgroup $ino /$cg ($n of $cgn samples)" \
		test "$n" -gt $((cgn * 9 / 10))
	check "every sample's cgroup is named" bash -c "! grep -q '(null)\|(no api)' '$T/cg1'"
	perf script -i "$T/cg.data" --dlfilter "$T/cgdump.so" >"$T/cg2" 2>/dev/null ||
		die "cgdump.so on Debian's perf failed"
	check "Debian's perf: the slot is empty, the filter still runs" \
		test "$(grep -c '(no api)$' "$T/cg2")" = "$cgn"
	# flame.so uses it: group=container names the removed container
	short=${cid:0:12}
	"$PP" script -i "$T/cg.data" --dlfilter "$FLAME_SO" --dlarg group=container \
		--dlarg out="$T/cg.folded" 2>"$T/cgf.err" || die "flame.so group=container: $(cat "$T/cgf.err")"
	cut -d';' -f1 "$T/cg.folded" | sort | uniq -c
	check "flame.so on patched perf names the gone container docker:$short" \
		test "$(folded_match "$T/cg.folded" "^docker:$short;")" -gt $((cgn * 9 / 10))
else
	echo "  (cgroup_path not exercised: needs root and a writable cgroup2 mount)"
fi
