#!/usr/bin/env bash
# On a GPU machine: typical_10h's projection from runs of 60, 150 and 300
# sequences against a measured run of 1,200 (four times the largest), and the
# cost of monitoring on the pipeline's throughput: 5 pairs of the same run,
# alternating without and with `benchctl monitor` at 10 ms.
# Usage: bash bench/device/accuracy_overhead.sh OUTDIR   (bin/ built first)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-accuracy}}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/workloads
B=bin/benchctl
# Sequences per file through the configuration (-c), as the fork takes them.
CFG=/tmp/virnucsim-config.yaml
printf 'prediction:\n  sequences_per_file: %s\n' "${PER_FILE:-150}" > "$CFG"
FLAGS="--force --parallel --gpus 0 --persistent-models --cuda-streams --size small"
echo "== projection from 60, 150, 300 sequences to 1200"
$B run -q --force --results-dir /tmp/proj --var pipeline="python3 -m virnucsim" --var pipeline_flags="--size small" \
	--var preset=quick --var sequences_per_file=150 --var full_sequences=1200 \
	--out json="$OUT/projection.json" scenarios/typical_10h.lua
$B data fasta --sequences 1200 --min-len 200 --max-len 2000 --seed 99 -o /tmp/in1200.fa
$B monitor -q --out json="$OUT/measured1200.json" -- python3 -m virnucsim -c "$CFG" predict /tmp/in1200.fa -o /tmp/o1200 $FLAGS >/dev/null 2>&1
python3 bench/projection/accuracy.py "$OUT/projection.json" "$OUT/measured1200.json"
echo "== monitoring overhead: 5 pairs, 300 sequences"
$B data fasta --sequences 300 --min-len 200 --max-len 2000 --seed 7 -o /tmp/in300.fa
now() { date +%s.%N; }
for i in 1 2 3 4 5; do
	a=$(now); python3 -m virnucsim -c "$CFG" predict /tmp/in300.fa -o /tmp/p$i $FLAGS >/dev/null 2>&1; b=$(now)
	$B monitor -q --interval 10ms -- python3 -m virnucsim -c "$CFG" predict /tmp/in300.fa -o /tmp/m$i $FLAGS >/dev/null 2>&1; c=$(now)
	echo "pair $i plain $(python3 -c "print(round($b - $a, 3))") monitored $(python3 -c "print(round($c - $b, 3))")"
done | tee "$OUT/pairs.txt"
python3 - "$OUT/pairs.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("pair")]
ratios = [float(r[3]) / float(r[5]) for r in rows]  # throughput monitored / plain
print(f"throughput with monitoring / without: mean {statistics.mean(ratios):.4f}, "
      f"stddev {statistics.stdev(ratios):.4f}, min {min(ratios):.4f}, max {max(ratios):.4f} over {len(ratios)} pairs")
PY
