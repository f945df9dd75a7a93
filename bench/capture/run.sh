#!/usr/bin/env bash
# Output capture: a program printing 2,000,000 short lines, bare (its stdout
# to /dev/null, as alone) and under `benchctl monitor` (every line through
# benchctl: log file, tail, out-of-memory matching, echo to /dev/null), in
# pairs whose order alternates (bare first in odd pairs, monitor first in
# even ones), so that a machine whose load drifts weighs on both alike.
# Prints each pair's wall and CPU times (the program's, and under monitor
# benchctl's too) and, per program, the ratios monitor/bare: of the wall
# medians and sums, and of the CPU sums (on a loaded machine the steadier).
# Programs: seq (block writes), python3 block-buffered and python3
# unbuffered (PYTHONUNBUFFERED=1: one write a line); and true, which prints
# nothing: monitor's fixed cost (start-up, supervisor, reports), to set
# against the others' differences.
#
#   bench/capture/run.sh                          # PAIRS=5, all programs
#   PAIRS=10 PROGRAMS="python-unbuffered" bench/capture/run.sh
#   BENCHCTL=bin/benchctl MONITOR_FLAGS="--gpus 0" bench/capture/run.sh   # on a GPU machine
set -euo pipefail
cd "$(dirname "$0")/../.."

PAIRS=${PAIRS:-5}
PROGRAMS=${PROGRAMS:-"true seq python python-unbuffered"}
MONITOR_FLAGS=${MONITOR_FLAGS:-"--gpu-backend none"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
B=${BENCHCTL:-}
if [ -z "$B" ]; then
	B=$tmp/benchctl
	CGO_CFLAGS=-Wno-deprecated-declarations go build -o "$B" ./cmd/benchctl
fi
LINES='import sys
w = sys.stdout.write
for i in range(2000000): w("line %d\n" % i)'

# program NAME: sets argv and env of the program NAME.
program() {
	env=()
	case $1 in
	true) argv=(true) ;; # no output: what monitor costs whatever the output
	seq) argv=(seq 2000000) ;;
	python) argv=(python3 -c "$LINES") ;;
	python-unbuffered) argv=(python3 -c "$LINES") env=(PYTHONUNBUFFERED=1) ;;
	*) echo "unknown program $1" >&2; exit 2 ;;
	esac
}

# timed MODE I: runs the program bare or under monitor; prints its wall
# seconds and the CPU seconds (user and system) of it and its children.
timed() {
	local cmd=(env "${env[@]}" "${argv[@]}")
	if [ "$1" = monitor ]; then
		# shellcheck disable=SC2206 # MONITOR_FLAGS is words
		cmd=(env "${env[@]}" "$B" monitor -q --history none $MONITOR_FLAGS --results-dir "$tmp/r$2" -- "${argv[@]}")
	fi
	python3 - "${cmd[@]}" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.3f} {r.ru_utime + r.ru_stime:.3f}")
PY
	rm -rf "$tmp/r$2"
}

echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "benchctl: $("$B" --version 2>&1 | head -1); pairs: $PAIRS, order alternating"
for name in $PROGRAMS; do
	program "$name"
	if ! command -v "${argv[0]}" >/dev/null; then
		echo "$name: ${argv[0]} not found, skipped"
		continue
	fi
	timed bare 0 >/dev/null # warm-up: page cache, python's imports
	: >"$tmp/bare" && : >"$tmp/mon"
	for p in $(seq "$PAIRS"); do
		if [ $((p % 2)) = 1 ]; then
			b=$(timed bare "$p") && m=$(timed monitor "$p")
		else
			m=$(timed monitor "$p") && b=$(timed bare "$p")
		fi
		echo "$b" >>"$tmp/bare" && echo "$m" >>"$tmp/mon"
		echo "$name pair $p: bare wall ${b% *}s cpu ${b#* }s, monitor wall ${m% *}s cpu ${m#* }s"
	done
	python3 - "$name" "$tmp/bare" "$tmp/mon" <<'PY'
import statistics, sys
name = sys.argv[1]
b, m = ([[float(x) for x in l.split()] for l in open(f)] for f in sys.argv[2:4])
bw, bc, mw, mc = ([r[i] for r in rows] for rows, i in ((b, 0), (b, 1), (m, 0), (m, 1)))
print(f"{name}: wall bare {statistics.median(bw):.3f}s, monitor {statistics.median(mw):.3f}s: "
      f"monitor/bare {statistics.median(mw) / statistics.median(bw):.3f} (medians), {sum(mw) / sum(bw):.3f} (sums); "
      f"cpu bare {statistics.median(bc):.3f}s, monitor {statistics.median(mc):.3f}s: monitor/bare {sum(mc) / sum(bc):.3f} (sums)")
PY
done
