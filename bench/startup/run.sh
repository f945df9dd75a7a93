#!/usr/bin/env bash
# Start-up to the pipeline's first instruction: how long `benchctl run` takes
# from its own exec to the first instruction of the pipeline it runs, against
# the same pipeline started directly by this shell (the baseline), so that the
# difference is benchctl's own cost. The pipeline is stamp.c: its main reads
# CLOCK_REALTIME and writes it to a file; this shell reads $EPOCHREALTIME
# (a builtin, no fork) just before it starts the command. The runs of every
# mode are interleaved, after WARMUP untimed rounds.
#
# The same for `benchctl monitor -- CMD` (with each of MONITOR_BACKENDS), and,
# for reference, the whole of `benchctl --version` and `benchctl check`.
#
# With BEFORE=REV it also builds benchctl at git revision REV and times each
# of its run and monitor modes beside the current one, interleaved, so that a
# change is measured before and after in one go.
#
# It uses bin/benchctl and bin/stamp when they are there (`make build` makes
# both, the stamp static), so it runs on a machine with neither Go nor a C
# compiler; otherwise it builds them (BUILD=1 always builds). Without bin/stamp
# or a C compiler the stamp is a bash script: its start-up is then in the
# baseline too, and the difference is still benchctl's own.
#
#   bench/startup/run.sh                  # RUNS=20, backends none auto sim
#   BEFORE=5296f4b BACKENDS=none bench/startup/run.sh
#   RUNS=50 BACKENDS="none" bench/startup/run.sh
#   on a GPU machine (from the repo root, bin/ built):
#   RUNS=30 BACKENDS="none auto" MONITOR_BACKENDS="none auto" bash bench/startup/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-20}
WARMUP=${WARMUP:-2}
BACKENDS=${BACKENDS:-"none auto sim"}
MONITOR_BACKENDS=${MONITOR_BACKENDS:-none}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -x bin/benchctl ] && [ "${BUILD:-0}" != 1 ]; then
	cp bin/benchctl "$tmp/benchctl"
else
	CGO_CFLAGS=-Wno-deprecated-declarations go build -tags urfave_cli_no_docs -ldflags '-extldflags=-Wl,-z,lazy' -o "$tmp/benchctl" ./cmd/benchctl
fi
if [ -n "${BEFORE:-}" ]; then
	mkdir "$tmp/src"
	git archive "$BEFORE" | tar -x -C "$tmp/src"
	(cd "$tmp/src" && CGO_CFLAGS=-Wno-deprecated-declarations go build -tags urfave_cli_no_docs -ldflags '-extldflags=-Wl,-z,lazy' -o "$tmp/before" ./cmd/benchctl)
fi
if [ -x bin/stamp ] && [ "${BUILD:-0}" != 1 ]; then
	cp bin/stamp "$tmp/stamp"
elif command -v cc >/dev/null; then
	cc -O2 -static -o "$tmp/stamp" bench/startup/stamp.c 2>/dev/null || cc -O2 -o "$tmp/stamp" bench/startup/stamp.c
else
	printf '#!/bin/bash\nprintf "%%s\\n" "$EPOCHREALTIME" >"$1"\n' >"$tmp/stamp"
	chmod +x "$tmp/stamp"
fi
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2 " GiB"}'); benchctl $("$tmp/benchctl" --version | awk '{print $NF}')"
echo "runs: $RUNS per mode after $WARMUP warm-up rounds; stamp: $(file -b "$tmp/stamp" 2>/dev/null | grep -o 'statically linked\|dynamically linked\|Bourne-Again shell script' || echo unknown)"

