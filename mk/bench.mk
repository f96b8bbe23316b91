# flame bench: the embedded topology templates (cli/bench_assets.S)
$(BUILD)/cli/bench_assets.o: scripts/bench-topology/haproxy.cfg.in
