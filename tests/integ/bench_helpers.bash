# Sourced by tests/integ/bench_*.sh after lib.sh (not a test itself).
need_root "namespaces, perf -p"
"$FLAME_TOP"/scripts/deps.sh bench >/dev/null || skip "bench packages missing (scripts/deps.sh bench)"
command -v wrk >/dev/null || skip "wrk not installed"
export FLAME_SO

# A JSON value from a summary file: json FILE PYTHON-EXPR (j = the object)
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
summary_of() { ls "$1"/*-summary.json 2>/dev/null | head -n 1; }
free_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8; do
		p=$((20000 + RANDOM % 30000))
		[ -n "$(ss -Htln "sport = :$p" 2>/dev/null)" ] || { echo $p; return; }
	done
	echo $p
}
# Processes whose command line mentions $1 (other than this script's).
procs_matching() { pgrep -f -- "$1" | grep -vx "$$" || true; }
