#!/usr/bin/env bash
# Two measurements at once on a two-GPU machine (nvidia-h200-x2), each on its
# own GPU: the shipped scenarios against VirNucPro's fork on GPU 0
# (bench/virnucpro-offline/device_run.sh, from the carried folder D) and the
# pairs of bench/device/overhead.sh on GPU 1. The fork's CPU stages share the
# host with the pairs; each pair's two runs are back to back and alternate in
# order, so what the fork does to the host lands on both sides of a pair.
#
# Usage: SCENARIOS="..." VARS="..." END_S=540 bash bench/device/fork_and_overhead.sh STEPS FIRST LAST
# Output: $OUT/fork (the reports) and $OUT/overhead (pairs.txt).
set -u
D=${D:-.dev15}
OUT=${OUT:-/tmp/out}
STEPS=${1:?STEPS}; FIRST=${2:?FIRST}; LAST=${3:?LAST}
mkdir -p "$OUT/fork" "$OUT/overhead"
B=$D/benchctl timeout $((${END_S:-540} + 20)) bash bench/device/overhead.sh 1 "$STEPS" "$FIRST" "$LAST" "$OUT/overhead" > "$OUT/overhead/log.txt" 2>&1 &
pairs=$!
GPU=0 OUT=$OUT/fork bash "$D/kit/device_run.sh"
wait $pairs
echo "== overhead pairs (GPU 1)"
cat "$OUT/overhead/log.txt"
