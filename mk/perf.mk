# make perf-patched: $(BUILD)/perf-patched/perf, the perf of Debian's
# linux-source-6.1 with the series in perf-patches/ (docs/perf-patches.md).
# make check-perf-patched: builds it, then runs the perf_patch* tests.

PERF_SERIES	:= $(addprefix perf-patches/,$(shell sed -e 's/\#.*//' perf-patches/series))
PERF_PATCHED	:= $(BUILD)/perf-patched/perf

perf-patched: $(PERF_PATCHED)

$(PERF_PATCHED): perf-patches/series $(PERF_SERIES) perf-patches/build.sh
	$(Q)perf-patches/build.sh $(BUILD)/perf-src $(BUILD)/perf-patched

check-perf-patched: perf-patched tests-build
	$(Q)scripts/deps.sh test
	$(Q)ONLY=perf_patch BUILD=$(BUILD) tests/run.sh

.PHONY: perf-patched check-perf-patched
