#!/usr/bin/env bash
# On a GPU machine: typical_10h's projection from runs of 1,000, 2,000 and 4,000
# sequences against a measured run of 16,000 (four times the largest), for the
# fixed-cost-aware fit and the naive per-sequence projection.
# Usage: bash bench/device/accuracy_large.sh OUTDIR   (bin/ built first)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-accuracy}}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/workloads
B=bin/benchctl
# Sequences per file through the configuration (-c), as the fork takes them.
CFG=/tmp/virnucsim-config.yaml
printf 'prediction:\n  sequences_per_file: %s\n' "2500" > "$CFG"
FLAGS="--force --parallel --gpus 0 --persistent-models --cuda-streams --size small"
$B run -q --force --results-dir /tmp/proj --var pipeline="python3 -m virnucsim" --var pipeline_flags="--size small" \
	--var preset=quick --var sequences_per_file=2500 --var sizes=1000,2000,4000 --var full_sequences=16000 \
	--out json="$OUT/projection-large.json" scenarios/typical_10h.lua
echo "typical_10h exit=$?"
$B data fasta --sequences 16000 --min-len 200 --max-len 2000 --seed 99 -o /tmp/in16000.fa
$B monitor -q --out json="$OUT/measured16000.json" -- python3 -m virnucsim -c "$CFG" predict /tmp/in16000.fa -o /tmp/o16000 $FLAGS >/dev/null 2>&1
echo "measured exit=$?"
python3 bench/projection/accuracy.py "$OUT/projection-large.json" "$OUT/measured16000.json"
