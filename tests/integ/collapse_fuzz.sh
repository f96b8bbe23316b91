#!/bin/bash
# libFuzzer targets (tests/fuzz/fuzz_*.c) with ASan+UBSan: the collapser,
# the folded reader, the perf-map parser, the snapshot index, the gperftools
# reader, the demangler and render (options + text -> every output). Each
# runs FUZZ_SECS seconds (4 in make check, `make fuzz` runs longer), seeded
# with real inputs. Built from Kbuild's core-y (the library shared by
# flame.so and the CLI); the libperf-based live sampler is CLI-only and not
# needed here. FUZZ_TARGETS="a b" runs some only.
. "$(dirname "$0")/lib.sh"
command -v clang >/dev/null || skip "clang not installed (libFuzzer)"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' > "$T/t.c"
clang -fsanitize=fuzzer "$T/t.c" -o "$T/t" 2>/dev/null || skip "clang has no libFuzzer here"
cd "$FLAME_TOP"
# core-y and LIBS exactly as the Makefile reads them
printf 'print:\n\t@echo $(core-y)\n\t@echo $(LIBS)\n' > "$T/print.mk"
{ read -r objs; read -r klibs; } < <(make -s --no-print-directory -f Kbuild -f "$T/print.mk" print)
[ -n "$objs" ] || die "no core-y objects read from Kbuild"
srcs=
for o in $objs; do
	b=${o%.o}
	if [ -f "$b.c" ]; then srcs+=" $b.c"
	elif [ -f "$b.S" ]; then srcs+=" $b.S"
	else die "no source for $o"; fi
done
FZ_CFLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -Iinclude -Ilib -Ilib/model -Ilib/containers -Ilib/names -Ilib/input -Ilib/output -D_GNU_SOURCE"
mkdir -p "$T/obj"
# compile the library once (two at a time), link each target against it
export T FZ_CFLAGS
printf '%s\n' $srcs | xargs -P2 -I{} sh -c \
	'f={}; o="$T/obj/$(echo "$f" | tr / _).o"; clang $FZ_CFLAGS -c -o "$o" "$f" 2> "$o.log" || { tail -5 "$o.log"; exit 255; }' ||
	die "compiling the library for the fuzzers"
# seeds: real inputs of each kind
seed() { mkdir -p "$T/corpus_$1"; shift; cp "$@" "$T/corpus_$1" 2>/dev/null || true; }
seed_dir() { mkdir -p "$T/corpus_$1"; }
for t in collapse folded render; do
	seed_dir $t
	cp tests/data/collapse/*.perf.txt* tests/data/collapse/*.folded "$T/corpus_$t/"
done
# render: option lines, an empty line, then the profile
i=0
for f in tests/data/collapse/c.perf.txt tests/data/collapse/edge.folded \
	 tests/data/collapse/cxx.folded; do
	i=$((i + 1))
	{ printf 'title=t<&>\nwidth=300\nminwidth=0.5%%\nreverse\ninverted\nrows=10\ncolors=java\nhash\n\n'
	  cat "$f"; } > "$T/corpus_render/opts$i"
	{ printf 'flamechart\nfontsize=3\ncountname=ms\nnotes=n\nsubtitle=s\n\n'; cat "$f"; } > "$T/corpus_render/optb$i"
done
seed_dir perfmap; cp tests/data/fuzz/perfmap.map "$T/corpus_perfmap/"
seed_dir snapidx; cp tests/data/fuzz/snapidx.index "$T/corpus_snapidx/"
seed_dir demangle
n=0; while read -r m; do n=$((n + 1)); printf '%s' "$m" > "$T/corpus_demangle/m$n"; done < tests/data/fuzz/demangle.txt
seed_dir gperf
# a CPU profile (8-byte words: header 0 3 0 period 0, records count depth
# pcs..., trailer 0 1 0, then /proc/self/maps text) and a heap profile
w() { local v; for v; do printf '%016x' "$v" | sed 's/../& /g' | awk '{ for (i = 8; i >= 1; i--) printf "\\x%s", $i }'; done; }
{ printf "$(w 0 3 0 10000 0 5 2 $((0x401000)) $((0x401100)) 3 1 $((0x401010)) 0 1 0)"
  printf '00400000-00402000 r-xp 00000000 08:01 1234 /bin/true\n'; } > "$T/corpus_gperf/cpu"
printf 'heap profile:    2:   3072 [     4:   8192] @ heapprofile\n     1:     1024 [     2:     4096] @ 0x401000 0x401100\n     1:     2048 [     2:     4096] @ 0x401010\n\nMAPPED_LIBRARIES:\n00400000-00402000 r-xp 00000000 08:01 1234 /bin/true\n' > "$T/corpus_gperf/heap"

secs=${FUZZ_SECS:-4}
for tgt in ${FUZZ_TARGETS:-collapse folded perfmap snapidx gperf demangle render}; do
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iinclude -Ilib -Ilib/model -Ilib/containers -Ilib/names -Ilib/input -Ilib/output -D_GNU_SOURCE \
		-o "$T/fuzz_$tgt" tests/fuzz/fuzz_$tgt.c "$T"/obj/*.o \
		-lelf -ldw -lz -lm -lpthread $klibs 2> "$T/cc.log" ||
		{ tail -5 "$T/cc.log"; die "building fuzz_$tgt"; }
	mkdir -p "$T/corpus_$tgt" "$T/crash_$tgt"
	"$T/fuzz_$tgt" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=1024 -timeout=20 \
		-artifact_prefix="$T/crash_$tgt/" "$T/corpus_$tgt" > "$T/fuzz_$tgt.log" 2>&1 ||
		{ tail -30 "$T/fuzz_$tgt.log"; mkdir -p "$BUILD/fuzz-crashes"
		  cp "$T/crash_$tgt"/* "$BUILD/fuzz-crashes/" 2>/dev/null
		  die "fuzz_$tgt found a crash (input kept in $BUILD/fuzz-crashes/; replay: build the target, run it on the file)"; }
	echo "  ok: fuzz_$tgt: $(grep -o 'Done [0-9]* runs' "$T/fuzz_$tgt.log"), corpus $(ls "$T/corpus_$tgt" | wc -l)"
done
exit 0
