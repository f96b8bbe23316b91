#!/bin/bash
# Hostile containers: each one a real container whose /tmp/perf-1.map is a
# trap (symlinks to a host file, FIFO, 2 GB sparse file, /dev/zero,
# directory, symlink loop, garbage and a 300k-character line, markup and
# invalid UTF-8 names, a million entries, a file swapped for a symlink while
# read, a file of another owner, a host decoy). flame record, flame.so and
# flame report must finish (bounded), never show host content, keep memory
# bounded, write SVGs that parse, and warn once per case.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/container.inc"
ctr_need
cd "$T" || die "cd $T"
# containers hide the host's /tmp (and $T): programs and the host secret
# live in a host directory they can reach (and must not read through maps)
H=$(mktemp -d /var/tmp/flame-ctr.XXXXXX) || die "mktemp"
cleanup_hooks+=("rm -rf $H")
mkdir "$H/bin"
SECRET=HOSTSECRET_$$
printf '0 7fffffffffff %s_name\n' "$SECRET" > "$H/secret.map"
for c in abslink rellink proclink fifo sparse devzero dir loop garbage markup \
	 million swap owner decoy; do
	cp "$JITSIM" "$H/bin/hc_$c"
done
# garbage: random bytes, a 300k-character line, then jitsim's real entries
{ head -c 200000 /dev/urandom | tr -d '\n\0'; echo
  printf '1000 10 '; head -c 300000 /dev/zero | tr '\0' x; echo
  printf '0x10 20 hex\n-5 5 neg\nzz 10 bad\n'; } > "$H/garbage"
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "%x 10 filler_%d\n", 65536 + i * 16, i }' > "$H/million"
rel=$(printf '../%.0s' 1 2 3 4 5 6 7 8)${H#/}/secret.map
B=$H/bin
run="-t 1.2"	# -c 0.1 where samples are checked: 50 samples however loaded
cat > cases.sh <<EOS
. "$FLAME_TOP/tests/integ/container.inc"
# niced: 14 spinning containers on 2 CPUs must not starve the snapshot polls
ctr() { nice -n 15 unshare -m -p -f --mount-proc sh -c 'mount -t tmpfs -o mode=1777 ctr-tmp /tmp || exit 1; eval "\$0"; exec "\$@"' "\$@"; }
ctr 'ln -s $H/secret.map /tmp/perf-1.map' $B/hc_abslink -n $run f &
ctr 'ln -s $rel /tmp/perf-1.map' $B/hc_rellink -n $run f &
ctr 'ln -s /proc/self/root$H/secret.map /tmp/perf-1.map' $B/hc_proclink -n $run f &
ctr 'mkfifo /tmp/perf-1.map' $B/hc_fifo -n $run f &
ctr 'truncate -s 2G /tmp/perf-1.map' $B/hc_sparse -n $run f &
ctr 'ln -s /dev/zero /tmp/perf-1.map' $B/hc_devzero -n $run f &
ctr 'mkdir /tmp/perf-1.map' $B/hc_dir -n $run f &
ctr 'ln -s /tmp/perf-1.map /tmp/perf-1.map' $B/hc_loop -n $run f &
ctr '' $B/hc_garbage -p $H/garbage $run -c 0.1 good_after_garbage &
# the markup name four times (four code regions): sampled even on a busy machine
ctr '' $B/hc_markup $run -c 0.1 '<script>alert(1)</script>' '<script>alert(1)</script>' \
	'<script>alert(1)</script>' '<script>alert(1)</script>' "a\"b'c&d]]>" "\$(printf 'ctl\001\033[31mred')" "\$(printf 'bad\377\376utf8')" &
ctr '' $B/hc_million -p $H/million $run -c 0.1 million_real &
ctr '(while [ ! -e /tmp/real.map ]; do sleep 0.01; done; while :; do cp /tmp/real.map /tmp/a; mv -f /tmp/a /tmp/perf-1.map; ln -sf $H/secret.map /tmp/b; mv -f /tmp/b /tmp/perf-1.map; done) &' $B/hc_swap -o /tmp/real.map $run swapped_fn &
ctr 'echo 1000 10 owned_fn > /tmp/perf-1.map; chown 12345:12345 /tmp/perf-1.map' $B/hc_owner -n $run f &
ctr '' $B/hc_decoy -n $run -c 0.1 f &
wait
EOS
# -N: see container_many.sh (perf 6.1 build-id cache abort under load)
/usr/bin/time -f 'record max RSS %M KB' timeout 60 "$FLAME" record -N --interval 0.1 \
	-e cpu-clock -F 499 -g -o perf.data -- bash cases.sh > rec.out 2> rec.err ||
	{ cat rec.err; die "flame record failed or hung"; }
grep -v '^\[ perf' rec.err
# each case's host pid from perf's exec records: on a loaded machine a poll
# (the million-line map) can outlast a short case, so the snapshot may
# last have seen the pid as the sh that set the trap up and names that comm
perf script -i perf.data --show-task-events -F pid 2> /dev/null |
	sed -n 's/.*PERF_RECORD_COMM exec: \(hc_[a-z]*\):\([0-9]*\)\/.*/\1 \2/p' > case.pids
pid_of() { awk -v c="hc_$1" '$1 == c { print $2; exit }' case.pids; }
warn_of() { local p; p=$(pid_of "$1"); [ -n "$p" ] && grep "snapshot: pid $p (" rec.err; }
warn_has() { warn_of "$1" | out_has "$2"; }
for c in abslink rellink proclink fifo sparse devzero dir loop owner garbage; do
	n=$(warn_of $c | grep -c .)
	check "record warns once for $c ($n)" test "$n" = 1
done
check "symlinks are named as such" test "$(for c in abslink rellink proclink; do warn_of $c; done | grep -c 'symlink')" = 3
check "the FIFO is named as such" warn_has fifo FIFO
check "the sparse file hits the size cap" warn_has sparse 'size cap'
check "the directory is named as such" warn_has dir directory
check "the owner is checked" warn_has owner 'owned by'
check "the garbage is counted" warn_has garbage 'lines malformed'

# the decoy: a host file under the dead container process's host pid
dpid=$(pid_of decoy)
[ -n "$dpid" ] || die "hc_decoy not in perf.data's exec records"
printf '0 7fffffffffff %s_decoy\n' "$SECRET" > "/tmp/perf-$dpid.map"
cleanup_hooks+=("rm -f /tmp/perf-$dpid.map")

/usr/bin/time -f 'report max RSS %M KB' timeout 60 "$FLAME" report -i perf.data \
	-o report.folded -o report.svg --annotate jit > report.out 2> report.err ||
	{ cat report.err; die "flame report failed or hung"; }
cat report.err
rss=$(sed -n 's/report max RSS \([0-9]*\) KB/\1/p' report.err)
check "flame report's memory stays bounded (${rss} KB)" test "$rss" -lt 600000
check "flame report: the SVG parses" xmllint --noout report.svg
# the no-map list (16 processes) ranks by unnamed addresses in anonymous
# executable memory (likely JIT), then by the others: "comm/pid A+O, ..."
nomap=$(grep -o 'no map: [0-9]* process[^;]*' report.err | sed 's/.*elsewhere: //; s/)$//')
echo "no-map list: $nomap"
check "flame report lists processes without a map" test -n "$nomap"
check "the no-map list is ranked by anonymous executable addresses" awk -v l="$nomap" 'BEGIN {
	n = split(l, e, ", "); prev = -1
	for (i = 1; i <= n; i++) {
		if (e[i] == "...") continue
		if (!match(e[i], /\/[0-9]+ [0-9]+\+[0-9]+$/)) exit 1
		split(substr(e[i], RSTART), w, " "); split(w[2], c, "+")
		if (prev >= 0 && c[1] + 0 > prev) exit 1
		prev = c[1] + 0
	}
	exit n == 0 }'
