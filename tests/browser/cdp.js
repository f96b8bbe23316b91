// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal Chrome DevTools Protocol client over --remote-debugging-pipe:
 * Chromium reads NUL-terminated JSON commands on fd 3 and writes
 * NUL-terminated JSON responses and events on fd 4. No npm packages.
 *
 *   const { launch } = require('./cdp');
 *   const b = await launch();                 // headless chromium
 *   const page = await b.newPage(1400, 1000); // session on a blank tab
 *   await page.goto('file:///tmp/x.html');
 *   const v = await page.eval('document.title');
 *   await b.close();
 *
 * page.errors collects console errors, uncaught exceptions and log
 * entries of level "error" (CSP violations land there too).
 */
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

class Browser {
	constructor(proc, dir) {
		this.proc = proc;
		this.dir = dir;
		this.nextId = 1;
		this.pending = new Map();
		this.listeners = [];
		this.buf = Buffer.alloc(0);
		this.closed = false;
		this.stderr = '';
		proc.stdio[4].on('data', (d) => this.onData(d));
		proc.stderr.on('data', (d) => {
			if (this.stderr.length < 65536)
				this.stderr += d.toString();
		});
		proc.on('exit', (code, sig) => {
			this.closed = true;
			for (const [, p] of this.pending)
				p.reject(new Error('chromium exited (' + (code ?? sig) +
						   '): ' + this.stderr.slice(-2000)));
			this.pending.clear();
		});
	}

	onData(d) {
		let i;

		this.buf = Buffer.concat([this.buf, d]);
		while ((i = this.buf.indexOf(0)) >= 0) {
			const msg = JSON.parse(this.buf.subarray(0, i).toString('utf8'));

			this.buf = this.buf.subarray(i + 1);
			if (msg.id !== undefined) {
				const p = this.pending.get(msg.id);

				if (!p)
					continue;
				this.pending.delete(msg.id);
				if (msg.error)
					p.reject(new Error(p.method + ': ' + msg.error.message));
				else
					p.resolve(msg.result);
			} else {
				for (const l of this.listeners.slice())
					l(msg);
			}
		}
	}

	send(method, params, sessionId) {
		if (this.closed)
			return Promise.reject(new Error('browser closed'));
		const id = this.nextId++;
		const msg = { id, method, params: params || {} };

		if (sessionId)
			msg.sessionId = sessionId;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject, method });
			this.proc.stdio[3].write(JSON.stringify(msg) + '\0');
		});
	}

	/* Resolve with the first event matching method (and session). */
	waitEvent(method, sessionId, timeoutMs) {
		return new Promise((resolve, reject) => {
			const t = setTimeout(() => {
				off();
				reject(new Error('timed out waiting for ' + method));
			}, timeoutMs || 15000);
			const l = (m) => {
				if (m.method === method &&
				    (!sessionId || m.sessionId === sessionId)) {
					off();
					clearTimeout(t);
					resolve(m.params);
				}
			};
			const off = () => {
				this.listeners = this.listeners.filter((x) => x !== l);
			};
			this.listeners.push(l);
		});
	}

	on(fn) {
		this.listeners.push(fn);
	}

	async newPage(width, height) {
		const { targetId } = await this.send('Target.createTarget',
						     { url: 'about:blank' });
		const { sessionId } = await this.send('Target.attachToTarget',
						      { targetId, flatten: true });
		const page = new Page(this, sessionId);

		await page.send('Page.enable');
		await page.send('Runtime.enable');
		await page.send('Log.enable');
		await page.send('Emulation.setDeviceMetricsOverride', {
			width: width || 1400, height: height || 1000,
			deviceScaleFactor: 1, mobile: false });
		return page;
	}

	async close() {
		if (!this.closed) {
			const gone = new Promise((r) => this.proc.once('exit', r));

			this.send('Browser.close').catch(() => {});
			const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
			await gone;
			clearTimeout(t);
		}
		fs.rmSync(this.dir, { recursive: true, force: true });
	}
}

