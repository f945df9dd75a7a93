#!/usr/bin/env bash
# On one GPU (an H200): optimization_impact against virnucsim (small model shapes,
# 200 sequences a run), the four configurations run interleaved in a seeded shuffled
# order until each speed-up against the baseline is decided (faster, slower, no
# difference within 5%) or five minutes are spent (inconclusive, reported as such).
# Prints each verdict with its interval, the runs each took, and the order they ran in.
# Usage: bash bench/device/speedup.sh OUTDIR   (bin/ built first)
# The environment may change the plan: GPU (0), SIZE (small), PRESET (quick: 200
# sequences), PER_FILE (100), MIN_RUNS (5), MAX_RUNS (30), MAX_TIME (300s), and
# LIMIT (570, the seconds after which the run is interrupted, reports kept).
set -u
OUT=${1:-${OUT:-/tmp/benchctl-speedup}}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/workloads
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
timeout -s INT "${LIMIT:-570}" bin/benchctl run --force --results-dir /tmp/speedup --gpus "${GPU:-0}" --var gpus="${GPU:-0}" \
	--var pipeline="python3 -m virnucsim" --var pipeline_flags="--size ${SIZE:-small}" \
	--var preset="${PRESET:-quick}" --var sequences_per_file="${PER_FILE:-100}" --var seed=1 \
	--var min_runs="${MIN_RUNS:-5}" --var max_runs="${MAX_RUNS:-30}" --var max_time="${MAX_TIME:-300s}" \
	--out json="$OUT/speedup.json" --out markdown="$OUT/speedup.md" scenarios/optimization_impact.lua
echo "exit=$?"
python3 - "$OUT/speedup.json" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
for case in rep["suites"][0]["cases"]:
    print(f"status: {case['status']} {case.get('skip_reason', '')}")
    for table in case.get("tables", []):
        print(table["name"])
        for row in table["rows"]:
            print("  " + " | ".join(row))
    for log in case.get("logs", []):
        print(log["message"])
    print("order:", " ".join(r["name"] for r in case.get("runs", [])))
    for f in case.get("failures") or []:
        print("FAILED:", f["message"])
PY