# the decoy's unnamed JIT frames (its host map refused) put it in the list
# ahead of the shells, however few samples it got on a loaded machine
read -r k u < <(grep "^hc_decoy;" report.folded | jit_counts /dev/stdin)
if [ "$u" -ge 1 ]; then
	check "the decoy ($u unnamed JIT samples) is in the no-map list" grep -q 'no map:.*hc_decoy/[0-9]* [1-9]' report.err
else
	echo "  note: no decoy JIT sample ($k named): the list cannot show it"
fi
for c in garbage markup million; do
	read -r k u < <(grep "^hc_$c;" report.folded | jit_counts /dev/stdin)
	check "flame report names $c's JIT frames ($k vs $u)" ratio_ok "$k" "$u" 99
done
# the namer drops a trailing "(..." as stackcollapse-perf.pl does, so the
# folded name is "<script>alert" (raw bytes: folded output is not markup)
check "markup survives as a name in folded output" grep -aEq '<script>alert(\(1\)</script>)?_\[j\]' report.folded
check "and is escaped in the SVG" grep -q '<title>&lt;script&gt;alert (' report.svg
read -r k u < <(grep "^hc_swap;" report.folded | jit_counts /dev/stdin)
echo "swapped file: $k named, $u not (a snapshot poll may have met the symlink)"

timeout 60 perf script -i perf.data --dlfilter "$FLAME_SO" --dlarg out=plugin.folded \
	--dlarg out=plugin.svg > plugin.out 2> plugin.err || { cat plugin.err; die "flame.so failed or hung"; }
cat plugin.err
check "flame.so: the SVG parses" xmllint --noout plugin.svg

for f in rec.out rec.err perf.data.maps/* report.folded report.svg report.out report.err \
	 plugin.out; do
	if grep -q "$SECRET" "$f"; then die "host content in $f"; fi
done
echo "  ok: no host content in any output or message of record or report"
if grep -q "$SECRET" plugin.folded plugin.svg plugin.err; then
	die "host decoy content in flame.so output"
fi
echo "  ok: no host content in flame.so output"
echo PASS
