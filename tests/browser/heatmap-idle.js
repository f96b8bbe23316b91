// SPDX-License-Identifier: GPL-2.0
/*
 * Idle toggle of a heatmap page whose profile has idle stacks (swapper ->
 * do_idle...) and busy ones: idle left out by default (no swapper frame,
 * fewer samples in the status line), "include idle" (a real click) brings
 * them back, and the cell colours follow. No console errors.
 * usage: node heatmap-idle.js PAGE.html
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

const state = '(() => ({ names: Array.from(document.querySelectorAll("#fg-svg .fg-f"))' +
	'.map((e) => e.getAttribute("data-n")), status: document.getElementById("hm-status")' +
	'.textContent, max: +document.getElementById("hm-canvas").dataset.max }))()';

async function main() {
	const b = await launch();

	try {
		const page = await b.newPage(1200, 900);

		await page.goto('file://' + path.resolve(process.argv[2]));
		await page.waitFor('document.body.getAttribute("data-ready")');
		const off = await page.eval(state);

		console.log('  idle off: ' + off.status);
		check('idle left out by default: no swapper frame', !off.names.includes('swapper'));
		check('busy frames shown', off.names.includes('work'));
		const c = await page.centre('#hm-idle');

		await page.click(c[0], c[1]);
		const on = await page.eval(state);

		console.log('  idle on: ' + on.status);
		check('include idle: swapper and do_idle frames appear',
		      on.names.includes('swapper') && on.names.includes('do_idle'));
		check('include idle: more samples counted',
		      parseInt(on.status.replace(/^[^:]*: /, '').replace(/,/g, ''), 10) >
		      parseInt(off.status.replace(/^[^:]*: /, '').replace(/,/g, ''), 10),
		      off.status + ' / ' + on.status);
		check('include idle: busiest cell count grows', on.max > off.max, off.max + ' / ' + on.max);
		await page.click(c[0], c[1]);
		const again = await page.eval(state);

		check('toggle back: swapper gone again', !again.names.includes('swapper'));
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
