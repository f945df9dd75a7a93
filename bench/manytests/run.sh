#!/usr/bin/env bash
# The cost of a run in its number of tests: `benchctl run` of 500, 1,000 and
# 2,000 trivial tests (each records one metric), with results.json, JUnit,
# Markdown and HTML written, no GPU. Linear means the time per test stays
# flat as the count grows. Each count runs RUNS times; the median is printed.
#
#   bench/manytests/run.sh                 # COUNTS="500 1000 2000", RUNS=3
#   COUNTS="2000 8000" RUNS=1 bench/manytests/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

COUNTS=${COUNTS:-"500 1000 2000"}
RUNS=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

CGO_CFLAGS=-Wno-deprecated-declarations go build -ldflags '-extldflags=-Wl,-z,lazy' -o "$tmp/benchctl" ./cmd/benchctl
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2 " GiB"}'); $(go version)"
printf '%8s %10s %14s\n' tests "median s" "ms per test"
for n in $COUNTS; do
	times=()
	for i in $(seq "$RUNS"); do
		d="$tmp/r-$n-$i"
		s=$EPOCHREALTIME
		"$tmp/benchctl" run -q --gpu-backend none --history none --results-dir "$d" --var n="$n" \
			--out junit="$d/junit.xml" --out markdown="$d/summary.md" --out html="$d/report.html" \
			cmd/benchctl/testdata/many.lua || true
		e=$EPOCHREALTIME
		times+=("$(echo "$e - $s" | bc -l)")
		got=$(grep -c '<testcase ' "$d/junit.xml")
		[ "$got" = "$n" ] || { echo "run of $n tests left $got testcases" >&2; exit 1; }
	done
	med=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '%8d %10.2f %14.2f\n' "$n" "$med" "$(echo "$med * 1000 / $n" | bc -l)"
done
