#!/usr/bin/env bash
# On one GPU (an H200): typical_10h against virnucsim at full model shapes (ESM-2 3B,
# DNABERT-S), projecting from runs of SIZES (default 1,000/2,000/4,000 sequences, after
# one warm-up run) to 45,000 and to VERIFY (default 16,000, four times the largest), then
# measuring a run of VERIFY: the chosen model's error, every model's, the naive
# projection's, and whether the measured time lies inside the projection's interval.
# The workers print a progress line after each file through ESM-2 (sequences_per_file
# 250 gives 16 lines in the 4,000-sequence run), from which the steady rate is read.
# Usage: bash bench/device/projection.sh OUTDIR   (bin/ built first)
# If it does not finish in the time given: SIZES=500,1000,2000 VERIFY=8000 bash ...
# GPU picks the one GPU (default 0) for both the probes and the pipeline.
set -u
OUT=${1:-${OUT:-/tmp/benchctl-projection}}
SIZES=${SIZES:-1000,2000,4000}
VERIFY=${VERIFY:-16000}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/workloads
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
timeout -s INT 570 bin/benchctl run --force --results-dir /tmp/projection --gpus "${GPU:-0}" --var gpus="${GPU:-0}" --var pipeline="python3 -m virnucsim" \
	--var preset=plan --var sizes="$SIZES" --var verify_sequences="$VERIFY" --var sequences_per_file=250 \
	--var min_utilization=0 --var min_throughput_per_hour=0 \
	--out json="$OUT/projection.json" --out markdown="$OUT/projection.md" scenarios/typical_10h.lua
echo "exit=$?"
python3 - "$OUT/projection.json" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
for case in rep["suites"][0]["cases"]:
    for run in case.get("runs", []):
        print(f"run {run['name']}: {run['seconds']:.1f} s ({run.get('class')})")
    for table in case.get("tables", []):
        print(table["name"])
        for row in table["rows"]:
            print("  " + " | ".join(row))
    for log in case.get("logs", []):
        print(log["message"])
    for m in case.get("metrics", []):
        if m["name"].startswith(("verify", "projected", "forward", "loo", "naive")):
            print(f"{m['name']} = {m['value']:.4g} {m.get('unit', '')}")
    for f in case.get("failures") or []:
        print("FAILED:", f["message"])
PY
