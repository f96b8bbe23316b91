/* SPDX-License-Identifier: GPL-2.0 */
/*
 * heatmap.js - the page lib/out_heatmap.c writes: a subsecond heatmap of the
 * samples (x = seconds from the first sample, y = fraction of the second,
 * colour = samples) and the flame graph of the cells picked with the mouse,
 * drawn in the DOM shape lib/js/flamegraph.js expects and made interactive
 * by flamegraph_init() (zoom, reset, search, matched %, details).
 *
 * Data: the JSON block #fg-data (format in lib/out_heatmap.c). Names reach
 * the DOM only through textContent and setAttribute, never as markup.
 * This file is embedded in an HTML script block: it must not contain the
 * sequences "</" + "script" or "<" + "!--".
 */
(function () {
	'use strict';

	var doc = document;
	var T0 = performance.now();
	var $ = function (id) { return doc.getElementById(id); };
	var SVGNS = 'http://www.w3.org/2000/svg';
	var D = JSON.parse($('fg-data').textContent);
	var i, j;

	/* ---- decode ------------------------------------------------------ */

	var rows = D.rows, cols = D.cols, nAll = rows * cols;
	var names = D.names;
	var nNodes = D.nodes.length / 2 + 1;
	var parent = new Int32Array(nNodes), nameOf = new Int32Array(nNodes);
	var nStacks = D.stacks.length;
	var stackNode = Int32Array.from(D.stacks);
	var stackIdle = new Uint8Array(nStacks);
	var nc = D.ncells, ne = D.nentries, weighted = D.weighted;
	var cellIdx = new Int32Array(nc), cellFirst = new Int32Array(nc + 1);
	var entStack = new Int32Array(ne), entCount = new Float64Array(ne);
	var entWeight = weighted ? new Float64Array(ne) : entCount;
	var cntAll = new Float64Array(nc), cntBusy = new Float64Array(nc);
	var cellPos = new Int32Array(nAll).fill(-1);

	parent[0] = -1;
	nameOf[0] = -1;
	for (i = 1; i < nNodes; i++) {
		parent[i] = D.nodes[2 * i - 2];
		nameOf[i] = D.nodes[2 * i - 1];
	}
	D.idlestacks.forEach(function (s) { stackIdle[s] = 1; });

	(function () {
		var a = D.cells, p = 0, e = 0, cell = -1, k, n, s, c;

		for (k = 0; k < nc; k++) {
			cell += a[p++] + 1;
			cellIdx[k] = cell;
			cellPos[cell] = k;
			cellFirst[k] = e;
			n = a[p++];
			for (j = 0; j < n; j++, e++) {
				s = entStack[e] = a[p++];
				c = entCount[e] = a[p++];
				if (weighted)
					entWeight[e] = a[p++];
				cntAll[k] += c;
				if (!stackIdle[s])
					cntBusy[k] += c;
			}
		}
		cellFirst[nc] = e;
	})();
	D.cells = D.nodes = D.stacks = null;

	/* Children of each node, sorted by name (x order of the graph). */
	var childFirst = new Int32Array(nNodes + 1), childList;
	(function () {
		var fill = new Int32Array(nNodes), k;

		for (k = 1; k < nNodes; k++)
			childFirst[parent[k] + 1]++;
		for (k = 0; k < nNodes; k++)
			childFirst[k + 1] += childFirst[k];
		childList = new Int32Array(Math.max(nNodes - 1, 1));
		for (k = 1; k < nNodes; k++)
			childList[childFirst[parent[k]] + fill[parent[k]]++] = k;
		for (k = 0; k < nNodes; k++) {
			if (childFirst[k + 1] - childFirst[k] < 2)
				continue;
			var sub = Array.from(childList.subarray(childFirst[k],
							       childFirst[k + 1]));
			sub.sort(function (x, y) {
				var a = names[nameOf[x]], b = names[nameOf[y]];

				return a < b ? -1 : a > b ? 1 : 0;
			});
			childList.set(sub, childFirst[k]);
		}
	})();

	/* ---- helpers ----------------------------------------------------- */

	var commas = window.flamegraph_commas || function (n) {
		return String(Math.round(n));
	};
	var countname = D.countname || 'samples';

	function fmtSec(cell) {
		/* start of cell, seconds from the first sample */
		return (Math.floor(cell / rows) + (cell % rows) / rows).toFixed(3);
	}

	function rangeText(lo, hi) {
		return fmtSec(lo) + '\u2013' + fmtSec(hi + 1) + ' s';
	}

	function lowerBound(arr, n, v) {
		var lo = 0, hi = n;

		while (lo < hi) {
			var mid = (lo + hi) >> 1;

			if (arr[mid] < v)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo;
	}

	function el(tag, attrs, text) {
		var e = doc.createElementNS(SVGNS, tag), k;

		for (k in attrs)
			e.setAttribute(k, attrs[k]);
		if (text !== undefined)
			e.textContent = text;
		return e;
	}

	function hash(s, seed) {
		var h = 2166136261 ^ seed, k;

		for (k = 0; k < s.length; k++)
			h = Math.imul(h ^ s.charCodeAt(k), 16777619);
		h ^= h >>> 15;
		h = Math.imul(h, 2246822507);
		h ^= h >>> 13;
		return (h >>> 0) / 4294967296;
	}

	/* Stable warm colour per name, kernel frames a little more orange. */
	function hotColour(name) {
		var v1 = hash(name, 0), v2 = hash(name, 0x9e3779b9);
		var r = 205 + Math.round(50 * v2), g = Math.round(230 * v1);
		var b = Math.round(55 * v2);

		if (/_\[k\]$/.test(name))
			g = 120 + Math.round(80 * v1);
		return 'rgb(' + r + ',' + g + ',' + b + ')';
	}

	/* ---- aggregation ------------------------------------------------- */

	var idleOn = !!D.idle;

	/* Weights per stack over cells lo..hi (inclusive), samples too. */
	function stackWeights(lo, hi) {
		var w = new Float64Array(nStacks), n = 0, k, e, s;

		for (k = lowerBound(cellIdx, nc, lo); k < nc && cellIdx[k] <= hi; k++) {
			for (e = cellFirst[k]; e < cellFirst[k + 1]; e++) {
				s = entStack[e];
				if (!idleOn && stackIdle[s])
					continue;
				w[s] += entWeight[e];
				n += entCount[e];
			}
		}
		return { w: w, samples: n };
	}

	function nodeTotals(sw) {
		var t = new Float64Array(nNodes), k;

		for (k = 0; k < nStacks; k++)
			t[stackNode[k]] += sw[k];
		for (k = nNodes - 1; k > 0; k--)
			t[parent[k]] += t[k];
		return t;
	}

	/* ---- flame graph ------------------------------------------------- */

	var svg = $('fg-svg');
	var fgApi = null;
	var FW = D.width || 1200, XPAD = 10, FH = D.frameheight || 16;
	var FONT = D.fontsize || 12, MAXFRAMES = 8000;
	var MINW = typeof D.minwidth === 'number' ? D.minwidth : 0.1;
	var MINPCT = D.minwidthpct || 0;
	var TOP = 34, BOTTOM = 30;

	/*
	 * t: inclusive weights per node (sizes), base: optional per-node
	 * weights of the range compared against (colours red = grew,
	 * blue = shrank, normalised to equal totals).
	 */
	function renderFlame(t, base, caption) {
		var r0 = performance.now();
		var total = t[0], list = [], maxd = 0, stack = [0, 0, 0];
		var width = FW - 2 * XPAD, scale = total > 0 ? width / total : 0;
		var frames = el('g', { 'class': 'fg-frames' }), k;
		var norm = base && base[0] > 0 ? total / base[0] : 0, maxDelta = 0;

		/* Frames at least MINW px wide; if that is still more than
		 * MAXFRAMES (a DOM of 10^5 frames takes seconds to build and to
		 * zoom), raise the bar to the MAXFRAMES-th widest. */
		var minWeight = Math.max(scale > 0 ? MINW / scale : 0,
					 total * MINPCT / 100);

		walk(minWeight);
		if (list.length / 3 > MAXFRAMES) {
			var ws = new Float64Array(list.length / 3);

			for (k = 0; k < ws.length; k++)
				ws[k] = t[list[3 * k]];
			ws.sort();
			minWeight = ws[ws.length - MAXFRAMES];
			walk(minWeight * (1 + 1e-9));
		}

		function walk(minw) {
			list = [];
			maxd = 0;
			stack = [0, 0, 0];
			while (stack.length) {
				var d = stack.pop(), x = stack.pop(), n = stack.pop();
				var cx = x;

				list.push(n, x, d);
				if (d > maxd)
					maxd = d;
				for (k = childFirst[n]; k < childFirst[n + 1]; k++) {
					var c = childList[k], cw = t[c];

					if (cw >= minw && cw > 0)
						stack.push(c, cx, d + 1);
					cx += cw;
				}
			}
		}
		if (base) {
			for (k = 0; k < list.length; k += 3) {
				var dl = Math.abs(t[list[k]] - base[list[k]] * norm);

				if (list[k] && dl > maxDelta)
					maxDelta = dl;
			}
		}

		var height = TOP + (maxd + 1) * FH + BOTTOM;

		svg.setAttribute('width', FW);
		svg.setAttribute('height', height);
		svg.setAttribute('viewBox', '0 0 ' + FW + ' ' + height);
		for (k = 0; k < list.length; k += 3) {
			var node = list[k], fx = list[k + 1], depth = list[k + 2];
			var name = node ? names[nameOf[node]] : 'all';
			var wt = t[node], fill, info;
			var y = D.inverted ? TOP + depth * FH :
				height - BOTTOM - (depth + 1) * FH;

			info = commas(wt) + ' ' + countname + ', ' +
				(total > 0 ? (100 * wt / total).toFixed(2) : '0.00') + '%';
			if (base) {
				var was = base[node] * norm, delta = wt - was;
				var v = maxDelta > 0 ? Math.min(1, Math.abs(delta) / maxDelta) : 0;
				var lo = Math.round(255 * (1 - v));

				fill = delta > 0 ? 'rgb(255,' + lo + ',' + lo + ')' :
					delta < 0 ? 'rgb(' + lo + ',' + lo + ',255)' :
					'rgb(255,255,255)';
				info += '; first range ' + commas(base[node]) +
					(total > 0 ? ', ' + (delta >= 0 ? '+' : '') +
					 (100 * delta / total).toFixed(2) + '%' : '');
			} else {
				fill = node ? hotColour(name) : 'rgb(250,200,120)';
			}
			var g = el('g', { 'class': 'fg-f', 'data-x': fx, 'data-w': wt,
					  'data-d': depth, 'data-n': name });

			g.appendChild(el('title', {}, name + ' (' + info + ')'));
			g.appendChild(el('rect', { x: XPAD + fx * scale, y: y,
						   width: wt * scale, height: FH - 1,
						   fill: fill, rx: 2, ry: 2 }));
			g.appendChild(el('text', { x: XPAD + fx * scale + 3,
						   y: y + FH - 5 }, ''));
			frames.appendChild(g);
		}

		svg.replaceChild(frames, svg.querySelector('.fg-frames'));
		frames.setAttribute('data-total', total);
		frames.setAttribute('data-xpad', XPAD);
		frames.setAttribute('data-width', width);
		frames.setAttribute('data-fontsize', FONT);
		frames.setAttribute('data-nametype', D.nametype || 'Function:');
		svg.querySelector('.fg-details').setAttribute('y', height - 10);
		svg.querySelector('.fg-matched').setAttribute('y', height - 10);
		svg.querySelector('.fg-matched').setAttribute('x', FW - 110);
		svg.querySelector('.fg-search').setAttribute('x', FW - 110);
		svg.querySelector('.fg-ignorecase').setAttribute('x', FW - 30);
		svg.querySelector('.fg-caption').setAttribute('x', FW / 2);
		$('fg-caption').textContent = caption;
		if (window.flamegraph_init) {
			fgApi = window.flamegraph_init(svg, {});
			fgApi.unzoom();	/* lays out labels */
		}
		svg.setAttribute('data-frames', list.length / 3);
		svg.setAttribute('data-render-ms', (performance.now() - r0).toFixed(1));
	}

	/* ---- heatmap ----------------------------------------------------- */

	var canvas = $('hm-canvas'), ctx = canvas.getContext('2d');
	var base = doc.createElement('canvas'), bctx = base.getContext('2d');
	var cw = Math.max(cols > 8000 ? 1 : 3,
			  Math.min(24, Math.floor(1100 / Math.max(cols, 1))));
	var ch = Math.max(2, Math.min(12, Math.floor(400 / rows)));
	var palette = [], EMPTY = '#f4f4f4';

	(function () {
		var stops = [[255, 237, 160], [254, 178, 76], [240, 59, 32],
			     [128, 0, 38]];
		var k;

		for (k = 0; k < 256; k++) {
			var f = k / 255 * (stops.length - 1);
			var s = Math.min(Math.floor(f), stops.length - 2), u = f - s;
			var c = [0, 1, 2].map(function (q) {
				return Math.round(stops[s][q] +
					(stops[s + 1][q] - stops[s][q]) * u);
			});
			palette.push('rgb(' + c.join(',') + ')');
		}
	})();

	canvas.width = base.width = Math.max(cols * cw, 1);
	canvas.height = base.height = rows * ch;
	canvas.setAttribute('data-cols', cols);
	canvas.setAttribute('data-rows', rows);
	canvas.setAttribute('data-cell-w', cw);
	canvas.setAttribute('data-cell-h', ch);

	function counts() { return idleOn ? cntAll : cntBusy; }

	function drawBase() {
		var cnt = counts(), max = 0, k, gx = cw > 3 ? 1 : 0, gy = ch > 3 ? 1 : 0;

		for (k = 0; k < nc; k++)
			if (cnt[k] > max)
				max = cnt[k];
		bctx.fillStyle = '#fff';
		bctx.fillRect(0, 0, base.width, base.height);
		bctx.fillStyle = EMPTY;
		for (k = 0; k < cols; k++)
			bctx.fillRect(k * cw, 0, cw - gx, base.height);
		for (k = 0; k < nc; k++) {
			if (!cnt[k])
				continue;
			var c = cellIdx[k];

			bctx.fillStyle = palette[Math.max(1, Math.round(255 * cnt[k] / max))];
			bctx.fillRect(Math.floor(c / rows) * cw, (c % rows) * ch,
				      cw - gx, ch - gy);
		}
		$('hm-legend-max').textContent = commas(max);
		$('hm-legend-unit').textContent = countname + ' per cell';
		canvas.setAttribute('data-max', max);
	}

	function shade(sel, fill, stroke) {
		var c0 = Math.floor(sel.lo / rows), c1 = Math.floor(sel.hi / rows), c;

		ctx.fillStyle = fill;
		for (c = c0; c <= c1; c++) {
			var r0 = c === c0 ? sel.lo % rows : 0;
			var r1 = c === c1 ? sel.hi % rows : rows - 1;

			ctx.fillRect(c * cw, r0 * ch, cw, (r1 - r0 + 1) * ch);
		}
		if (stroke) {
			ctx.strokeStyle = stroke;
			ctx.lineWidth = 1;
			ctx.strokeRect(c0 * cw + 0.5, 0.5, (c1 - c0 + 1) * cw - 1,
				       canvas.height - 1);
		}
	}

	var selA = null, selB = null, picking = 'A', pending = -1, drag = null;

	function paint() {
		ctx.drawImage(base, 0, 0);
		if (selA && !(selA.lo === 0 && selA.hi === nAll - 1))
			shade(selA, 'rgba(0,90,255,0.35)', 'rgba(0,60,200,0.6)');
		if (selB)
			shade(selB, 'rgba(0,170,60,0.4)', 'rgba(0,120,40,0.7)');
		if (drag && drag.moved)
			shade({ lo: Math.min(drag.from, drag.to),
				hi: Math.max(drag.from, drag.to) },
			      'rgba(60,60,60,0.3)');
		if (pending >= 0) {
			ctx.strokeStyle = '#000';
			ctx.lineWidth = 2;
			ctx.strokeRect(Math.floor(pending / rows) * cw + 1,
				       (pending % rows) * ch + 1, cw - 2, ch - 2);
		}
	}

	function drawLegend() {
		var lg = $('hm-legend'), lc = lg.getContext('2d'), k;

		for (k = 0; k < lg.width; k++) {
			lc.fillStyle = palette[Math.round(255 * k / (lg.width - 1))];
			lc.fillRect(k, 0, 1, lg.height);
		}
	}

	function drawAxes() {
		var yl = $('hm-ylab'), xl = $('hm-xlab'), k, step;

		yl.style.height = canvas.height + 'px';
		step = Math.max(1, Math.ceil(14 / ch));
		step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000]
			.filter(function (s) { return s >= step && rows % s === 0; })[0] || rows;
		for (k = 0; k < rows; k += step) {
			var s = doc.createElement('span');

			s.style.top = (k * ch - 2) + 'px';
			s.textContent = Math.round(k * 1000 / rows) + ' ms';
			yl.appendChild(s);
		}
		xl.style.width = canvas.width + 'px';
		step = Math.max(1, Math.ceil(36 / cw));
		step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600]
			.filter(function (s) { return s >= step; })[0] || 3600;
		for (k = 0; k < cols; k += step) {
			var x = doc.createElement('span');

			x.style.left = (k * cw) + 'px';
			x.textContent = k + ' s';
			xl.appendChild(x);
		}
	}

	function cellAt(ev) {
		var r = canvas.getBoundingClientRect();
		var x = ev.clientX - r.left, y = ev.clientY - r.top;
		var c = Math.floor(x * canvas.width / r.width / cw);
		var w = Math.floor(y * canvas.height / r.height / ch);

		if (c < 0 || c >= cols || w < 0 || w >= rows)
			return -1;
		return c * rows + w;
	}

	/* ---- CPU strips: throttled share and usage per second --------------- */

	var strips = [], SH = 28;

	function stripCol(ev, sc) {
		var r = sc.getBoundingClientRect();
		var c = Math.floor((ev.clientX - r.left) * sc.width / r.width / cw);

		return c < 0 || c >= cols ? -1 : c;
	}

	function drawStrip(st) {
		var sc = st.canvas, sx = sc.getContext('2d'), d = st.d, k, v, u, q;

		sx.fillStyle = '#fff';
		sx.fillRect(0, 0, sc.width, SH);
		for (k = 0; k < cols; k++) {
			v = d.thr[k];
			sx.fillStyle = v < 0 ? EMPTY : '#fbe3e3';
			sx.fillRect(k * cw, 0, Math.max(1, cw - (cw > 3 ? 1 : 0)), SH);
			if (v > 0) {
				sx.fillStyle = '#d62728';
				sx.fillRect(k * cw, SH - Math.max(1, Math.round(v / 1000 * SH)),
					    Math.max(1, cw - (cw > 3 ? 1 : 0)),
					    Math.max(1, Math.round(v / 1000 * SH)));
			}
			/* usage: against the quota, else against one CPU */
			q = d.quota ? d.quota : 1;
			u = Math.min(1, d.use[k] / 1000 / q);
			if (d.use[k] > 0) {
				sx.fillStyle = '#1f3b8c';
				sx.fillRect(k * cw, SH - 1 - Math.round(u * (SH - 2)),
					    Math.max(1, cw - (cw > 3 ? 1 : 0)), 2);
			}
		}
		if (st.sel) {
			sx.fillStyle = 'rgba(0,90,255,0.35)';
			sx.fillRect(st.sel[0] * cw, 0, (st.sel[1] - st.sel[0] + 1) * cw, SH);
		}
	}

	function paintStrips() {
		var lo = selA ? Math.floor(selA.lo / rows) : 0;
		var hi = selA ? Math.floor(selA.hi / rows) : -1;
		var whole = !selA || isWhole(selA);

		strips.forEach(function (st) {
			st.sel = st.drag && st.drag.moved ?
				[Math.min(st.drag.from, st.drag.to),
				 Math.max(st.drag.from, st.drag.to)] :
				(whole ? null : [lo, hi]);
			drawStrip(st);
		});
	}

	function makeStrips() {
		var box = $('hm-cpu');

		(D.cpu || []).forEach(function (d, n) {
			var lab = doc.createElement('div'), sc = doc.createElement('canvas');
			var st = { d: d, canvas: sc, drag: null, sel: null }, k, thr = 0;

			for (k = 0; k < cols; k++)
				if (d.thr[k] > 0)
					thr++;
			lab.className = 'hm-cpu-label';
			lab.textContent = 'CPU ' + d.label + ': throttled share per second (red)' +
				', usage ' + (d.quota ? 'of the ' + d.quota.toFixed(3) +
					      ' CPU quota' : 'in CPUs (no quota)') +
				' (blue tick)';
			sc.width = canvas.width;
			sc.height = SH;
			sc.id = 'hm-cpu-' + n;
			sc.setAttribute('data-label', d.label);
			sc.setAttribute('data-throttled-cols', thr);
			box.appendChild(lab);
			box.appendChild(sc);
			sc.addEventListener('mousedown', function (ev) {
				var c = stripCol(ev, sc);

				if (ev.button !== 0 || c < 0)
					return;
				ev.preventDefault();
				st.drag = { from: c, to: c, moved: false };
			});
			sc.addEventListener('mousemove', function (ev) {
				var c = stripCol(ev, sc);

				if (c < 0)
					return;
				$('hm-hover').textContent = d.label + ' ' + rangeText(c * rows,
					c * rows + rows - 1) + ': ' + (d.thr[c] < 0 ?
					'no CFS period' : 'throttled in ' +
					(d.thr[c] / 10).toFixed(1) + '% of periods') +
					', ' + (d.use[c] / 1000).toFixed(3) + ' CPU' +
					(d.quota ? ' of ' + d.quota.toFixed(3) : '');
				if (st.drag && c !== st.drag.to) {
					st.drag.to = c;
					st.drag.moved = true;
					paintStrips();
				}
			});
			strips.push(st);
		});
		window.addEventListener('mouseup', function () {
			strips.forEach(function (st) {
				var d = st.drag;

				if (!d)
					return;
				st.drag = null;
				/* a click selects its second, a drag the seconds it covers */
				pending = -1;
				choose(Math.min(d.from, d.to) * rows,
				       Math.max(d.from, d.to) * rows + rows - 1);
			});
		});
	}

	function status(text) {
		$('hm-status').textContent = text;
	}

	/* ---- views ------------------------------------------------------- */

	function isWhole(sel) {
		return sel.lo === 0 && sel.hi === nAll - 1;
	}

	function selName(sel) {
		return isWhole(sel) ? 'whole profile' : rangeText(sel.lo, sel.hi);
	}

	function show() {
		var a = stackWeights(selA.lo, selA.hi), ta = nodeTotals(a.w);
		var idle = idleOn ? '' : ' (idle left out)';

		if (!selB) {
			renderFlame(ta, null, selName(selA) + ': ' + commas(a.samples) +
				    ' ' + countname + idle);
			status((isWhole(selA) ? 'Whole profile' :
				'Range ' + rangeText(selA.lo, selA.hi)) + ': ' +
			       commas(a.samples) + ' ' + countname + idle +
			       (picking === 'B' ? '. Pick the second range.' : ''));
		} else {
			var b = stackWeights(selB.lo, selB.hi), tb = nodeTotals(b.w);

			renderFlame(tb, ta, 'Differential: ' + selName(selB) + ' against ' +
				    selName(selA) + ' (red = more, blue = less)');
			status('Compare ' + selName(selB) + ' (' + commas(b.samples) +
			       ' ' + countname + ') with ' + selName(selA) + ' (' +
			       commas(a.samples) + '): widths from the second range,' +
			       ' colours by change after scaling the first to the' +
			       ' same total' + idle);
		}
		svg.setAttribute('data-mode', selB ? 'diff' : 'single');
		paint();
		paintStrips();
	}

	function choose(x, y) {
		var sel = { lo: Math.min(x, y), hi: Math.max(x, y) };

		if (picking === 'B' && selA) {
			selB = sel;
		} else {
			selA = sel;
			selB = null;
		}
		$('hm-compare').disabled = false;
		show();
	}

	function setPicking(p) {
		picking = p;
		$('hm-compare').textContent = p === 'B' ? 'End comparison' :
			'Compare with another range';
	}

	canvas.addEventListener('mousedown', function (ev) {
		var c = cellAt(ev);

		if (ev.button !== 0 || c < 0)
			return;
		ev.preventDefault();
		drag = { from: c, to: c, moved: false };
	});
	canvas.addEventListener('mousemove', function (ev) {
		var c = cellAt(ev), k;

		if (c < 0) {
			$('hm-hover').textContent = '\u00a0';
			return;
		}
		k = cellPos[c];
		$('hm-hover').textContent = rangeText(c, c) + ': ' +
			commas(k >= 0 ? counts()[k] : 0) + ' ' + countname;
		if (drag && c !== drag.to) {
			drag.to = c;
			drag.moved = drag.to !== drag.from;
			paint();
		}
	});
	canvas.addEventListener('mouseleave', function () {
		$('hm-hover').textContent = '\u00a0';
	});
	window.addEventListener('mouseup', function () {
		var d = drag, p;

		if (!d)
			return;
		drag = null;
		if (d.moved) {
			pending = -1;
			choose(d.from, d.to);
		} else if (pending < 0) {
			pending = d.from;
			status('Start ' + fmtSec(pending) + ' s: now pick the end cell.');
			paint();
		} else {
			p = pending;
			pending = -1;
			choose(p, d.from);
		}
	});
	window.addEventListener('keydown', function (ev) {
		if (ev.key === 'Escape' && (pending >= 0 || drag)) {
			pending = -1;
			drag = null;
			status('Selection cancelled.');
			paint();
		}
	});
	$('hm-whole').addEventListener('click', function () {
		pending = -1;
		setPicking('A');
		selA = { lo: 0, hi: Math.max(nAll - 1, 0) };
		selB = null;
		show();
	});
	$('hm-compare').addEventListener('click', function () {
		pending = -1;
		if (picking === 'B') {
			setPicking('A');
			selB = null;
		} else {
			setPicking('B');
		}
		show();
	});
	$('hm-idle').checked = idleOn;
	$('hm-idle').addEventListener('change', function () {
		idleOn = $('hm-idle').checked;
		drawBase();
		show();
	});

	/* ---- start ------------------------------------------------------- */

	if (D.title)
		$('hm-title').textContent = D.title;
	if (D.subtitle)
		$('hm-subtitle').textContent = D.subtitle;
	$('hm-summary').textContent = commas(D.samples) + ' ' + countname +
		' over ' + (D.span / 1e9).toFixed(3) + ' s; ' + rows +
		' rows per second (' + (1000 / rows).toFixed(1) + ' ms each)';
	drawBase();
	drawLegend();
	drawAxes();
	makeStrips();
	selA = { lo: 0, hi: Math.max(nAll - 1, 0) };
	show();
	/* ms spent in this script, and since navigation started */
	doc.body.setAttribute('data-ready', (performance.now() - T0).toFixed(1));
	doc.body.setAttribute('data-ready-nav', performance.now().toFixed(1));
})();
