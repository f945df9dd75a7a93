#!/usr/bin/env bash
# On a 2-GPU machine: GPU listing, CUDA_VISIBLE_DEVICES mapped through UUIDs,
# per-GPU attribution, benchctl's CPU cost, then scaling.lua (1 and 2 GPUs) and
# typical_10h.lua on both GPUs against virnucsim.
# Usage: bash bench/device/multi_gpu.sh OUTDIR   (bin/ built first)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-multi}}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/workloads
B=bin/benchctl
echo "== gpus"; $B gpus
echo "== CUDA_VISIBLE_DEVICES=1,0 as PyTorch sees it"; CUDA_VISIBLE_DEVICES=1,0 python3 bench/device/cuda_visible.py
echo "== a process on cuda:0 under CUDA_VISIBLE_DEVICES=1 (NVML GPU 1)"
CUDA_VISIBLE_DEVICES=1 $B monitor -- python3 -c "import torch,time; x=torch.ones(3<<30, dtype=torch.uint8, device='cuda:0'); torch.cuda.synchronize(); time.sleep(2)" 2>&1 | tail -6
echo "== benchctl CPU while monitoring 2 GPUs for 20 s"
TIMEFORMAT='%U user %S sys %R wall'
for iv in 10ms 100ms; do echo "interval $iv:"; time $B monitor -q --interval $iv -- sleep 20; done
echo "== scaling and typical_10h on 2 GPUs"
$B run --force --results-dir /tmp/run \
	--var pipeline="python3 -m virnucsim" --var pipeline_flags="--size small" \
	--var preset=quick --var sequences_per_file=150 --var gpu_counts=1,2 \
	--out json="$OUT/results.json" --out junit="$OUT/junit.xml" --out html="$OUT/report.html" --out markdown="$OUT/summary.md" \
	scenarios/scaling.lua scenarios/typical_10h.lua
echo "exit=$?"
