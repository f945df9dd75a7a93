#!/usr/bin/env bash
# What watching a pipeline costs its throughput: pairs of the same fixed-work
# GPU program (bench/device/overhead.py, about a minute of bf16 products and
# driver-level allocations), bare and under `benchctl monitor --interval 10ms`,
# in alternating order (odd pairs bare first, even pairs monitored first).
# Each line of OUT/pairs.txt is one pair's work times; overhead_ratio.py turns
# the file (or several, from calls that each ran some pairs) into the ratio
# and its confidence interval.
#
# Usage: bash bench/device/overhead.sh GPU STEPS FIRST LAST [OUTDIR]
#   GPU     the GPU index (CUDA and NVML, both in PCI bus order)
#   STEPS   fixed work; `python3 bench/device/overhead.py --calibrate 10`
#           prints the steps for 61 s on this GPU; 0 calibrates here first
#   FIRST LAST  the pair numbers to run (their parity sets the order)
set -u
G=${1:?GPU}; STEPS=${2:?STEPS}; FIRST=${3:?FIRST}; LAST=${4:?LAST}
OUT=${5:-${OUT:-/tmp/benchctl-overhead}}
mkdir -p "$OUT"
B=${B:-bin/benchctl}
export CUDA_DEVICE_ORDER=PCI_BUS_ID CUDA_VISIBLE_DEVICES=$G PYTHONUNBUFFERED=1
P="python3 bench/device/overhead.py"
if [ "$STEPS" = 0 ]; then
	STEPS=$($P --calibrate 10 | tee -a "$OUT/calibrate.txt" | sed -n 's/.*steps for .*: //p')
	echo "calibrated: $STEPS steps"
fi
work() { sed -n 's/^work: .* in \([0-9.]*\) s$/\1/p'; }
bare() { $P --steps "$STEPS" | work; }
watched() { "$B" monitor -q --history none --gpus "$G" --interval 10ms -- $P --steps "$STEPS" | work; }
for i in $(seq "$FIRST" "$LAST"); do
	if [ $((i % 2)) = 1 ]; then b=$(bare); m=$(watched); order=bare-first
	else m=$(watched); b=$(bare); order=monitored-first; fi
	echo "pair $i gpu $G steps $STEPS bare $b monitored $m $order" | tee -a "$OUT/pairs.txt"
done
