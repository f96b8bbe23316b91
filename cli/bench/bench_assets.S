/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Built-in topology templates of `flame bench`, embedded whole (paths are
 * relative to the top of the tree; mk/bench.mk adds the dependency).
 */
	.section .rodata, "a"
	.globl bench_haproxy_cfg
	.hidden bench_haproxy_cfg
	.type bench_haproxy_cfg, @object
bench_haproxy_cfg:
	.incbin "scripts/bench-topology/haproxy.cfg.in"
	.byte 0
	.size bench_haproxy_cfg, . - bench_haproxy_cfg
	.section .note.GNU-stack, "", @progbits
