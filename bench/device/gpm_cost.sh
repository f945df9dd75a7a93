#!/usr/bin/env bash
# On a GPU machine: (1) NVML utilization against GPM's SM and tensor activity
# for a launch-bound load and a bf16 matmul load; (2) benchctl's own CPU under
# `monitor -- sleep 20` at 10 ms and 100 ms; (3) output capture: 2,000,000
# short lines bare and under `monitor`, alternating, three pairs.
# Usage: bash bench/device/gpm_cost.sh OUTDIR   (bin/ built first)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-gpm}}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
B=bin/benchctl
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
for phase in tiny matmul; do
	$B monitor -q --gpus 0 --out json="$OUT/gpm-$phase.json" -- python3 bench/device/gpm_load.py $phase 8
	python3 - "$OUT/gpm-$phase.json" "$phase" <<'PY'
import json, sys
def walk(o):
    if isinstance(o, dict):
        if "stats" in o and isinstance(o["stats"], dict) and "utilization_gpu" in o["stats"]:
            yield o
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
rep = json.load(open(sys.argv[1]))
for g in walk(rep):
    st = g["stats"]
    f = lambda k: f"{st[k]['mean']:.1f}%" if k in st else "n/a"
    print(f"{sys.argv[2]:7s} gpu {g.get('index')}: NVML util {f('utilization_gpu')}  SM activity {f('sm_activity')}  "
          f"SM occupancy {f('sm_occupancy')}  tensor {f('tensor_activity')}  DRAM bw {f('dram_bandwidth')}")
PY
done
cpu() { # runs "$@", prints the children's user and system CPU seconds and the wall time
	python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); w = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"user={r.ru_utime:.3f} sys={r.ru_stime:.3f} wall={w:.2f} cpu%={(r.ru_utime + r.ru_stime) / w * 100:.2f}")
PY
}
for iv in 10ms 100ms; do
	echo -n "monitor --interval $iv -- sleep 20 (1 GPU): "
	cpu $B monitor -q --gpus 0 --interval $iv -- sleep 20
done
LINES='import sys
w = sys.stdout.write
for i in range(2000000): w("line %d\n" % i)'
for pair in 1 2 3; do
	echo -n "pair $pair bare:    "; cpu python3 -c "$LINES"
	echo -n "pair $pair monitor: "; cpu $B monitor -q --gpus 0 -- python3 -c "$LINES"
done
