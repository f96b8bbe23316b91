/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Appended (as a second script) to a flame graph made by tests/integ/
 * svg_browser.sh from tests/data/svg/browser.folded; drives the page the
 * way a user does (mouse events, Ctrl-F) and writes "key=value|..." into
 * <desc id="fg-test-result">, which the shell reads from --dump-dom.
 */
(function () {
	var svg = document.documentElement, out = [], fg = svg.__flamegraph;
	var ns = 'http://www.w3.org/2000/svg';

	function byName(n) {
		return fg.frames().filter(function (f) { return f.name === n; })[0];
	}
	function mouse(el, type) {
		el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window }));
	}
	function txt(cls) {
		return svg.querySelector('.' + cls).textContent;
	}
	function put(k, v) {
		out.push(k + '=' + v);
	}
	try {
		put('init', typeof flamegraph_init === 'function' && !!fg);
		/* hover */
		mouse(byName('parse').rect, 'mouseover');
		put('details', txt('fg-details'));
		mouse(byName('parse').rect, 'mouseout');
		/* click zoom into "work" */
		mouse(byName('work').rect, 'click');
		put('work_w', byName('work').rect.getAttribute('width'));
		put('parse_w', byName('parse').rect.getAttribute('width'));
		put('idle_hidden', byName('idle').el.classList.contains('fg-hide'));
		put('main_greyed', byName('main').el.classList.contains('fg-parent'));
		put('main_w', byName('main').rect.getAttribute('width'));
		put('unzoom_shown', !svg.querySelector('.fg-unzoom').classList.contains('fg-hide'));
		put('label', byName('a_very_long_function_name_that_needs_room').text.textContent);
		/* Reset Zoom */
		mouse(svg.querySelector('.fg-unzoom'), 'click');
		put('reset_work_w', byName('work').rect.getAttribute('width'));
		put('reset_idle_hidden', byName('idle').el.classList.contains('fg-hide'));
		put('reset_label', byName('a_very_long_function_name_that_needs_room').text.textContent);
		/* Ctrl-F with a regex; nested matches counted once */
		window.prompt = function () { return 'parse|^work$'; };
		window.dispatchEvent(new KeyboardEvent('keydown', { keyCode: 70, ctrlKey: true, bubbles: true }));
		put('matched', txt('fg-matched'));
		put('hit_fill', byName('parse').rect.getAttribute('fill'));
		put('miss_fill_kept', byName('idle').rect.getAttribute('fill') !== 'rgb(230,0,230)');
		/* case toggle */
		window.prompt = function () { return 'IDLE'; };
		mouse(svg.querySelector('.fg-search'), 'click');	/* clears */
		mouse(svg.querySelector('.fg-search'), 'click');	/* asks */
		put('case_matched', txt('fg-matched'));
		mouse(svg.querySelector('.fg-ignorecase'), 'click');
		put('nocase_matched', txt('fg-matched'));
		/* matched % follows the zoom */
		mouse(byName('work').rect, 'click');
		window.prompt = function () { return 'parse'; };
		mouse(svg.querySelector('.fg-search'), 'click');
		mouse(svg.querySelector('.fg-search'), 'click');
		put('zoomed_matched', txt('fg-matched'));
		/* init again (frames replaced by another page): no double listeners */
		mouse(svg.querySelector('.fg-unzoom'), 'click');
		fg.clearSearch();
		fg = flamegraph_init(svg);
		var calls = 0;
		window.prompt = function () { calls++; return 'work'; };
		mouse(svg.querySelector('.fg-search'), 'click');
		put('reinit_prompts', calls);
		put('reinit_matched', txt('fg-matched'));
		mouse(byName('work').rect, 'click');
		put('reinit_zoom', byName('work').rect.getAttribute('width'));
	} catch (e) {
		put('exception', e && e.message);
	}
	var d = document.createElementNS(ns, 'desc');
	d.setAttribute('id', 'fg-test-result');
	d.textContent = out.join('|');
	svg.appendChild(d);
})();
