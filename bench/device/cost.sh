#!/usr/bin/env bash
# benchctl's own CPU on one GPU, under `monitor -- sleep 20` at 10 ms and
# 100 ms, with the fixed cost (start-up, NVML init, report) measured apart by
# `monitor -- sleep 0` and taken out; then the NVML calls per field over the
# 10 ms run (BENCHCTL_NVML_COST). About 45 s.
# Usage: bash bench/device/cost.sh [OUTDIR]   (bin/ built first: make build)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-cost}}
mkdir -p "$OUT"
B=bin/benchctl
GPUARGS=${GPUARGS:---gpus 0} # a dry run without a GPU: GPUARGS="--gpu-backend sim --sim-gpus 1"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1
cpu() { # runs "$@"; prints user and system CPU seconds of the children and the wall time
	python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); w = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{r.ru_utime:.3f} {r.ru_stime:.3f} {w:.2f}")
PY
}
read -r fu fs fw < <(cpu $B monitor -q --history none $GPUARGS -- sleep 0)
echo "fixed cost (monitor -- sleep 0): user ${fu}s sys ${fs}s wall ${fw}s"
for iv in 10ms 100ms; do
	env=()
	[ "$iv" = 10ms ] && env=(BENCHCTL_NVML_COST="$OUT/nvml-cost-$iv.txt")
	read -r u s w < <(cpu env "${env[@]}" $B monitor -q --history none $GPUARGS --interval $iv -- sleep 20)
	python3 - "$iv" "$u" "$s" "$w" "$fu" "$fs" <<'PY'
import sys
iv, u, s, w, fu, fs = sys.argv[1], *map(float, sys.argv[2:])
tot = (u + s) / w * 100
steady = (u + s - fu - fs) / (w - 0) * 100
print(f"monitor --interval {iv} -- sleep 20 (1 GPU): user {u:.3f}s sys {s:.3f}s wall {w:.2f}s "
      f"cpu {tot:.2f}% of a core; without the fixed cost {steady:.2f}% "
      f"(target {'0.5' if iv == '10ms' else '0.2'}%)")
PY
done
echo "NVML calls over the 10 ms run (20 s):"
cat "$OUT/nvml-cost-10ms.txt" 2>/dev/null || echo "  (no table: $OUT/nvml-cost-10ms.txt missing)"
