# Heatmap page assets are .incbin'ed: rebuild the object when they change.
$(BUILD)/lib/output/heatmap_assets.o: lib/js/heatmap.js lib/js/heatmap.css \
	lib/js/heatmap.html lib/js/flamegraph.js lib/js/flamegraph.css
