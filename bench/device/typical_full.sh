#!/usr/bin/env bash
# On a GPU machine: typical_10h against virnucsim with the full model shapes
# (ESM-2 3B, DNABERT-S) on one GPU, projected from 1,000/2,000/4,000 sequences to
# the plan's 45,000, with every optimization.
# Usage: bash bench/device/typical_full.sh OUTDIR   (bin/ built first)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-typical}}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/workloads
timeout -s INT 560 bin/benchctl run --force --results-dir /tmp/typ --gpus 0 --var pipeline="python3 -m virnucsim" \
	--var preset=plan --var sizes=1000,2000,4000 --var sequences_per_file=10000 \
	--out json="$OUT/typical-full.json" --out junit="$OUT/typical-full.xml" --out html="$OUT/typical-full.html" \
	scenarios/typical_10h.lua
echo "exit=$?"
