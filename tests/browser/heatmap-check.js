// SPDX-License-Identifier: GPL-2.0
/*
 * Drives a heatmap page of tests/progs/twophase (phase_alpha, then
 * phase_beta) in headless Chromium with real mouse events:
 *   1. drag over the cells of the first phase -> flame graph has
 *      phase_alpha and not phase_beta;
 *   2. click-click the second phase -> phase_beta, not phase_alpha;
 *   3. "Whole profile" -> both;
 *   4. zoom on a frame, search (prompt answered) -> "Matched: N%";
 *   5. compare two ranges -> differential graph;
 *   6. no console errors, exceptions or error log entries.
 * usage: node heatmap-check.js PAGE.html SCREENSHOT.png PHASE_SECONDS [TIMES]
 * TIMES: the file twophase wrote ("alpha START END", "beta START END", ns on
 * the clock of the samples: perf record -k CLOCK_MONOTONIC); the ranges
 * picked are then each phase less two cells or more at both ends. Without it the
 * phases are taken to start at the first sample.
 * (also writes SCREENSHOT-range.png: the first phase selected)
 * Prints "ok: ..." per check; exit 0 when all pass, 1 otherwise.
 */
'use strict';

const path = require('path');
const { launch } = require('./cdp');

const fs = require('fs');
const [page_, shot, phaseArg, timesFile] = process.argv.slice(2);
const PHASE = parseFloat(phaseArg || '2');
let failures = 0;

function check(what, cond, detail) {
	if (cond) {
		console.log('  ok: ' + what);
	} else {
		failures++;
		console.log('  FAIL: ' + what + (detail ? ' (' + detail + ')' : ''));
	}
}

async function names(page) {
	return page.eval('Array.from(document.querySelectorAll("#fg-svg .fg-f"))' +
			 '.map((e) => e.getAttribute("data-n"))');
}

