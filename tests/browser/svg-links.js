// SPDX-License-Identifier: GPL-2.0
/*
 * Frame links (--nameattr) in a real browser: a click on a frame whose link
 * is javascript: (here through a rebound xlink prefix, as a file edited
 * after flame wrote it would have) must not run the script; a click on a
 * frame with a relative link follows it.
 * usage: node svg-links.js EVIL.svg   (frames "evil" and "safe"; the safe
 * link points at target.svg beside it, whose title is "link target")
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

const sel = (n) => '.fg-f[data-n="' + n + '"] rect';

async function main() {
	const [file] = process.argv.slice(2);
	const url = 'file://' + path.resolve(file);
	const b = await launch();

	try {
		const page = await b.newPage(1300, 900);

		await page.goto(url);
		const [ex, ey] = await page.centre(sel('evil'));
		await page.click(ex, ey);
		await new Promise((r) => setTimeout(r, 1500));
		const after = await page.eval('({ pwned: document.documentElement.getAttribute("data-pwned"),' +
					      ' href: location.href,' +
					      ' zoomed: !document.querySelector(".fg-unzoom").classList.contains("fg-hide") })');
		check('javascript: link did not run', after.pwned === null, JSON.stringify(after));
		check('the page stayed', after.href.split('?')[0] === url, after.href);
		check('the click zoomed instead', after.zoomed, JSON.stringify(after));

		await page.goto(url);
		const [sx, sy] = await page.centre(sel('safe'));
		const nav = b.waitEvent('Page.loadEventFired', page.sid, 20000);
		await page.click(sx, sy);
		await nav.catch(() => {});
		const t = await page.eval('({ title: document.title, href: location.href })');
		check('relative link followed', /target\.svg$/.test(t.href), JSON.stringify(t));
	} finally {
		await b.close();
	}
	process.exit(failures ? 1 : 0);
}

main().catch((e) => {
	console.error('svg-links: ' + (e && e.stack || e));
	process.exit(1);
});
