# flame bench: the embedded topology templates (cli/bench/bench_assets.S)
$(BUILD)/cli/bench/bench_assets.o: scripts/bench-topology/haproxy.cfg.in
