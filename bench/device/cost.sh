#!/usr/bin/env bash
# benchctl's own CPU while it samples, and where it goes: `monitor -- sleep N`
# at 10 ms and 100 ms, on one GPU and, when GPUS names more, on all of them.
# For each run: the CPU of benchctl and its children (getrusage) with the
# fixed cost (start-up, NVML init, report: `monitor -- sleep 0`) taken out,
# per GPU, against the targets; then benchctl's own table by activity
# (BENCHCTL_COST: the sampler's tick and its NVML, /proc and own parts, the
# pipeline tracker's /proc scans, and the rest: Go runtime, timer wake-ups,
# GC) and each NVML call's count, wall and CPU time, with the time each
# driver sample buffer holds and the period it was read at (BENCHCTL_NVML_COST).
# About 45 s per GPU count at the default 20 s a run.
#
# Usage: GPUS=0,1 bash bench/device/cost.sh [OUTDIR]   (bin/ built first: make build)
#   GPUS     GPUs by index, comma-separated (default 0)
#   BACKEND  backend flags (default none: nvml); a dry run without a GPU:
#            BACKEND="--gpu-backend sim --sim-gpus 2" GPUS=0,1
#   RUN_S    seconds of each run (default 20)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-cost}}
mkdir -p "$OUT"
B=bin/benchctl
GPUS=${GPUS:-0}
BACKEND=${BACKEND:-}
RUN_S=${RUN_S:-20}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1
nproc | sed 's/^/cpus: /'

cpu() { # runs "$@"; prints user and system CPU seconds of the children and the wall time
	python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); w = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{r.ru_utime:.3f} {r.ru_stime:.3f} {w:.2f}")
PY
}

first=${GPUS%%,*}
cases=("$first")
[ "$GPUS" != "$first" ] && cases+=("$GPUS")
for sel in "${cases[@]}"; do
	n=$(tr ',' '\n' <<<"$sel" | grep -c .)
	args=($BACKEND --gpus "$sel")
	tag="${n}gpu"
	echo
	echo "=== $n GPU(s): --gpus $sel ${BACKEND}"
	read -r fu fs fw < <(cpu $B monitor -q --history none "${args[@]}" -- sleep 0)
	echo "fixed cost (monitor -- sleep 0): user ${fu}s sys ${fs}s wall ${fw}s"
	for iv in 10ms 100ms; do
		read -r u s w < <(cpu env BENCHCTL_COST="$OUT/self-$tag-$iv.txt" BENCHCTL_NVML_COST="$OUT/nvml-$tag-$iv.txt" \
			$B monitor -q --history none "${args[@]}" --interval $iv -- sleep "$RUN_S")
		echo
		python3 - "$iv" "$n" "$RUN_S" "$u" "$s" "$w" "$fu" "$fs" <<'PY'
import sys
iv, n, run = sys.argv[1], int(sys.argv[2]), sys.argv[3]
u, s, w, fu, fs = map(float, sys.argv[4:])
tot = (u + s) / w * 100
steady = (u + s - fu - fs) / w * 100
target = 0.5 if iv == "10ms" else 0.2
print(f"--- interval {iv}, {n} GPU(s), monitor -- sleep {run}: user {u:.3f}s sys {s:.3f}s wall {w:.2f}s")
print(f"cpu {tot:.2f}% of a core; without the fixed cost {steady:.2f}%, {steady / n:.2f}% per GPU "
      f"(target {target}% per GPU: {'met' if steady / n <= target else 'NOT met'})")
PY
		echo "where benchctl's own CPU went (the whole process, start-up and report included):"
		sed 's/^/  /' "$OUT/self-$tag-$iv.txt" 2>/dev/null || echo "  (no table: $OUT/self-$tag-$iv.txt missing)"
		echo "NVML calls:"
		sed 's/^/  /' "$OUT/nvml-$tag-$iv.txt" 2>/dev/null || echo "  (no table: not the nvml backend?)"
	done
done
