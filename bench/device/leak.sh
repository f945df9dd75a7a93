#!/usr/bin/env bash
# On a GPU machine: memory_stability.lua against virnucsim at full model shapes,
# once as it is (PyTorch's caching allocator grows through the ESM-2 stage and
# settles: the scenario must pass) and once keeping 64 MiB more after every
# ESM-2 batch (--leak-per-esm-batch 64: it must fail, naming the stage, the GPU,
# the rise, the rate per 1,000 sequences and the projection over 45,000).
# Usage: bash bench/device/leak.sh OUTDIR   (bin/ built first; torch and
# transformers installed). Prints each run's exit code and floor reading.
set -u
OUT=${1:-${OUT:-/tmp/benchctl-leak}}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/workloads
B=bin/benchctl
for run in growth:0 leak64:1; do
	name=${run%%:*} want=${run##*:}
	flags="--size full"
	[ "$name" = leak64 ] && flags="$flags --leak-per-esm-batch 64"
	$B run -q --force --results-dir "$OUT/$name" --var pipeline="python3 -m virnucsim" --var pipeline_flags="$flags" \
		--var preset=plan --var gpus=0 --out json="$OUT/$name.json" --out markdown="$OUT/$name.md" \
		scenarios/memory_stability.lua
	echo "$name exit=$? (want $want)"
	python3 - "$OUT/$name.json" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
for suite in rep["suites"]:
    for case in suite["cases"]:
        for log in case.get("logs") or []:
            if "memory floor" in log["message"]:
                print("  ", log["message"])
        for f in case.get("failures") or []:
            print("   FAIL", f["message"])
PY
done
