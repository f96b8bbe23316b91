# Flame graph SVG writer: the assets embedded with .incbin are not seen by
# the compiler's dependency output, so list them here.
$(BUILD)/lib/output/svg_assets.o: lib/js/flamegraph.js lib/js/flamegraph.css
