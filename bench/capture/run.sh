#!/usr/bin/env bash
# Output capture: a program printing 2,000,000 short lines, bare (its stdout
# to /dev/null, as alone) and under `benchctl monitor` (every line through
# benchctl: log file, tail, out-of-memory matching, echo to /dev/null), in
# pairs whose order alternates (bare first in odd pairs, monitor first in
# even ones), so that a machine whose load drifts weighs on both alike.
# Prints each pair's wall times and, per program, the ratio monitor/bare of
# the medians and of the sums. Programs: seq (block writes), python3
# block-buffered and python3 unbuffered (PYTHONUNBUFFERED=1: one write a line).
#
#   bench/capture/run.sh                          # PAIRS=5, all programs
#   PAIRS=10 PROGRAMS="python-unbuffered" bench/capture/run.sh
#   BENCHCTL=bin/benchctl MONITOR_FLAGS="--gpus 0" bench/capture/run.sh   # on a GPU machine
set -euo pipefail
cd "$(dirname "$0")/../.."

PAIRS=${PAIRS:-5}
PROGRAMS=${PROGRAMS:-"seq python python-unbuffered"}
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
	seq) argv=(seq 2000000) ;;
	python) argv=(python3 -c "$LINES") ;;
	python-unbuffered) argv=(python3 -c "$LINES") env=(PYTHONUNBUFFERED=1) ;;
	*) echo "unknown program $1" >&2; exit 2 ;;
	esac
}

# timed MODE I: runs the program bare or under monitor, prints wall seconds.
timed() {
	local t0 t1
	t0=$EPOCHREALTIME
	if [ "$1" = bare ]; then
		env "${env[@]}" "${argv[@]}" >/dev/null
	else
		# shellcheck disable=SC2086 # MONITOR_FLAGS is words
		env "${env[@]}" "$B" monitor -q --history none $MONITOR_FLAGS --results-dir "$tmp/r$2" -- "${argv[@]}" >/dev/null
		rm -rf "$tmp/r$2"
	fi
	t1=$EPOCHREALTIME
	echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'
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
			b=$(timed bare "$p"); m=$(timed monitor "$p")
		else
			m=$(timed monitor "$p"); b=$(timed bare "$p")
		fi
		echo "$b" >>"$tmp/bare" && echo "$m" >>"$tmp/mon"
		echo "$name pair $p: bare ${b}s monitor ${m}s"
	done
	python3 - "$name" "$tmp/bare" "$tmp/mon" <<'PY'
import statistics, sys
name, b, m = sys.argv[1], [float(x) for x in open(sys.argv[2])], [float(x) for x in open(sys.argv[3])]
print(f"{name}: bare median {statistics.median(b):.3f}s, monitor median {statistics.median(m):.3f}s; "
      f"monitor/bare {statistics.median(m) / statistics.median(b):.3f} (medians), {sum(m) / sum(b):.3f} (sums)")
PY
done
