#!/usr/bin/env bash
# On a GPU machine: output capture, the figure of bench/results/h200-verdicts/
# capture.log: 2,000,000 short lines bare and under `benchctl monitor` on GPU 0,
# in pairs of alternating order, for seq and python3 (block-buffered and
# PYTHONUNBUFFERED=1), with the ratio monitor/bare per program.
# Usage: bash bench/device/capture.sh OUTDIR   (bin/ built first)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-capture}}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
BENCHCTL=$PWD/bin/benchctl MONITOR_FLAGS="--gpus 0" PAIRS=${PAIRS:-10} bash bench/capture/run.sh 2>&1 | tee "$OUT/capture.log"
