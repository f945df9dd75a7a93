#!/bin/bash
# The seven scenarios against VirNucPro's fork, unchanged, on one GPU, with
# the offline kit. Run from the repository root on the GPU machine, with the
# carried folder D (default .dev15) holding:
#   D/benchctl            benchctl built for linux/amd64
#   D/scenarios/          the shipped scenarios (*.lua, lib/)
#   D/kit/                bench/virnucpro-offline
#   D/tp/virnucpro-broad  the fork (virnucpro/, config/) at a8d3e4b
#   D/tp/esm              facebookresearch/esm at v2.0.0 (esm/)
#   D/tp/DNABERT_S        MAGICS-LAB/DNABERT_S (evaluate/model_codes)
#   D/tp/biopython        Biopython's source (Bio/)
# SCENARIOS names the scenarios to run (default the seven and scaling, in the
# order below); GPU, where set, is the one GPU the fork and the probes use;
# VARS adds --var settings (e.g. "min_runs=2 max_runs=3").
# Reports go to $OUT (results.json, junit.xml, report.html, summary.md) with
# the kit's, benchctl's and (when no run of the fork ended well) the probe's logs. END_S bounds the whole
# script's wall time: the scenarios run in the order below until then, and an
# interrupted run still writes its reports (the rest is said not run).
set -u
D=${D:-.dev15}
OUT=${OUT:-/tmp/vnp-out}
END_S=${END_S:-300}
START=$(date +%s)
left() { echo $(( START + END_S - $(date +%s) )); }
W=${W:-/tmp/vnp}
mkdir -p "$OUT" "$W/run"
D=$(cd "$D" && pwd)
log() { echo "== $(date +%T) $*"; }

log "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch, transformers, huggingface_hub, tokenizers; print("torch", torch.__version__, "transformers", transformers.__version__, "hub", huggingface_hub.__version__, "tokenizers", tokenizers.__version__)'

export TORCH_HOME=$W/torch HF_HOME=$W/hf HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
export PYTHONPATH=$W/site:$D/tp/esm:$D/tp/virnucpro-broad
log "kit"
(cd "$W/run" && python3 "$D/kit/make_kit.py" --torch-home "$TORCH_HOME" --device cuda \
  --hf-home "$HF_HOME" --dnabert-code "$D/tp/DNABERT_S/evaluate/model_codes" \
  --classifier 500_model.pth --biopython "$D/tp/biopython" --bio-out "$W/site") 2>&1 | tee "$OUT/kit.log"

SCENARIOS=${SCENARIOS:-peak_memory_per_stage large_batches_oom memory_stability persistent_tradeoff optimization_impact large_sample typical_10h scaling}
extra=()
if [ -n "${GPU:-}" ]; then extra+=(--gpus "$GPU" --var gpus="$GPU"); export CUDA_DEVICE_ORDER=PCI_BUS_ID; fi
for v in ${VARS:-}; do extra+=(--var "$v"); done
files=()
for s in $SCENARIOS; do files+=("$D/scenarios/$s.lua"); done
log "scenarios ($(left)s left): $SCENARIOS"
cd "$W/run"
timeout -s INT "$(( $(left) - ${PROBE_S:-75} ))" "$D/benchctl" run --results-dir "$W/results" \
  --allow-unknown-vars --var pipeline="python3 -m virnucpro" --var preset=quick --var warmup=0 \
  --var timeout=120s --var oom_timeout=120s \
  --out junit="$OUT/junit.xml" --out html="$OUT/report.html" --out markdown="$OUT/summary.md" \
  "${extra[@]}" "${files[@]}" > "$W/benchctl.log" 2>&1
echo "benchctl exit $?"
grep -vE "^\s*$" "$W/benchctl.log" | cut -c1-300 | tail -45
cp "$W/results/results.json" "$W/benchctl.log" "$OUT/" 2>/dev/null
# A run of the fork itself is in the reports (each run's output tails). When
# none ended well, load each model through the fork's own loaders, to say
# which part cannot run here.
if ! grep -q '"class": "ok"' "$W/results/results.json" 2>/dev/null; then
  log "probe ($(left)s left): each model through the fork's own loaders"
  (cd "$W/run" && timeout "$(( $(left) - 5 ))" python3 "$D/kit/probe.py" dnabert esm classifier) > "$OUT/probe.log" 2>&1
  grep -E "^PROBE" "$OUT/probe.log" | cut -c1-400
fi
log "done"