class Page {
	constructor(browser, sessionId) {
		this.b = browser;
		this.sid = sessionId;
		this.errors = [];
		this.dialogAnswer = null;
		browser.on((m) => {
			if (m.sessionId !== sessionId)
				return;
			const p = m.params;

			if (m.method === 'Runtime.consoleAPICalled' &&
			    (p.type === 'error' || p.type === 'assert'))
				this.errors.push('console.' + p.type + ': ' +
					p.args.map((a) => a.value ?? a.description).join(' '));
			else if (m.method === 'Runtime.exceptionThrown')
				this.errors.push('exception: ' +
					(p.exceptionDetails.exception?.description ||
					 p.exceptionDetails.text));
			else if (m.method === 'Log.entryAdded' && p.entry.level === 'error')
				this.errors.push('log: ' + p.entry.text);
			else if (m.method === 'Page.javascriptDialogOpening')
				this.send('Page.handleJavaScriptDialog', {
					accept: this.dialogAnswer !== null,
					promptText: this.dialogAnswer || '' }).catch(() => {});
		});
	}

	send(method, params) {
		return this.b.send(method, params, this.sid);
	}

	async goto(url) {
		const loaded = this.b.waitEvent('Page.loadEventFired', this.sid, 30000);

		await this.send('Page.navigate', { url });
		await loaded;
	}

	/* Evaluate an expression in the page; returns its JSON value. */
	async eval(expr) {
		const r = await this.send('Runtime.evaluate', {
			expression: expr, returnByValue: true, awaitPromise: true });

		if (r.exceptionDetails)
			throw new Error('eval failed: ' + expr + ': ' +
				(r.exceptionDetails.exception?.description ||
				 r.exceptionDetails.text));
		return r.result.value;
	}

	async waitFor(expr, timeoutMs) {
		const end = Date.now() + (timeoutMs || 15000);

		for (;;) {
			const v = await this.eval(expr);

			if (v)
				return v;
			if (Date.now() > end)
				throw new Error('timed out waiting for ' + expr);
			await new Promise((r) => setTimeout(r, 50));
		}
	}

	mouse(type, x, y, extra) {
		return this.send('Input.dispatchMouseEvent', Object.assign({
			type, x, y, button: 'left',
			buttons: type === 'mousePressed' ? 1 : 0,
			clickCount: type === 'mouseMoved' ? 0 : 1 }, extra || {}));
	}

	async click(x, y) {
		await this.mouse('mouseMoved', x, y, { button: 'none' });
		await this.mouse('mousePressed', x, y);
		await this.mouse('mouseReleased', x, y);
	}

	/* Press at (x0, y0), move in steps to (x1, y1), release. */
	async drag(x0, y0, x1, y1, steps) {
		const n = steps || 8;

		await this.mouse('mouseMoved', x0, y0, { button: 'none' });
		await this.mouse('mousePressed', x0, y0);
		for (let k = 1; k <= n; k++)
			await this.mouse('mouseMoved', x0 + (x1 - x0) * k / n,
					 y0 + (y1 - y0) * k / n, { buttons: 1 });
		await this.mouse('mouseReleased', x1, y1);
	}

	/* Centre of the element matching selector, in CSS pixels. */
	async centre(selector) {
		const r = await this.eval('(() => { const e = document.querySelector(' +
			JSON.stringify(selector) + '); if (!e) return null;' +
			' e.scrollIntoView({block: "center", inline: "center"});' +
			' const r = e.getBoundingClientRect();' +
			' return [r.left + r.width / 2, r.top + r.height / 2]; })()');

		if (!r)
			throw new Error('no element ' + selector);
		return r;
	}

	async screenshot(file) {
		const r = await this.send('Page.captureScreenshot',
					  { format: 'png', captureBeyondViewport: true });

		fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
	}
}

async function launch(extraArgs) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flame-chromium-'));
	const args = [
		'--headless', '--no-sandbox', '--disable-gpu',
		'--remote-debugging-pipe', '--no-first-run',
		'--disable-background-networking', '--disable-component-update',
		'--disable-sync', '--disable-extensions',
		'--disable-dev-shm-usage', '--user-data-dir=' + dir,
	].concat(extraArgs || [], ['about:blank']);
	const proc = spawn(CHROMIUM, args,
			   { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
	const b = new Browser(proc, dir);

	await b.send('Browser.getVersion');
	return b;
}

module.exports = { launch };
