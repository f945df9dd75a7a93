#!/usr/bin/env bash
# benchctl's own costs on a GPU machine, one after the other: its CPU while it
# samples (cost.sh, on GPU 0 and then on every GPU in GPUS), output capture of
# 2,000,000 short lines (pairs, alternating order, bare against under
# `benchctl monitor`), start-up to the pipeline's first instruction
# (bench/startup/run.sh) and the synthetic FASTA's speed on this host's CPUs.
# Run from the repository root with bin/benchctl and bin/stamp there.
# Usage: GPUS=0,1 bash bench/device/observer.sh [OUTDIR]
set -u
OUT=${1:-${OUT:-/tmp/benchctl-observer}}
mkdir -p "$OUT"
B=bin/benchctl
GPUS=${GPUS:-0}
now() { date +%s.%N; }
echo "== cost (GPUS=$GPUS)"
GPUS=$GPUS bash bench/device/cost.sh "$OUT/cost" 2>&1 | tee "$OUT/cost.log"

echo "== capture: 2,000,000 short lines, bare (to /dev/null) and under monitor"
LINES='import sys
w = sys.stdout.write
for i in range(2000000):
    w("line %d\n" % i)'
for i in $(seq 1 "${CAPTURE_PAIRS:-6}"); do
	bare() { a=$(now); python3 -c "$LINES" >/dev/null; b=$(now); python3 -c "print(round($b - $a, 3))"; }
	mon() { a=$(now); $B monitor -q --history none --gpu-backend none -- python3 -c "$LINES" >/dev/null; b=$(now); python3 -c "print(round($b - $a, 3))"; }
	if [ $((i % 2)) = 1 ]; then x=$(bare); y=$(mon); else y=$(mon); x=$(bare); fi
	echo "pair $i bare $x monitor $y"
done | tee "$OUT/capture.txt"
python3 - "$OUT/capture.txt" <<'PY'
import statistics, sys
r = [float(l.split()[5]) / float(l.split()[3]) for l in open(sys.argv[1]) if l.startswith("pair")]
print(f"capture: under monitor / bare, median {statistics.median(r):.3f} (min {min(r):.3f}, max {max(r):.3f}) over {len(r)} pairs")
PY

echo "== start-up"
RUNS=${STARTUP_RUNS:-30} BACKENDS="none auto" MONITOR_BACKENDS="none auto" bash bench/startup/run.sh 2>&1 | tee "$OUT/startup.log"

echo "== synthetic FASTA, --preset full ($(nproc) CPUs)"
for procs in 0 1; do
	for r in 1 2 3; do
		a=$(now)
		if [ $procs = 0 ]; then $B data fasta --preset full -o /tmp/full.fa; else GOMAXPROCS=1 $B data fasta --preset full -o /tmp/full.fa; fi
		b=$(now)
		python3 -c "import os; s=os.path.getsize('/tmp/full.fa'); print(f'GOMAXPROCS={\"all\" if $procs == 0 else 1} run $r: {s/1e6:.1f} MB in {$b-$a:.3f} s, {s/1e6/($b-$a):.0f} MB/s')"
	done
done | tee "$OUT/fasta.txt"
sha256sum /tmp/full.fa | tee -a "$OUT/fasta.txt"
