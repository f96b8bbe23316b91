#!/bin/bash
# libFuzzer targets for the collapser and the folded reader, ~10 s each,
# seeded with the golden inputs.
. "$(dirname "$0")/lib.sh"
command -v clang >/dev/null || skip "clang not installed (libFuzzer)"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' > "$T/t.c"
clang -fsanitize=fuzzer "$T/t.c" -o "$T/t" 2>/dev/null || skip "clang has no libFuzzer here"
cd "$FLAME_TOP"
srcs=$(ls lib/*/*.c)
for tgt in collapse folded; do
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ilib/model -Ilib/containers -Ilib/names -Ilib/input -Ilib/output -D_GNU_SOURCE \
		-o "$T/fuzz_$tgt" tests/fuzz/fuzz_$tgt.c $srcs \
		$(ls lib/*/*.S 2>/dev/null) -lelf -ldw -lz -lm -lpthread -liberty 2> "$T/cc.log" ||
		{ tail -5 "$T/cc.log"; die "building fuzz_$tgt"; }
	mkdir -p "$T/corpus_$tgt"
	cp tests/data/collapse/*.perf.txt* tests/data/collapse/*.folded "$T/corpus_$tgt/" 2>/dev/null || true
	"$T/fuzz_$tgt" -max_total_time=10 -max_len=65536 -rss_limit_mb=1024 \
		"$T/corpus_$tgt" > "$T/fuzz_$tgt.log" 2>&1 ||
		{ tail -30 "$T/fuzz_$tgt.log"; die "fuzz_$tgt found a crash"; }
	echo "  ok: fuzz_$tgt: $(grep -o 'Done [0-9]* runs' "$T/fuzz_$tgt.log")"
done
exit 0
