# make man: man pages from the help texts (scripts/mkman.sh) into $(BUILD)/man
# make deb: $(BUILD)/perf-flame_VERSION_ARCH.deb (flame, flame.so in perf's
# dlfilter directory, the perf scripts, docs, man pages); scripts/mkdeb.sh.

man: all
	$(Q)scripts/mkman.sh $(BUILD) $(BUILD)/man

deb: all man
	$(Q)scripts/deps.sh deb
	$(Q)BUILD=$(BUILD) scripts/mkdeb.sh

.PHONY: man deb
