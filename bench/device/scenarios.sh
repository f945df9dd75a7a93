#!/usr/bin/env bash
# On a GPU machine: the seven validation scenarios against workloads/virnucsim at
# the quick preset on one GPU, with JSON, JUnit, HTML and Markdown reports, then
# the cost of each NVML call and a graceful out-of-memory reduction.
# Usage: bash bench/device/scenarios.sh OUTDIR   (bin/ built first)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-scenarios}}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/workloads
echo "== NVML call costs"
bin/nvml.test -test.run '^$' -test.bench RealNVML -test.benchtime 2000x 2>&1 | grep -E "Benchmark|ok|FAIL"
echo "== scenarios"
bin/benchctl run --force --results-dir /tmp/run --gpus 0 \
	--var pipeline="python3 -m virnucsim" --var pipeline_flags="--size small" \
	--var preset=quick --var sequences_per_file=150 --var max_runs=8 \
	--out json="$OUT/results.json" --out junit="$OUT/junit.xml" --out html="$OUT/report.html" --out markdown="$OUT/summary.md" \
	scenarios/*.lua
echo "exit=$?"
echo "== graceful OOM: batch of 400000 tokens, allocator capped at 2% of the GPU"
bin/benchctl monitor -- python3 -m virnucsim predict "$(ls /tmp/run/data/*/input_*.fa | head -1)" -o /tmp/oom --size small \
	--esm-batch-size 400000 --gpu-memory-fraction 0.02 2>&1 | grep -v "^Stage" | tail -20
echo "exit=${PIPESTATUS[0]}"
