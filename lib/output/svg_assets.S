/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assets embedded into every flame graph SVG (lib/output/out_svg.c) and usable by
 * other pages: the interactivity script and its stylesheet. Each blob is
 * followed by a NUL; the *_end symbols point at that NUL.
 * Declared in lib/output/svg.h. Paths are relative to the top of the tree, where
 * make runs.
 */
	.section .rodata.fg_svg_assets, "a"

	.globl fg_svg_js
	.hidden fg_svg_js
	.type fg_svg_js, %object
fg_svg_js:
	.incbin "lib/js/flamegraph.js"
	.globl fg_svg_js_end
	.hidden fg_svg_js_end
fg_svg_js_end:
	.byte 0
	.size fg_svg_js, . - fg_svg_js

	.globl fg_svg_css
	.hidden fg_svg_css
	.type fg_svg_css, %object
fg_svg_css:
	.incbin "lib/js/flamegraph.css"
	.globl fg_svg_css_end
	.hidden fg_svg_css_end
fg_svg_css_end:
	.byte 0
	.size fg_svg_css, . - fg_svg_css

	.section .note.GNU-stack, "", %progbits
