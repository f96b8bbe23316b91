#!/bin/bash
# flame bench leaves nothing behind when interrupted: Ctrl-C (SIGINT) in
# the middle of a built-in topology run stops every process it started
# (backend, client pod, both sidecars, wrk, perf), removes its run directory and leaves no
# namespace or mount; a SIGKILLed driver takes its processes along too
# (PR_SET_PDEATHSIG, unshare --kill-child).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench_helpers.bash"
command -v haproxy >/dev/null || skip "haproxy not installed"

# namespaces of a process tree: "net:[...] mnt:[...] pid:[...]" per process
ns_of() { local p; for p in "$@"; do readlink /proc/$p/ns/net /proc/$p/ns/mnt /proc/$p/ns/pid 2>/dev/null; done; }
# every process whose namespace is one of those listed in file $1 (one
# find, no process per /proc entry: fast on a busy machine)
procs_in() {
	[ -s "$1" ] || return 0
	find /proc/[0-9]*/ns -maxdepth 1 \( -name net -o -name mnt -o -name pid \) -printf '%h %l\n' 2>/dev/null |
		grep -F -f "$1" | sed 's#^/proc/\([0-9]*\)/ns .*#\1#' | sort -u
}

# Live processes only: a SIGKILLed driver's children are reparented to PID 1,
# and this machine's init reaps zombies lazily; a zombie holds no resources.
live() { local p; for p in "$@"; do grep -q '^State:[[:space:]]*Z' /proc/$p/status 2>/dev/null || [ ! -e /proc/$p ] || echo $p; done; }
gone() { [ -z "$(live "$1")" ]; }
none() { [ -z "$(live $(pgrep "$@"))" ]; }

run_and_kill() {	# SIGNAL
	local sig=$1 log=$T/run-$1 pid sp bp i
	"$FLAME" bench --duration 20 --qps 500 --conn 4 --outdir "$T/out-$sig" \
		>"$log.out" 2>"$log.err" & pid=$!
	for i in $(seq 100); do
		grep -q "^flame: bench: load: " "$log.err" 2>/dev/null && break
		sleep 0.1
	done
	sleep 1
	# the mesh: a client and a server sidecar, each in its pod
	sps=$(sed -n 's/^flame: bench: sidecar \(client\|server\): pid \([0-9]*\).*/\2/p' "$log.err")
	bp=$(sed -n 's/^flame: bench: pod network namespace .* (backend pid \([0-9]*\);.*/\1/p' "$log.err")
	cp=$(sed -n 's/^flame: bench: client pod network namespace .* (pid \([0-9]*\);.*/\1/p' "$log.err")
	[ "$(echo $sps | wc -w)" = 2 ] && [ -n "$bp" ] && [ -n "$cp" ] || { cat "$log.err"; die "$sig: the run did not start"; }
	# the sidecars' own namespaces (those that differ from ours)
	ns_of $sps | grep -v "$(readlink /proc/self/ns/net)" | grep -v "$(readlink /proc/self/ns/mnt)" |
		grep -v "$(readlink /proc/self/ns/pid)" | sort -u > "$T/ns-$sig"
	[ "$(wc -l < "$T/ns-$sig")" -eq 6 ] || { cat "$T/ns-$sig" "$log.err"; ns_of $sps; }
	check "$sig: each sidecar has its own network, mount and PID namespaces" test "$(wc -l < "$T/ns-$sig")" -eq 6
	rundir=$(sed -n 's/.* -o \(\/tmp\/flame-bench\.[A-Za-z0-9]*\)\/.*/\1/p' "$log.err" | head -n 1)
	check "$sig: the run directory exists during the run" test -d "$rundir"
	for sp in $sps; do
		check "$sig: perf runs on sidecar $sp" pgrep -f "perf record -F 99 .*-p $sp -o" >/dev/null
	done
	kill -$sig $pid
	wait $pid; rc=$?
	echo "  $sig: flame exited with $rc"
	# SIGKILL: the children get their death signal now; give them a moment
	for i in $(seq 100); do
		[ -z "$(live $(procs_in "$T/ns-$sig"))" ] &&
			! pgrep -f "[p]erf record -F 99 .*-o" >/dev/null && break
		sleep 0.1
	done
	for sp in $sps; do
		check "$sig: sidecar $sp is gone" gone $sp
		check "$sig: no perf record of sidecar $sp left" none -f "[p]erf record -F 99 .*-p $sp -o"
	done
	check "$sig: no process left in their namespaces" test -z "$(live $(procs_in "$T/ns-$sig"))"
	check "$sig: the client pod's holder is gone" gone "$cp"
	check "$sig: no wrk left" none -f '[w]rk --latency -t .* http://127.0.0.1:15001/'
	check "$sig: the backend is gone" gone "$bp"
	check "$sig: no mount of the run" bash -c "! grep -q flame-bench /proc/self/mountinfo"
	if [ "$sig" = INT ]; then
		check "INT: exit code 130" test "$rc" = 130
		check "INT: one line says it was interrupted" grep -q "^flame: bench: interrupted: stopping everything" "$log.err"
		check "INT: the run directory was removed" test ! -e "$rundir"
	else
		rm -rf "$rundir"	# a SIGKILLed driver cannot clean files
	fi
}
# failure: a sidecar that cannot start (broken config) -> one error, its
# log, and the backend already started is stopped too
printf 'global\n\tthis-is-not-a-keyword\n' > "$T/broken.cfg"
! "$FLAME" bench --duration 2 --proxy-config "$T/broken.cfg" --outdir "$T/out-fail" \
	>"$T/fail.out" 2>"$T/fail.err" || die "a broken sidecar config was accepted"
cat "$T/fail.err"
check "failure: says the sidecar exited" grep -q "^flame: bench: the server sidecar (haproxy) exited at start" "$T/fail.err"
check "failure: shows haproxy's complaint" grep -q "haproxy: .*this-is-not-a-keyword" "$T/fail.err"
fbp=$(sed -n 's/^flame: bench: pod network namespace .* (backend pid \([0-9]*\);.*/\1/p' "$T/fail.err")
check "failure: the backend had started" test -n "$fbp"
check "failure: the backend is gone" gone "$fbp"
frundir=$(grep -o '/tmp/flame-bench\.[A-Za-z0-9]*/haproxy-server\.cfg' "$T/fail.err" | head -n 1)
check "failure: the run directory was removed (${frundir%/*})" test -n "$frundir" -a ! -e "${frundir%/*}"

run_and_kill INT
run_and_kill TERM
run_and_kill KILL
echo PASS
