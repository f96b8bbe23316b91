/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page assets of the heatmap writer (lib/output/out_heatmap.c), embedded whole.
 * Paths are relative to the top of the tree (make runs there); mk/heatmap.mk
 * makes this object depend on them.
 */
#define ASSET(sym, file)			\
	.section .rodata, "a";		\
	.globl sym;				\
	.hidden sym;				\
	.type sym, @object;			\
sym:						\
	.incbin file;				\
sym##_end:					\
	.byte 0;				\
	.size sym, . - sym;			\
	.balign 8;				\
	.globl sym##_len;			\
	.hidden sym##_len;			\
	.type sym##_len, @object;		\
sym##_len:					\
	.quad sym##_end - sym;		\
	.size sym##_len, 8

ASSET(fg_heatmap_js, "lib/js/heatmap.js")
ASSET(fg_heatmap_css, "lib/js/heatmap.css")
ASSET(fg_heatmap_body, "lib/js/heatmap.html")
ASSET(fg_heatmap_flamegraph_js, "lib/js/flamegraph.js")
ASSET(fg_heatmap_flamegraph_css, "lib/js/flamegraph.css")

	.section .note.GNU-stack, "", @progbits
