#!/usr/bin/env bash
# On a GPU machine: the probe's proofs (gpus, ten 20 ms spikes of 8 GB seen by
# benchctl and by nvidia-smi, accounting peak against the true peak, benchctl's
# CPU cost at 10 ms and 100 ms) and virnucsim's (1,000 sequences with and
# without persistent models, and a batch so large it must run out of memory).
# Usage: bash bench/device/probes_and_workload.sh OUTDIR   (bin/ built first)
set -u
OUT=${1:-${OUT:-/tmp/benchctl-proof}}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=workloads
B=bin/benchctl
nvidia-smi -L
echo "== benchctl gpus"; $B gpus

echo "== spikes"
nvidia-smi --query-gpu=timestamp,memory.used --format=csv,noheader,nounits -lms 1000 > "$OUT/smi1000.csv" & P1=$!
nvidia-smi --query-gpu=timestamp,memory.used --format=csv,noheader,nounits -lms 100 > "$OUT/smi100.csv" & P2=$!
sleep 2
$B monitor --out json="$OUT/spike.json" -- python3 bench/spike/spike.py > "$OUT/spike.txt"
sleep 1; kill $P1 $P2
python3 bench/spike/analyze.py "$OUT/spike.txt" "$OUT/spike.json" "$OUT/smi1000.csv" "$OUT/smi100.csv"

echo "== benchctl CPU while monitoring 20 s"
TIMEFORMAT='%U user %S sys %R wall'
for iv in 10ms 100ms; do echo "interval $iv:"; time $B monitor -q --interval $iv -- sleep 20; done

echo "== virnucsim, 1000 sequences, full model shapes"
$B data fasta --sequences 1000 --min-len 200 --max-len 1500 --seed 42 -o /tmp/in1000.fa
for p in "" --persistent-models; do
	echo "-- virnucsim ${p:-(fresh models per file)}"
	printf 'prediction:\n  sequences_per_file: 2500\n' > /tmp/virnucsim-config.yaml
	$B monitor --out json="$OUT/virnucsim${p}.json" -- python3 -m virnucsim -c /tmp/virnucsim-config.yaml predict /tmp/in1000.fa \
		-o "/tmp/out$p" --force $p 2>&1 | grep -v "\[gpu \|=== Stage" ; echo "exit=${PIPESTATUS[0]}"
	ls "/tmp/out$p"; head -3 "/tmp/out$p/prediction_results.txt"
done
echo "-- virnucsim with a batch so large it must run out of memory (allocator capped at 12% of the GPU)"
$B monitor -- python3 -m virnucsim predict /tmp/in1000.fa -o /tmp/oom --esm-batch-size 400000 --gpu-memory-fraction 0.12 2>&1 | grep -iv "^Stage"
echo "exit=${PIPESTATUS[0]}"
echo "-- virnucsim on a GPU too small for its models (allocator capped at 5%): must exit 4, not crash"
$B monitor -- python3 -m virnucsim predict /tmp/in1000.fa -o /tmp/oom2 --gpu-memory-fraction 0.05 2>&1 | grep -iv "^Stage"
echo "exit=${PIPESTATUS[0]}"
