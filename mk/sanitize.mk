# make check SANITIZE=1: everything built with ASan+UBSan into build-asan/
# (BUILD, set in the Makefile), the unit tests and a chosen set of fast
# end-to-end tests run against it (docs/security.md). perf itself is not
# instrumented: it loads the instrumented flame.so with libasan preloaded
# for `perf script` (a `perf` wrapper first in PATH), leak checks off there
# (detect_leaks=0 goes last: ASan reads ASAN_OPTIONS left to right, the last
# value wins; CHECK_ENV's detect_leaks=1 used to override it and LSan then
# reported perf's own leaks at exit in CI).
ifeq ($(SANITIZE),1)
SAN_FLAGS	:= -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		   -fno-omit-frame-pointer
override CFLAGS	+= $(SAN_FLAGS)
override LDFLAGS += $(SAN_FLAGS)
# end-to-end tests that run in seconds and reach the instrumented code
# from the outside: folded diff, the heatmap CLI, --nameattr, the plugin
# under perf (flame report's part is not run: its sandbox drops LD_PRELOAD) (~90 s on a loaded 2-core machine). Others by
# name: make check SANITIZE=1 SAN_TESTS="output_safe svg_cli".
SAN_TESTS	?= collapse_diff heatmap_cli svg_nameattr plugin_exit
SAN_PERF	:= $(shell command -v perf 2>/dev/null)
SAN_LIBASAN	:= $(shell $(CC) -print-file-name=libasan.so)
CHECK_ENV	= TESTS="$(SAN_TESTS)" FLAME_SANITIZE=1 PATH="$(abspath $(BUILD))/asan-bin:$$PATH" \
		  ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
		  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(BUILD)/asan-bin/perf: mk/sanitize.mk
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# perf script with libasan preloaded, for the instrumented flame.so\n[ "$$1" = script ] || exec %s "$$@"\nLD_PRELOAD="%s$${LD_PRELOAD:+ $$LD_PRELOAD}" ASAN_OPTIONS="$${ASAN_OPTIONS:+$$ASAN_OPTIONS:}detect_leaks=0" exec %s "$$@"\n' \
		'$(or $(SAN_PERF),/usr/bin/perf)' '$(SAN_LIBASAN)' '$(or $(SAN_PERF),/usr/bin/perf)' > $@
	$(Q)chmod +x $@

tests-build: $(BUILD)/asan-bin/perf
endif

# make fuzz: every libFuzzer target of tests/fuzz/ for FUZZ_SECS seconds
# each (make check runs them 4 s each); crashes are kept in
# $(BUILD)/fuzz-crashes/.
FUZZ_SECS ?= 120
fuzz:
	@mkdir -p $(BUILD)
	$(Q)FUZZ_SECS=$(FUZZ_SECS) BUILD=$(BUILD) bash tests/integ/collapse_fuzz.sh

.PHONY: fuzz
