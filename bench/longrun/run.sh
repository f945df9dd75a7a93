#!/usr/bin/env bash
# Simulated long runs: 8 GPUs sampled at 100 Hz through probes/sampler (its own
# goroutine, driven by a FakeClock) for 1, 10 and 100 hours, then every report
# rendered. Prints one Markdown table row per duration: peak RSS and report
# sizes must stay flat as the duration grows. 100 h is 36 million ticks (288
# million GPU samples) at the full 100 Hz: about 3 minutes on two cores.
#
#   bench/longrun/run.sh                 # 1 10 100 hours, 8 GPUs, 10 ms
#   HOURS="1 10" GPUS=4 INTERVAL=100ms bench/longrun/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

HOURS=${HOURS:-"1 10 100"}
GPUS=${GPUS:-8}
INTERVAL=${INTERVAL:-10ms}
bin=$(mktemp -d)/longrun
trap 'rm -rf "$(dirname "$bin")"' EXIT

go build -o "$bin" ./bench/longrun
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2 " GiB"}'); $(go version)"
echo "gpus=$GPUS interval=$INTERVAL"
echo
"$bin" -header
for h in $HOURS; do
	"$bin" -row -hours "$h" -gpus "$GPUS" -interval "$INTERVAL"
done
