# perf-flame — see README.md.   make | make check | make demo | make bench
# Objects are listed in Kbuild. BUILD=dir builds out of tree (default build/).

# SANITIZE=1: ASan+UBSan build in build-asan/ (mk/sanitize.mk)
ifeq ($(SANITIZE),1)
BUILD	?= build-asan
endif
BUILD	?= build
PREFIX	?= /usr/local
CC	?= gcc
V	?= 0

CFLAGS	?= -O2 -g
WARN	:= -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wshadow -Wformat=2
LIBDIRS := lib/model lib/containers lib/names lib/input lib/output
# Public headers (include/flame/) for everyone; private headers only for
# their part: a lib/ folder finds its own beside its sources and the
# library-wide lib/internal.h, cli/ its own (plugin/ finds its own beside its
# sources). What one lib/ folder uses of another is in include/flame/
# (make check-layout). Unit tests see what they test.
CPPFLAGS += -Iinclude -D_GNU_SOURCE
LIB_PRIVATE := -iquote lib
TEST_PRIVATE := -iquote lib $(addprefix -iquote ,$(LIBDIRS))
BASE_CFLAGS := -std=gnu11 $(WARN) -fPIC -fvisibility=hidden -fno-omit-frame-pointer
LIBS	:= -lelf -ldw -lz -lm -lpthread
CLI_LIBS :=

ifeq ($(V),1)
Q :=
else
Q := @
endif

core-y :=
plugin-y :=
cli-y :=
include Kbuild

CORE_OBJS   := $(addprefix $(BUILD)/,$(core-y))
PLUGIN_OBJS := $(addprefix $(BUILD)/,$(plugin-y))
CLI_OBJS    := $(addprefix $(BUILD)/,$(cli-y))
CORE_LIB    := $(BUILD)/libflame.a
DEPS_STAMP  := $(BUILD)/.deps-build

UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
PROG_SRCS   := $(wildcard tests/progs/*.c)
PROG_BINS   := $(patsubst tests/progs/%.c,$(BUILD)/progs/%,$(PROG_SRCS))

all: $(BUILD)/flame.so $(BUILD)/flame

$(DEPS_STAMP): scripts/deps.sh
	$(Q)scripts/deps.sh build
	$(Q)mkdir -p $(@D) && touch $@

$(BUILD)/%.o: %.c $(DEPS_STAMP)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/%.o: %.S $(DEPS_STAMP)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  AS      $<"
	$(Q)$(CC) $(CPPFLAGS) -MMD -MP -c -o $@ $<

$(CORE_LIB): $(CORE_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/flame.so: $(PLUGIN_OBJS) $(CORE_LIB) plugin/flame.map
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -shared -o $@ $(PLUGIN_OBJS) $(CORE_LIB) \
		-Wl,--version-script=plugin/flame.map -Wl,-z,defs $(LIBS)

$(BUILD)/flame: $(CLI_OBJS) $(CORE_LIB)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(CORE_LIB) $(CLI_LIBS) $(LIBS)

# Test helpers: small programs with known call trees (frame pointers on).
# *_nofp: built as distributions build, -O2 without frame pointers
# (docs/dwarf.md); the more specific pattern wins.
$(BUILD)/progs/%_nofp: tests/progs/%_nofp.c
	@mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -fomit-frame-pointer -no-pie -o $@ $< -lm -lpthread

$(BUILD)/progs/%: tests/progs/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -fno-omit-frame-pointer -fno-inline -no-pie -o $@ $< -lm -lpthread

$(BUILD)/lib/%.o: private CPPFLAGS += $(LIB_PRIVATE)
$(BUILD)/cli/%.o: private CPPFLAGS += -iquote cli
$(BUILD)/tests/%: private CPPFLAGS += $(TEST_PRIVATE) -iquote plugin -iquote cli

# Unit tests link the objects they test (never #include a .c file).
$(BUILD)/tests/test_plugin: $(BUILD)/plugin/frames.o $(BUILD)/plugin/cfg.o $(BUILD)/plugin/offcpu.o

$(BUILD)/tests/%: tests/unit/%.c $(CORE_LIB) $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)scripts/deps.sh test
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -MMD -MP -o $@ $< \
		$(filter %.o,$^) $(CORE_LIB) -lcmocka $(LIBS)

tests-build: all $(UNIT_BINS) $(PROG_BINS)

check: tests-build
	$(Q)scripts/deps.sh test
	$(Q)BUILD=$(BUILD) $(CHECK_ENV) tests/run.sh

# no lib/ folder includes another's private header (scripts/check-layout.sh)
check-layout:
	$(Q)scripts/check-layout.sh .

# make check RUNS times on fresh clones of HEAD beside a CPU hog (slow: ~15 min a run)
check-loaded:
	$(Q)tests/loaded.sh -n $(or $(RUNS),5) -c HEAD

demo: all
	$(Q)BUILD=$(BUILD) scripts/demo.sh

bench: all $(PROG_BINS)
	$(Q)BUILD=$(BUILD) bench/run.sh

# perf's own directories (perf --exec-path): flame.so in dlfilters/ so that
# `perf script --dlfilter flame.so` finds it by name and --list-dlfilters
# shows it; flame-record/flame-report in scripts/flame/bin/ for
# `perf script record flame` / `perf script report flame`.
PERF_EXEC_PATH ?= $(shell perf --exec-path 2>/dev/null || echo /usr/lib/perf-core)

install: all
	install -d $(DESTDIR)$(PREFIX)/lib/perf-flame $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/share/doc/perf-flame
	install -m 0644 $(BUILD)/flame.so $(DESTDIR)$(PREFIX)/lib/perf-flame/flame.so
	install -m 0755 $(BUILD)/flame $(DESTDIR)$(PREFIX)/bin/flame
	install -d $(DESTDIR)$(PERF_EXEC_PATH)/dlfilters $(DESTDIR)$(PERF_EXEC_PATH)/scripts/flame/bin
	install -m 0644 $(BUILD)/flame.so $(DESTDIR)$(PERF_EXEC_PATH)/dlfilters/flame.so
	install -m 0755 scripts/perf/bin/flame-record scripts/perf/bin/flame-report \
		$(DESTDIR)$(PERF_EXEC_PATH)/scripts/flame/bin/
	cp -r docs/. $(DESTDIR)$(PREFIX)/share/doc/perf-flame/

clean:
	rm -rf $(BUILD)

.PHONY: all check check-layout check-loaded demo bench install clean tests-build
.DELETE_ON_ERROR:

# Feature makefiles (perf-patched, ...)
-include $(sort $(wildcard mk/*.mk))
-include $(CORE_OBJS:.o=.d) $(PLUGIN_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(UNIT_BINS:=.d)
