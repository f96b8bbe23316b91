// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU strip under the heatmap (docs/heatmap.md, "CPU strips"), in
 * headless Chromium with real mouse events, on a page of a spinner that ran
 * free first and under a CPU quota afterwards (tests/integ/cpu_heatmap.sh):
 *   1. one strip for LABEL, the width of the heatmap, with throttled
 *      seconds (share > 50%) and, before the quota, seconds without any;
 *   2. a drag over the throttled seconds of the strip selects those seconds:
 *      the status and the flame graph are the ones of the same drag on the
 *      heatmap (first row of the first second to last row of the last);
 *   3. the same for the free seconds, which hold more samples per second
 *      than the throttled ones (the quota shows in both views);
 *   4. no console errors.
 * usage: node heatmap-cpu.js PAGE.html LABEL [SCREENSHOT.png]
 * Prints "ok: ..." per check; exit 0 when all pass, 1 otherwise.
 */
'use strict';

const path = require('path');
const { launch } = require('./cdp');

const [page_, label, shot] = process.argv.slice(2);
let failures = 0;

function check(what, cond, detail) {
	if (cond) {
		console.log('  ok: ' + what);
	} else {
		failures++;
		console.log('  FAIL: ' + what + (detail ? ' (' + detail + ')' : ''));
	}
}

/* the flame graph drawn: frame name and width, in document order */
const FLAME = 'Array.from(document.querySelectorAll("#fg-svg .fg-f"))' +
	'.map((e) => e.getAttribute("data-n") + "=" + e.querySelector("rect").getAttribute("width")).join(";")';
const STATUS = 'document.getElementById("hm-status").textContent';

async function main() {
	const b = await launch();

	try {
		const page = await b.newPage(1400, 1100);

		await page.goto('file://' + path.resolve(page_));
		await page.waitFor('document.body.getAttribute("data-ready")');
		const g = await page.eval('(() => { const c = document.getElementById("hm-canvas");' +
			' const r = c.getBoundingClientRect(); return { left: r.left, top: r.top,' +
			' width: c.width, cols: +c.dataset.cols, rows: +c.dataset.rows,' +
			' cw: +c.dataset.cellW, ch: +c.dataset.cellH }; })()');
		const s = await page.eval('(() => { const d = JSON.parse(document.getElementById("fg-data").textContent);' +
			' const c = document.querySelector("#hm-cpu canvas[data-label=\'' + label + '\']");' +
			' if (!c) return null; c.scrollIntoView(); const r = c.getBoundingClientRect();' +
			' const e = d.cpu.find((x) => x.label === "' + label + '");' +
			' return { left: r.left, top: r.top, h: r.height, width: c.width,' +
			' thrCols: +c.dataset.throttledCols, n: d.cpu.length, thr: e.thr, use: e.use, quota: e.quota }; })()');

		console.log('grid: ' + JSON.stringify(g));
		check('a strip for ' + label, s !== null);
		if (!s)
			throw new Error('no strip');
		console.log('strip: throttled per mille ' + JSON.stringify(s.thr) + ', milli-CPUs ' +
			    JSON.stringify(s.use) + ', quota ' + s.quota);
		check('strip is as wide as the heatmap (' + s.width + ')', s.width === g.width);
		check('one value per second', s.thr.length === g.cols && s.use.length === g.cols);
		check('strip reports throttled seconds (' + s.thrCols + ')', s.thrCols >= 2);
		const hot = [], free = [];

		/*
		 * hot: throttled in most periods and held near the quota; free: no
		 * period ended (no quota yet) or well over the quota (the second in
		 * which the quota was set counts only the periods after it)
		 */
		s.thr.forEach((v, k) => {
			if (v > 500 && s.use[k] <= 80)
				hot.push(k);
			else if (v <= 0 || s.use[k] >= 150)
				free.push(k);
		});
		check('seconds throttled in most periods, near the quota: ' + hot, hot.length >= 2);
		check('seconds before the quota ran free: ' + free, free.length >= 1 && free[0] < hot[0]);
		if (!hot.length || !free.length)
			throw new Error('no throttled or no free seconds to select');
		hot.splice(0, hot.length, ...hot.filter((k) => k > free[free.length - 1]));
		free.splice(0, free.length, ...free.filter((k) => k < hot[0]));
		check('quota 0.050 CPU', s.quota === 0.05, s.quota);
		/* canvas pixels painted red where throttled */
		const red = await page.eval('(() => { const c = document.querySelector("#hm-cpu canvas[data-label=\'' +
			label + '\']"); const x = c.getContext("2d"); const k = ' + hot[0] + ';' +
			' const p = x.getImageData(k * ' + g.cw + ', c.height - 2, 1, 1).data; return Array.from(p); })()');
		check('throttled second drawn red at the bottom of the strip (' + red + ')',
		      red[0] > 180 && red[1] < 80 && red[2] < 80);

		const strip = async (k0, k1) => {
			/* where the strip is now (the hover line may change the layout) */
			const r = await page.eval('(() => { const c = document.querySelector("#hm-cpu canvas[data-label=\'' +
				label + '\']"); c.scrollIntoView(); const r = c.getBoundingClientRect();' +
				' return [r.left, r.top + r.height / 2]; })()');
			const colX = (k) => r[0] + k * g.cw + g.cw / 2;

			await page.drag(colX(k0), r[1], colX(k1), r[1], 6);
			return [await page.eval(STATUS), await page.eval(FLAME)];
		};
		const heat = async (k0, k1) => {
			const h = await page.eval('(() => { const c = document.getElementById("hm-canvas");' +
				' c.scrollIntoView(); const r = c.getBoundingClientRect(); return [r.left, r.top]; })()');

			await page.drag(h[0] + k0 * g.cw + g.cw / 2, h[1] + g.ch / 2,
					h[0] + k1 * g.cw + g.cw / 2, h[1] + (g.rows - 0.5) * g.ch, 6);
			return [await page.eval(STATUS), await page.eval(FLAME)];
		};
		const samples = (st) => +((/: ([\d,]+) /.exec(st) || [0, '0'])[1].replace(/,/g, ''));
		const runs = [['throttled', hot[0], hot[hot.length - 1]],
			      ['free', free[0], free[free.length - 1]]];
		const rate = {};

		for (const [what, k0, k1] of runs) {
			const a = await strip(k0, k1);

			console.log('  strip ' + what + ' ' + k0 + '..' + k1 + ': ' + a[0]);
			if (what === 'throttled' && shot)
				await page.screenshot(shot);
			const h = await heat(k0, k1);

			console.log('  heatmap ' + what + ' ' + k0 + '..' + k1 + ': ' + h[0]);
			check(what + ' seconds: the strip selects a time range (' + a[0] + ')',
			      a[0].startsWith('Range ' + k0 + '.000\u2013' + (k1 + 1) + '.000 s'));
			check(what + ': same range and samples as on the heatmap', a[0] === h[0], h[0]);
			check(what + ': same flame graph as the heatmap selection', a[1] === h[1] && a[1].length > 0);
			rate[what] = samples(a[0]) / (k1 - k0 + 1);
		}
		console.log('samples per second: throttled ' + rate.throttled + ', free ' + rate.free);
		check('throttled seconds hold fewer samples per second than free ones',
		      rate.throttled < rate.free / 2);
		await new Promise((r) => setTimeout(r, 200));
		check('no console errors', page.errors.length === 0, page.errors.join(' | '));
	} finally {
		await b.close();
	}
	process.exit(failures ? 1 : 0);
}

main().catch((e) => {
	console.log('FAIL: ' + (e.stack || e));
	process.exit(1);
});
