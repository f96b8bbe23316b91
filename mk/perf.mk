# make perf-patched: $(BUILD)/perf-patched/perf, the perf of Debian's
# linux-source-6.1 with the series in perf-patches/ (docs/perf-patches.md).
# make perf-patched PERF_SRC=6.12: $(BUILD)/perf-patched-6.12/perf, from
# linux-source-6.12 with perf-patches/6.12/series.
# make check-perf-patched: builds it, then runs the perf_patch* tests
# (they test every patched perf that is built).

PERF_SRC	?= 6.1
ifeq ($(PERF_SRC),6.1)
PERF_SERIES_FILE := perf-patches/series
PERF_SUFFIX	:=
else
PERF_SERIES_FILE := perf-patches/$(PERF_SRC)/series
PERF_SUFFIX	:= -$(PERF_SRC)
endif
PERF_SERIES	:= $(addprefix $(dir $(PERF_SERIES_FILE)),$(shell sed -e 's/\#.*//' $(PERF_SERIES_FILE) 2>/dev/null))
PERF_PATCHED	:= $(BUILD)/perf-patched$(PERF_SUFFIX)/perf

perf-patched: $(PERF_PATCHED)

$(PERF_PATCHED): $(PERF_SERIES_FILE) $(PERF_SERIES) perf-patches/build.sh
	$(Q)PERF_SRC=$(PERF_SRC) perf-patches/build.sh $(BUILD)/perf-src$(PERF_SUFFIX) \
		$(BUILD)/perf-patched$(PERF_SUFFIX)

check-perf-patched: perf-patched tests-build
	$(Q)scripts/deps.sh test
	$(Q)ONLY=perf_patch BUILD=$(BUILD) tests/run.sh

.PHONY: perf-patched check-perf-patched
