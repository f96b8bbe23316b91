// SPDX-License-Identifier: GPL-2.0
/*
 * URL state of a flame graph SVG, as flamegraph.pl keeps it: a link with
 * ?x=X&y=Y (the zoomed frame's rect) and ?s=TERM (the search) opens on that
 * view, and zooming, searching and resetting rewrite the URL.
 * usage: node svg-url.js GRAPH.svg FRAME_NAME SEARCH_TERM
 */
'use strict';

const path = require('path');
const { launch } = require('./cdp');

let failures = 0;

function check(what, cond, detail) {
	console.log((cond ? '  ok: ' : '  FAIL: ') + what +
		    (cond || !detail ? '' : ' (' + detail + ')'));
	if (!cond)
		failures++;
}

/* rect x and y of the frame named n, as written in the file */
const rectOf = (n) => '(() => { for (const g of document.querySelectorAll(".fg-f")) {' +
	' const t = g.querySelector("title").textContent;' +
	' if (t.startsWith(' + JSON.stringify(n + ' (') + ')) { const r = g.querySelector("rect");' +
	' return [r.getAttribute("x"), r.getAttribute("y"), r.getAttribute("width")]; } } return null; })()';
const view = '(() => ({ search: location.search,' +
	' unzoom: !document.querySelector(".fg-unzoom").classList.contains("fg-hide"),' +
	' matched: document.querySelector(".fg-matched").textContent }))()';

async function main() {
	const [file, name, term] = process.argv.slice(2);
	const url = 'file://' + path.resolve(file);
	const b = await launch();

	try {
		const page = await b.newPage(1300, 900);

		await page.goto(url);
		const r = await page.eval(rectOf(name));
		check('frame ' + name + ' found', r !== null);
		let v = await page.eval(view);
		check('plain URL: not zoomed, no search', !v.unzoom && v.matched === '', JSON.stringify(v));

		/* a link made by someone else: zoomed on name, searching term */
		await page.goto(url + '?x=' + encodeURIComponent(r[0]) + '&y=' +
				encodeURIComponent(r[1]) + '&s=' + encodeURIComponent(term));
		v = await page.eval(view);
		const z = await page.eval(rectOf(name));
		console.log('  link view: ' + JSON.stringify(v) + ' ' + JSON.stringify(z));
		check('?x=&y= zooms on the frame (Reset Zoom shown)', v.unzoom);
		check('?x=&y=: the frame spans the full width', Math.abs(parseFloat(z[2]) - 1180) < 1, z[2]);
		check('?s= searches', /^Matched: \d+\.\d\d%$/.test(v.matched), v.matched);

		/* interaction writes the URL back */
		await page.eval('document.querySelector(".fg-unzoom").dispatchEvent(new MouseEvent("click", {bubbles: true}))');
		v = await page.eval(view);
		check('Reset Zoom drops x and y from the URL', !/[?&][xy]=/.test(v.search) && /s=/.test(v.search), v.search);
		await page.eval('document.querySelector(".fg-matched") && window.dispatchEvent(new KeyboardEvent("keydown", {keyCode: 27}))');
		v = await page.eval(view);
		check('Escape clears the search and s= from the URL', v.matched === '' && !/s=/.test(v.search), v.search);
		await page.eval('(() => { for (const g of document.querySelectorAll(".fg-f")) if (g.querySelector("title").textContent.startsWith(' +
				JSON.stringify(name + ' (') + ')) g.querySelector("rect").dispatchEvent(new MouseEvent("click", {bubbles: true})); })()');
		v = await page.eval(view);
		check('a click writes x and y of the clicked frame',
		      v.search === '?x=' + encodeURIComponent(r[0]) + '&y=' + encodeURIComponent(r[1]), v.search);
		check('no console errors', page.errors.length === 0, page.errors.join(' | '));
	} finally {
		await b.close();
	}
	process.exit(failures ? 1 : 0);
}

main().catch((e) => {
	console.error('svg-url: ' + (e && e.stack || e));
	process.exit(1);
});
