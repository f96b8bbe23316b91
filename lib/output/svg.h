/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the flame graph SVG writer, shared by its files and its
 * unit tests: the layout (which frames, where) and the colours.
 */
#ifndef FLAME_SVG_H
#define FLAME_SVG_H

#include <flame/flame.h>
#include <flame/hashmap.h>

/* Name id of the bottom "all" frame. */
#define SVG_ALL		UINT32_MAX
#define SVG_XPAD	10

/*
 * One frame of the graph: a node of the (possibly reversed) call tree, drawn
 * or not; 40 bytes (big.folded has 3.4 M of them).
 */
struct svg_frame {
	uint32_t name;		/* profile name id, SVG_ALL for the root */
	uint32_t parent;	/* < own index; the root is 0 */
	uint32_t first_child;	/* index into svg_layout.kids */
	uint32_t nr_kids;
	uint64_t w[FG_NCOLS];	/* self weights while building, then inclusive */
	uint64_t x;		/* start, in weight units of column wcol */
};

struct svg_layout {
	struct svg_frame *f;
	uint32_t nr, alloc;
	uint32_t *kids;		/* children of each frame, in display order */
	uint32_t *order;	/* visible frames, parents before children */
	uint32_t *depth;	/* depth[i]: of order[i]; 0 = the root */
	uint32_t nr_vis;
	uint32_t max_depth;	/* deepest visible frame */
	unsigned int wcol;	/* column the widths come from */
	bool diff;		/* column 1 has weight */
	uint64_t total;		/* weight spanning the full width */
	double width_px;	/* pixels spanned by total */
	double min_px;		/* frames narrower are dropped */
	/* while building a new tree: (parent, name) -> frame, and each
	 * frame's newest child (flame charts) */
	struct fg_htab kids_of;
	uint32_t *last_kid;
};

/*
 * Lay p out per o (reverse, flamechart, minwidth, total, width). The frame
 * array holds the whole tree; order[] the frames wide enough to draw.
 */
int svg_layout__build(struct svg_layout *l, const struct fg_profile *p,
		      const struct fg_opts *o);
void svg_layout__release(struct svg_layout *l);

static inline double svg_layout__px(const struct svg_layout *l, uint64_t w)
{
	return l->total ? (double)w * l->width_px / (double)l->total : 0;
}

/* ---- colours ---- */

struct svg_palette;

/* Palette named o->colors (NULL = hot), o->cp map loaded when given. */
struct svg_palette *svg_palette__new(const struct fg_opts *o);
void svg_palette__delete(struct svg_palette *pal);
/* 0xRRGGBB for a frame name (stable per name unless o->random). */
uint32_t svg_palette__color(struct svg_palette *pal, const char *name,
			    size_t len);
/* Write the consistent palette back (o->cp); 0 when none. */
int svg_palette__save(struct svg_palette *pal);
/* Differential colour: delta relative to the largest |delta|. */
uint32_t svg_diff_color(int64_t delta, uint64_t maxdelta, bool negate);
/* Background gradient stops for o->bgcolors and the palette. */
void svg_background(const struct fg_opts *o, const char **top,
		    const char **bottom);

/* ---- per-name attributes (--nameattr) ---- */

struct svg_nameattr;

struct svg_nameattr *svg_nameattr__load(const char *path);
void svg_nameattr__delete(struct svg_nameattr *na);
/*
 * Attributes of name as "key=value" pairs, NULL when none. The pairs
 * already passed a safety filter (no on* handlers, no javascript: links).
 */
const struct fg_strlist *svg_nameattr__find(const struct svg_nameattr *na,
					    const char *name, size_t len);

/* Embedded assets (lib/output/svg_assets.S). */
extern const char fg_svg_js[], fg_svg_js_end[];
extern const char fg_svg_css[], fg_svg_css_end[];

#endif
