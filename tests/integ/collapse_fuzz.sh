#!/bin/bash
# libFuzzer targets for the collapser and the folded reader, ~10 s each,
# seeded with the golden inputs. Built from Kbuild's core-y (the library
# shared by flame.so and the CLI); the libperf-based live sampler is CLI-only
# and not needed here.
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
FZ_CFLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -Iinclude -Ilib/model -Ilib/containers -Ilib/names -Ilib/input -Ilib/output -D_GNU_SOURCE"
mkdir -p "$T/obj"
# compile the library once (two at a time), link each target against it
export T FZ_CFLAGS
printf '%s\n' $srcs | xargs -P2 -I{} sh -c \
	'f={}; o="$T/obj/$(echo "$f" | tr / _).o"; clang $FZ_CFLAGS -c -o "$o" "$f" 2> "$o.log" || { tail -5 "$o.log"; exit 255; }' ||
	die "compiling the library for the fuzzers"
for tgt in collapse folded; do
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -D_GNU_SOURCE \
		-o "$T/fuzz_$tgt" tests/fuzz/fuzz_$tgt.c "$T"/obj/*.o \
		-lelf -ldw -lz -lm -lpthread $klibs 2> "$T/cc.log" ||
		{ tail -5 "$T/cc.log"; die "building fuzz_$tgt"; }
	mkdir -p "$T/corpus_$tgt"
	cp tests/data/collapse/*.perf.txt* tests/data/collapse/*.folded "$T/corpus_$tgt/" 2>/dev/null || true
	"$T/fuzz_$tgt" -max_total_time=10 -max_len=65536 -rss_limit_mb=1024 \
		"$T/corpus_$tgt" > "$T/fuzz_$tgt.log" 2>&1 ||
		{ tail -30 "$T/fuzz_$tgt.log"; die "fuzz_$tgt found a crash"; }
	echo "  ok: fuzz_$tgt: $(grep -o 'Done [0-9]* runs' "$T/fuzz_$tgt.log")"
done
exit 0