async function main() {
	const b = await launch();
	let page;

	try {
		page = await b.newPage(1400, 1100);
		const t0 = Date.now();

		await page.goto('file://' + path.resolve(page_));
		const ready = await page.waitFor('document.body.getAttribute("data-ready")');

		console.log('page ready: script ' + ready + ' ms, load+script ' +
			    (Date.now() - t0) + ' ms');
		const g = await page.eval('(() => { const c = document.getElementById("hm-canvas");' +
			' const r = c.getBoundingClientRect(); return { left: r.left, top: r.top,' +
			' cols: +c.dataset.cols, rows: +c.dataset.rows, cw: +c.dataset.cellW,' +
			' ch: +c.dataset.cellH, max: +c.dataset.max }; })()');

		console.log('grid: ' + JSON.stringify(g));
		check('heatmap has >= ' + Math.floor(2 * PHASE) + ' seconds', g.cols >= Math.floor(2 * PHASE), g.cols);
		check('cells coloured (max count > 0)', g.max > 0, g.max);

		/* centre of the cell holding time t (seconds from the origin) */
		const at = (t) => {
			const col = Math.floor(t), row = Math.min(g.rows - 1,
				Math.floor((t - col) * g.rows));

			return [g.left + col * g.cw + g.cw / 2, g.top + row * g.ch + g.ch / 2];
		};
		const hover = async (t) => {
			const [x, y] = at(t);

			await page.mouse('mouseMoved', x, y, { button: 'none' });
			return page.eval('document.getElementById("hm-hover").textContent');
		};

		const h = await hover(0.5);
		/* the cell's start: rows follow the sample rate (fewer under load) */
		const lo = (Math.floor(0.5 * g.rows) / g.rows).toFixed(3).replace('.', '\\.');

		check('hover shows time range and count',
		      new RegExp(lo + '.\\d\\.\\d\\d\\d s: \\d+ ').test(h), h + ', rows ' + g.rows);

		/* the phases in seconds from the first sample */
		let a0 = 0.15 * PHASE / 2, a1 = PHASE - 0.2 * PHASE / 2;
		let b0 = PHASE + 0.25 * PHASE / 2, b1 = 2 * PHASE - 0.2 * PHASE / 2;

		if (timesFile) {
			const origin = BigInt(await page.eval(
				'JSON.parse(document.getElementById("fg-data").textContent).origin'));
			const ph = {}, margin = 2.5 / g.rows;

			for (const l of fs.readFileSync(timesFile, 'utf8').trim().split('\n')) {
				const [name, s0, s1] = l.split(' ');

				ph[name] = [Number(BigInt(s0) - origin) / 1e9,
					    Number(BigInt(s1) - origin) / 1e9];
			}
			a0 = Math.max(0, ph.alpha[0]) + margin;
			a1 = ph.alpha[1] - margin;
			b0 = ph.beta[0] + margin;
			b1 = ph.beta[1] - margin;
			console.log('phases from ' + timesFile + ': alpha ' + ph.alpha.map((x) => x.toFixed(3)) +
				    ' beta ' + ph.beta.map((x) => x.toFixed(3)) + ' s');
		}

		/* 1. first phase by dragging */
		let p0 = at(a0), p1 = at(a1);

		await page.drag(p0[0], p0[1], p1[0], p1[1], 12);
		let n = await names(page);
		let status = await page.eval('document.getElementById("hm-status").textContent');

		console.log('  selection 1: ' + status);
		check('range 1 is a time range, not the whole profile', /^Range \d/.test(status), status);
		check('range 1 graph shows phase_alpha', n.includes('phase_alpha'));
		check('range 1 graph has no phase_beta', !n.includes('phase_beta'));
		if (shot)
			await page.screenshot(shot.replace(/\.png$/, '') + '-range.png');

		/* 2. second phase by click, click */
		p0 = at(b0);
		p1 = at(b1);
		await page.click(p0[0], p0[1]);
		status = await page.eval('document.getElementById("hm-status").textContent');
		check('first click asks for the end cell', /pick the end cell/.test(status), status);
		await page.click(p1[0], p1[1]);
		n = await names(page);
		status = await page.eval('document.getElementById("hm-status").textContent');
		console.log('  selection 2: ' + status);
		check('range 2 graph shows phase_beta', n.includes('phase_beta'));
		check('range 2 graph has no phase_alpha', !n.includes('phase_alpha'));

		/* 3. whole profile */
		let c = await page.centre('#hm-whole');

		await page.click(c[0], c[1]);
		n = await names(page);
		status = await page.eval('document.getElementById("hm-status").textContent');
		check('whole profile shows both phases',
		      n.includes('phase_alpha') && n.includes('phase_beta'), status);

		/* 4. flame graph interactivity (flamegraph.js): zoom and search */
		c = await page.centre('#fg-svg .fg-f[data-n="phase_alpha"] rect');
		await page.click(c[0], c[1]);
		const zoom = await page.eval('(() => { const u = document.querySelector("#fg-svg .fg-unzoom");' +
			' const b = document.querySelector("#fg-svg .fg-f[data-n=phase_beta]");' +
			' return [!u.classList.contains("fg-hide"), b.classList.contains("fg-hide")]; })()');
		check('click on phase_alpha zooms (Reset Zoom shown, phase_beta hidden)',
		      zoom[0] && zoom[1], JSON.stringify(zoom));
		c = await page.centre('#fg-svg .fg-unzoom');
		await page.click(c[0], c[1]);
		page.dialogAnswer = 'phase_beta';
		c = await page.centre('#fg-svg .fg-search');
		await page.click(c[0], c[1]);
		const matched = await page.waitFor('(() => { const t = document.querySelector(' +
			'"#fg-svg .fg-matched").textContent; return /Matched/.test(t) && t; })()', 5000);
		const pct = parseFloat(matched.replace(/[^0-9.]/g, ''));
		check('search phase_beta shows matched % (' + matched + ')', pct > 10 && pct < 90, matched);
		c = await page.centre('#fg-svg .fg-search');
		await page.click(c[0], c[1]);

		/* 5. compare: first range = phase 1, second = phase 2 */
		p0 = at(a0);
		p1 = at(a1);
		await page.drag(p0[0], p0[1], p1[0], p1[1], 6);
		c = await page.centre('#hm-compare');
		await page.click(c[0], c[1]);
		p0 = at(b0);
		p1 = at(b1);
		await page.drag(p0[0], p0[1], p1[0], p1[1], 6);
		const diff = await page.eval('(() => { const s = document.getElementById("fg-svg");' +
			' const f = s.querySelector(".fg-f[data-n=phase_beta] rect");' +
			' return [s.getAttribute("data-mode"), f && f.getAttribute("fill"),' +
			' document.getElementById("fg-caption").textContent]; })()');
		check('compare shows a differential graph, phase_beta red (grew)',
		      diff[0] === 'diff' && /^rgb\(255,\d+,\d+\)$/.test(diff[1] || '') &&
		      diff[1] !== 'rgb(255,255,255)', JSON.stringify(diff));

		/* screenshot of the whole profile view (the useful picture) */
		c = await page.centre('#hm-whole');
		await page.click(c[0], c[1]);
		await page.eval('window.scrollTo(0, 0)');
		if (shot) {
			await page.screenshot(shot);
			console.log('screenshot: ' + shot);
		}
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
