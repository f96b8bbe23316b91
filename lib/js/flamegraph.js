/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flamegraph.js - interactivity for perf-flame flame graphs (hover details,
 * click to zoom, Reset Zoom, regex search with matched %, case toggle).
 *
 * Embedded into every SVG lib/out_svg.c writes (as CDATA, so this file must
 * never contain the three characters "]" "]" ">" in a row), and reused by
 * other pages (lib/js/heatmap.js) that build the same DOM inside an inline
 * <svg> and call flamegraph_init() again after replacing the frames.
 *
 * ---- DOM CONTRACT ----------------------------------------------------------
 *
 *   <svg ...>                            root handed to flamegraph_init()
 *     <text class="fg-details"/>         hover line, text replaced
 *     <text class="fg-unzoom fg-button fg-hide">Reset Zoom</text>
 *     <text class="fg-search fg-button">Search</text>
 *     <text class="fg-ignorecase fg-button">ic</text>
 *     <text class="fg-matched"/>         "Matched: 12.34%" while searching
 *     <g class="fg-frames"               the frame container
 *        data-total="T"                  weight spanning the full width
 *        data-xpad="10"                  left edge of the frames, px
 *        data-width="1180"               px spanned by data-total
 *        data-fontsize="12"              px
 *        data-fontwidth="0.59"           average glyph width / font size
 *        data-nametype="Function:"       prefix of the details line
 *        data-searchcolor="rgb(230,0,230)">
 *       <g class="fg-f" data-x="X" data-w="W" data-d="D">
 *         <title>NAME (INFO)</title>
 *         <rect x=".." y=".." width=".." height=".." fill=".."/>
 *         <text x=".." y="..">LABEL</text>
 *       </g>
 *       ... one element per frame, in any order ...
 *     </g>
 *   </svg>
 *
 * Frames: X = start of the frame in weight units (0 <= X, X + W <= T),
 * W = its inclusive weight (> 0), D = its depth (0 = the "all" frame; a
 * child has D + 1 and lies within its parent's [X, X + W)). Frame
 * elements may be <a class="fg-f" ...> (links) instead of <g>. The frame
 * name is the data-n attribute when present, else the <title> text up to
 * its last " (" (the writer puts "NAME (1,234 samples, 5.67%)" there).
 * The details line shows "NAMETYPE TITLE". y, height and fill are never
 * touched except fill while a search highlights a frame; x, width and the
 * label are recomputed on zoom (label = name cut to fit + "..", empty when
 * fewer than 3 characters fit).
 * The controls are optional: missing ones are simply not wired. Every
 * data-* of .fg-frames may instead be given in opts (same names,
 * camelCase: total, xpad, width, fontsize, fontwidth, nametype,
 * searchcolor); elements may be passed as opts.frames, opts.details,
 * opts.unzoom, opts.search, opts.ignorecase, opts.matched.
 * opts.prompt(text) replaces window.prompt for the search term.
 * opts.urlState (default: on when the SVG is the document) reads and writes
 * ?x=&y= (zoomed frame's rect) and ?s= (search) as flamegraph.pl does.
 *
 * CSS classes used: fg-hide (display: none), fg-parent (greyed ancestors
 * of the zoomed frame), fg-on (ignorecase active), fg-button (clickable);
 * lib/js/flamegraph.css holds the rules.
 *
 * API: var fg = flamegraph_init(svgRoot, opts) -> { zoom(frameElement),
 * unzoom(), search(regexText), clearSearch(), destroy() }.
 * Calling flamegraph_init() again on the same root first undoes the
 * previous call's listeners and state.
 * --------------------------------------------------------------------------
 */
(function (global) {
	'use strict';

	function num(v, dflt) {
		var n = parseFloat(v);
		return isFinite(n) ? n : dflt;
	}

	function frameName(el) {
		var n = el.getAttribute('data-n'), t, i;

		if (n !== null)
			return n;
		t = el.querySelector('title');
		t = t ? t.textContent : '';
		i = t.lastIndexOf(' (');
		return i >= 0 ? t.substring(0, i) : t;
	}

	function commas(n) {
		var s = String(Math.round(n)), out = '', i;

		for (i = 0; i < s.length; i++) {
			if (i && (s.length - i) % 3 === 0 && s[i - 1] !== '-')
				out += ',';
			out += s[i];
		}
		return out;
	}

	function init(svg, opts) {
		var doc = svg.ownerDocument || document;
		var o = opts || {};
		var $ = function (key, cls) {
			return o[key] || svg.querySelector('.' + cls);
		};
		var framesEl, details, unzoomEl, searchEl, icEl, matchedEl;
		var cfg, frames = [], state, listeners = [];

		if (svg.__flamegraph)
			svg.__flamegraph.destroy();

		framesEl = $('frames', 'fg-frames');
		details = $('details', 'fg-details');
		unzoomEl = $('unzoom', 'fg-unzoom');
		searchEl = $('search', 'fg-search');
		icEl = $('ignorecase', 'fg-ignorecase');
		matchedEl = $('matched', 'fg-matched');

		function data(name, key, dflt) {
			if (o[key] !== undefined)
				return o[key];
			if (framesEl && framesEl.hasAttribute('data-' + name))
				return framesEl.getAttribute('data-' + name);
			return dflt;
		}

		cfg = {
			total: num(data('total', 'total'), 0),
			xpad: num(data('xpad', 'xpad'), 10),
			width: num(data('width', 'width'), 1180),
			fontsize: num(data('fontsize', 'fontsize'), 12),
			fontwidth: num(data('fontwidth', 'fontwidth'), 0.59),
			nametype: data('nametype', 'nametype', 'Function:'),
			searchcolor: data('searchcolor', 'searchcolor',
					  'rgb(230,0,230)')
		};

		state = {
			zoomed: null,		/* frame record or null */
			term: null,		/* RegExp source while searching */
			ignorecase: false
		};

		if (framesEl) {
			Array.prototype.forEach.call(
				framesEl.querySelectorAll('.fg-f'), function (el) {
				var f = {
					el: el,
					x: num(el.getAttribute('data-x'), 0),
					w: num(el.getAttribute('data-w'), 0),
					d: num(el.getAttribute('data-d'), 0),
					rect: el.querySelector('rect'),
					text: el.querySelector('text'),
					title: el.querySelector('title'),
					name: null,
					fill: null
				};

				f.name = frameName(el);
				f.fill = f.rect ? f.rect.getAttribute('fill') : null;
				/* the link key, as flamegraph.pl's ?x=&y= */
				f.ox = f.rect ? f.rect.getAttribute('x') : null;
				f.oy = f.rect ? f.rect.getAttribute('y') : null;
				el.__fgframe = f;
				frames.push(f);
			});
			if (!cfg.total) {
				frames.forEach(function (f) {
					if (f.x + f.w > cfg.total)
						cfg.total = f.x + f.w;
				});
			}
		}

		function on(el, type, fn) {
			if (!el)
				return;
			el.addEventListener(type, fn, false);
			listeners.push([el, type, fn]);
		}

		/*
		 * URL state (standalone SVG only, as flamegraph.pl): ?s=TERM is
		 * the search, ?x=X&y=Y the zoomed frame (its rect's x and y as
		 * written), so a link reproduces a view. Pages that embed the
		 * graph (the heatmap) keep their own URL.
		 */
		var win = doc.defaultView || global;
		var urlState = o.urlState !== undefined ? !!o.urlState :
			(svg === doc.documentElement && !!(win && win.history &&
						       win.location));

		function getParams() {
			var p = {}, q = urlState ? win.location.search : '';

			q.replace(/^\?/, '').split('&').forEach(function (kv) {
				var i = kv.indexOf('='), k, v;

				if (!kv)
					return;
				k = i < 0 ? kv : kv.slice(0, i);
				v = i < 0 ? '' : kv.slice(i + 1);
				try {
					p[decodeURIComponent(k)] =
						decodeURIComponent(v.replace(/\+/g, ' '));
				} catch (e) {
					/* a malformed escape: ignore the pair */
				}
			});
			return p;
		}

		function setParams(change) {
			var p, q = [], k, url;

			if (!urlState)
				return;
			p = getParams();
			for (k in change) {
				if (change[k] === null)
					delete p[k];
				else
					p[k] = change[k];
			}
			for (k in p)
				q.push(encodeURIComponent(k) + '=' +
				       encodeURIComponent(p[k]));
			url = win.location.pathname + (q.length ? '?' + q.join('&') : '') +
				win.location.hash;
			try {
				win.history.replaceState(null, '', url);
			} catch (e) {
				/* file:// in some browsers: no URL state */
			}
		}

		/*
		 * A frame's link (--nameattr) is followed only to http, https or
		 * this document's own scheme, never to javascript or data URLs, even if
		 * the file was edited after flame wrote it. Spaces and control
		 * characters go first, as URL parsers drop them.
		 */
		function linkSafe(a) {
			var h = a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') ||
				a.getAttribute('href') || '';
			var m, p;

			h = h.replace(/[\u0000-\u0020\u007f]/g, '');
			try {
				p = new URL(h, doc.baseURI || win.location.href).protocol;
			} catch (e) {
				m = /^([a-zA-Z][a-zA-Z0-9+.\-]*):/.exec(h);
				p = m ? m[1].toLowerCase() + ':' : win.location.protocol;
			}
			return p === 'http:' || p === 'https:' ||
			       p === win.location.protocol;
		}

		function frameOf(target) {
			while (target && target !== framesEl) {
				if (target.__fgframe)
					return target.__fgframe;
				target = target.parentNode;
			}
			return null;
		}

		function label(f, wpx) {
			var chars = Math.floor((wpx - 3) /
					       (cfg.fontsize * cfg.fontwidth));
			var cps;

			if (chars < 3)
				return '';
			cps = Array.from(f.name);
			if (cps.length <= chars)
				return f.name;
			return cps.slice(0, chars - 2).join('') + '..';
		}

		function place(f, x0, scale) {
			var x = cfg.xpad + (f.x - x0) * scale;
			var w = f.w * scale;

			if (f.rect) {
				f.rect.setAttribute('x', x.toFixed(1));
				f.rect.setAttribute('width', w.toFixed(1));
			}
			if (f.text) {
				f.text.setAttribute('x', (x + 3).toFixed(1));
				f.text.textContent = label(f, w);
			}
		}

		function layout() {
			var z = state.zoomed;
			var x0 = z ? z.x : 0, w0 = z ? z.w : cfg.total;
			var scale = w0 > 0 ? cfg.width / w0 : 0;

			frames.forEach(function (f) {
				var cls = f.el.classList;
				var inside = f.x >= x0 && f.x + f.w <= x0 + w0;

				cls.remove('fg-hide');
				cls.remove('fg-parent');
				if (!z || (inside && f.d >= z.d)) {
					place(f, x0, scale);
				} else if (f.d < z.d && f.x <= z.x &&
					   f.x + f.w >= z.x + z.w) {
					/* ancestor: full width, greyed */
					cls.add('fg-parent');
					if (f.rect) {
						f.rect.setAttribute('x', cfg.xpad);
						f.rect.setAttribute('width',
								    cfg.width);
					}
					if (f.text) {
						f.text.setAttribute('x',
							cfg.xpad + 3);
						f.text.textContent =
							label(f, cfg.width);
					}
				} else {
					cls.add('fg-hide');
				}
			});
			if (unzoomEl) {
				if (z)
					unzoomEl.classList.remove('fg-hide');
				else
					unzoomEl.classList.add('fg-hide');
			}
			if (state.term !== null)
				doSearch(state.term);
		}

		function zoom(el) {
			var f = el && el.__fgframe ? el.__fgframe : el;

			if (!f || f.d === 0) {
				unzoom();
				return;
			}
			state.zoomed = f;
			layout();
			if (f.ox !== null && f.oy !== null)
				setParams({ x: f.ox, y: f.oy });
		}

		function unzoom() {
			state.zoomed = null;
			layout();
			setParams({ x: null, y: null });
		}

		function setMatched(text) {
			if (matchedEl)
				matchedEl.textContent = text;
		}

		function clearSearch() {
			state.term = null;
			frames.forEach(function (f) {
				if (f.rect && f.fill !== null)
					f.rect.setAttribute('fill', f.fill);
			});
			setMatched('');
			if (searchEl)
				searchEl.classList.remove('fg-on');
			setParams({ s: null });
		}

		/* Highlight matches; matched % of what is in view, nested
		 * matches (a match inside a match) counted once. */
		function doSearch(term) {
			var re, hits = [], z = state.zoomed, sum = 0, end = -1;
			var x0 = z ? z.x : 0, w0 = z ? z.w : cfg.total;

			try {
				re = new RegExp(term, state.ignorecase ? 'i' : '');
			} catch (e) {
				setMatched('Bad regex');
				return;
			}
			state.term = term;
			setParams({ s: term });
			frames.forEach(function (f) {
				var match = f.d > 0 && re.test(f.name);

				if (f.rect && f.fill !== null)
					f.rect.setAttribute('fill', match ?
						cfg.searchcolor : f.fill);
				if (match && f.x >= x0 && f.x + f.w <= x0 + w0)
					hits.push(f);
			});
			hits.sort(function (a, b) {
				return a.x - b.x || b.w - a.w;
			});
			hits.forEach(function (f) {
				if (f.x >= end) {
					sum += f.w;
					end = f.x + f.w;
				}
			});
			if (searchEl)
				searchEl.classList.add('fg-on');
			setMatched(w0 > 0 ? 'Matched: ' +
				   (100 * sum / w0).toFixed(2) + '%' : '');
		}

		function askSearch() {
			var ask = o.prompt || function (msg) {
				var w = doc.defaultView || global;

				return w.prompt(msg, '');
			};
			var term = ask('Enter a search term (regexp allowed, ' +
				       'e.g. ^ext4_)' +
				       (state.ignorecase ? ', ignoring case' :
					', case sensitive (toggle with ic)'));

			if (term !== null && term !== undefined && term !== '')
				doSearch(term);
		}

		on(framesEl, 'mouseover', function (ev) {
			var f = frameOf(ev.target);

			if (f && details)
				details.textContent = cfg.nametype + ' ' +
					(f.title ? f.title.textContent : f.name);
		});
		on(framesEl, 'mouseout', function (ev) {
			if (details && frameOf(ev.target))
				details.textContent = ' ';
		});
		on(framesEl, 'click', function (ev) {
			var f = frameOf(ev.target);

			if (!f)
				return;
			if (ev.preventDefault && (f.el.tagName.toLowerCase() !== 'a' ||
						  !linkSafe(f.el)))
				ev.preventDefault();
			zoom(f);
		});
		on(unzoomEl, 'click', function () {
			unzoom();
		});
		on(searchEl, 'click', function () {
			if (state.term === null)
				askSearch();
			else
				clearSearch();
		});
		on(icEl, 'click', function () {
			state.ignorecase = !state.ignorecase;
			if (state.ignorecase)
				icEl.classList.add('fg-on');
			else
				icEl.classList.remove('fg-on');
			if (state.term !== null)
				doSearch(state.term);
		});
		on(doc.defaultView || global, 'keydown', function (ev) {
			if (ev.keyCode === 114 ||
			    ((ev.ctrlKey || ev.metaKey) && ev.keyCode === 70)) {
				ev.preventDefault();
				askSearch();
			} else if (ev.keyCode === 27 && state.term !== null) {
				clearSearch();
			}
		});

		var api = {
			zoom: zoom,
			unzoom: unzoom,
			search: function (term) {
				if (term === null || term === '')
					clearSearch();
				else
					doSearch(term);
			},
			clearSearch: clearSearch,
			setIgnoreCase: function (v) {
				state.ignorecase = !!v;
				if (icEl)
					icEl.classList.toggle('fg-on', state.ignorecase);
				if (state.term !== null)
					doSearch(state.term);
			},
			frames: function () { return frames; },
			destroy: function () {
				listeners.forEach(function (l) {
					l[0].removeEventListener(l[1], l[2], false);
				});
				listeners = [];
				frames.forEach(function (f) {
					delete f.el.__fgframe;
				});
				if (svg.__flamegraph === api)
					delete svg.__flamegraph;
			}
		};
		svg.__flamegraph = api;
		if (icEl)
			icEl.classList.remove('fg-on');
		if (searchEl)
			searchEl.classList.remove('fg-on');
		if (unzoomEl)
			unzoomEl.classList.add('fg-hide');
		if (matchedEl)
			setMatched('');
		if (urlState) {
			var p = getParams();

			if (p.x !== undefined && p.y !== undefined) {
				frames.forEach(function (f) {
					if (f.ox === p.x && f.oy === p.y && f.d > 0)
						zoom(f);
				});
			}
			if (p.s)
				doSearch(p.s);
		}
		return api;
	}

	global.flamegraph_init = init;
	global.flamegraph_commas = commas;
})(typeof window !== 'undefined' ? window : this);
