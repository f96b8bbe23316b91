// SPDX-License-Identifier: GPL-2.0
/*
 * Page-ready time of heatmap pages in headless Chromium, for
 * bench/bench-heatmap.sh: for each PAGE, RUNS fresh tabs; prints
 *   PAGE ready_ms=MEDIAN script_ms=MEDIAN select_ms=MEDIAN runs=N
 * ready_ms: navigation start -> heatmap drawn and the whole-profile flame
 * graph built (performance.now() at the end of heatmap.js); script_ms: the
 * part spent in heatmap.js (JSON.parse, decode, draw, graph);
 * select_ms: a drag over the first tenth of the seconds -> graph rebuilt.
 * usage: node heatmap-ready.js RUNS PAGE...
 */
'use strict';

const path = require('path');
const { launch } = require('./cdp');

const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];

async function main() {
	const runs = parseInt(process.argv[2], 10) || 3;
	const pages = process.argv.slice(3);
	const b = await launch();

	try {
		for (const f of pages) {
			const ready = [], script = [], select = [];

			for (let k = 0; k < runs; k++) {
				const page = await b.newPage(1400, 1000);

				await page.goto('file://' + path.resolve(f));
				await page.waitFor('document.body.getAttribute("data-ready-nav")', 60000);
				ready.push(+await page.eval('document.body.getAttribute("data-ready-nav")'));
				script.push(+await page.eval('document.body.getAttribute("data-ready")'));
				const g = await page.eval('(() => { const c = document.getElementById("hm-canvas");' +
					' const r = c.getBoundingClientRect(); return [r.left, r.top,' +
					' +c.dataset.cols, +c.dataset.cellW, +c.dataset.cellH]; })()');
				const x1 = g[0] + Math.max(1, Math.floor(g[2] / 10)) * g[3] - g[3] / 2;
				const t0 = await page.eval('performance.now()');

				await page.drag(g[0] + g[3] / 2, g[1] + g[4] / 2, x1, g[1] + 10 * g[4], 2);
				const t1 = await page.eval('new Promise((r) => requestAnimationFrame(() => r(performance.now())))');

				select.push(t1 - t0);
				if (page.errors.length)
					throw new Error(f + ': ' + page.errors.join(' | '));
				await b.send('Target.closeTarget', { targetId: (await page.send('Target.getTargetInfo')).targetInfo.targetId });
			}
			console.log(path.basename(f) + ' ready_ms=' + median(ready).toFixed(0) +
				    ' script_ms=' + median(script).toFixed(0) +
				    ' select_ms=' + median(select).toFixed(0) + ' runs=' + runs);
		}
	} finally {
		await b.close();
	}
}

main().catch((e) => {
	console.error('heatmap-ready: ' + (e.stack || e));
	process.exit(1);
});