# one MODE I: runs MODE once and appends "first-instruction total" (ms) to
# $tmp/MODE. The modes version and check run no pipeline: they time the whole
# of `benchctl --version` (process start and CLI) and `benchctl check` (that
# plus loading the scenario), to show where benchctl's time goes.
one() {
	local mode=$1 i=$2 t0 t1 first bin=$tmp/benchctl
	if [ "${mode#before-}" != "$mode" ]; then
		bin=$tmp/before
		mode=${mode#before-}
	fi
	rm -f "$tmp/s.txt"
	if [ "$mode" = version ] || [ "$mode" = check ]; then
		local args=(--version)
		[ "$mode" = check ] && args=(check bench/startup/startup.lua)
		t0=$EPOCHREALTIME
		"$tmp/benchctl" "${args[@]}" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		[ "$i" -gt 0 ] || return 0
		awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "nan %.3f\n", (t1 - t0) * 1000 }' >>"$tmp/$mode"
		return 0
	elif [ "$mode" = baseline ]; then
		t0=$EPOCHREALTIME
		"$tmp/stamp" "$tmp/s.txt"
		t1=$EPOCHREALTIME
	elif [ "${mode#monitor-}" != "$mode" ]; then
		t0=$EPOCHREALTIME
		"$bin" monitor -q --gpu-backend "${mode#monitor-}" -- "$tmp/stamp" "$tmp/s.txt" >/dev/null 2>&1
		t1=$EPOCHREALTIME
	else
		t0=$EPOCHREALTIME
		"$bin" run --gpu-backend "$mode" --results-dir "$tmp/r-$1-$i" \
			--var stamp="$tmp/stamp" --var out="$tmp/s.txt" bench/startup/startup.lua >/dev/null 2>&1
		t1=$EPOCHREALTIME
	fi
	first=$(cat "$tmp/s.txt")
	[ "$i" -gt 0 ] || return 0
	awk -v t0="$t0" -v f="$first" -v t1="$t1" 'BEGIN { printf "%.3f %.3f\n", (f - t0) * 1000, (t1 - t0) * 1000 }' >>"$tmp/$1"
}

modes="baseline $BACKENDS"
for m in $MONITOR_BACKENDS; do modes="$modes monitor-$m"; done
if [ -n "${BEFORE:-}" ]; then
	for m in $modes; do [ "$m" = baseline ] || modes="$modes before-$m"; done
fi
for ((i = 1 - WARMUP; i <= RUNS; i++)); do
	for m in $modes version check; do one "$m" "$i"; done
done

# stats COLUMN FILE: median, min, p90 and max of a column, in ms.
stats() {
	sort -n -k"$1","$1" "$2" | awk -v c="$1" '{ v[NR] = $c } END {
		n = NR; med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		p90 = v[int(0.9 * n + 0.999)]
		printf "%.2f | %.2f | %.2f | %.2f", med, v[1], p90, v[n] }'
}
median() { sort -n -k"$1","$1" "$2" | awk -v c="$1" '{ v[NR] = $c } END { n = NR; print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'; }

base=$(median 1 "$tmp/baseline")
echo
echo "| started by | first instruction: median | min | p90 | max | benchctl's own cost (median − baseline) | whole command: median | min | p90 | max |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for m in $modes; do
	b=${m#before-}
	case $b in
	baseline) label="the shell (baseline)" ;;
	monitor-*) label="benchctl monitor --gpu-backend ${b#monitor-}" ;;
	*) label="benchctl run --gpu-backend $b" ;;
	esac
	[ "$b" = "$m" ] || label="$label, before ($BEFORE)"
	own=$(awk -v a="$(median 1 "$tmp/$m")" -v b="$base" 'BEGIN { printf "%.2f", a - b }')
	echo "| $label | $(stats 1 "$tmp/$m") | $own | $(stats 2 "$tmp/$m") |"
done
echo
echo "| for reference, no pipeline | whole command: median | min | p90 | max |"
echo "|---|---|---|---|---|"
echo "| benchctl --version | $(stats 2 "$tmp/version") |"
echo "| benchctl check startup.lua | $(stats 2 "$tmp/check") |"
echo "(milliseconds)"
