# libperf (tools/lib/perf) and libapi from Debian's linux-source-6.1, built
# into $(BUILD)/libperf by scripts/libperf.sh for `flame profile`
# (docs/profile.md). Pinned to the package version, cached by a stamp.

LIBPERF_SRC	:= $(BUILD)/libperf-src
LIBPERF_DIR	:= $(BUILD)/libperf
LIBPERF_STAMP	:= $(LIBPERF_DIR)/.stamp
LIBPERF_TOOLS	:= $(LIBPERF_SRC)/tools
LIBPERF_ARCH	:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/i.86/x86/' \
			-e 's/aarch64/arm64/')
# Objects that include libperf's headers (public ones; libperf's private
# headers need the kernel's tools/include tree, only for live_evl.o).
LIBPERF_USERS	:= $(addprefix $(BUILD)/,$(libperf-y))

$(LIBPERF_STAMP): scripts/libperf.sh | $(DEPS_STAMP)
	$(Q)scripts/libperf.sh $(LIBPERF_SRC) $(LIBPERF_DIR)

libperf: $(LIBPERF_STAMP)

$(LIBPERF_USERS): $(LIBPERF_STAMP)
$(LIBPERF_USERS): CPPFLAGS += -I$(LIBPERF_DIR)/include
$(BUILD)/lib/input/live_evl.o: CPPFLAGS += -I$(LIBPERF_TOOLS)/lib/perf/include \
	-I$(LIBPERF_TOOLS)/include -I$(LIBPERF_TOOLS)/arch/$(LIBPERF_ARCH)/include \
	-I$(LIBPERF_TOOLS)/include/uapi -I$(LIBPERF_TOOLS)/lib

$(BUILD)/flame: $(LIBPERF_STAMP)
CLI_LIBS	+= $(LIBPERF_DIR)/lib/libperf.a $(LIBPERF_DIR)/lib/libapi.a

.PHONY: libperf
