-- lib.profiles.virnucpro: how VirNucPro's multi-GPU fork (broadinstitute/
-- virnucpro-broad) speaks, as the scenarios need it: its command line, the
-- stage lines it logs, where it prints what, and the figures it reports.
-- Both shipped stand-ins (workloads/fakepipe, workloads/virnucsim) speak it too.
local M = {}

M.name = "virnucpro"

-- python -m virnucpro [-c CONFIG.yaml] predict INPUT [options]
M.subcommand = "predict"
M.flags = {
  output = "-o",
  force = "--force", -- an existing -o is otherwise a prompt that aborts on a closed stdin (exit 1)
  parallel = "--parallel",
  gpus = "--gpus",
  persistent = "--persistent-models",
  streams_on = "--cuda-streams",
  streams_off = "--no-cuda-streams",
  esm_batch = "--esm-batch-size",
  dnabert_batch = "--dnabert-batch-size",
  expandable = "--expandable-segments",
}

-- Sequences per split file is no option of predict: it is the configuration
-- key prediction.sequences_per_file, given with -c before the subcommand. -c
-- replaces the whole default configuration, so this is the fork's default
-- (config/default_config.yaml) with that one key set.
M.per_file = {
  global_flag = "-c",
  file = "virnucpro_config.yaml",
  template = [[
version: "2.0.0"
prediction:
  batch_size: 256
  num_workers: 4
  sequences_per_file: %d
  default_model_type: "500"
  models:
    "300": "300_model.pth"
    "500": "500_model.pth"
device:
  default: "auto"
  fallback_to_cpu: true
features:
  dnabert:
    model_name: "zhihan1996/DNABERT-S"
    trust_remote_code: true
    batch_size: 256
  esm:
    model_name: "esm2_t36_3B_UR50D"
    truncation_seq_length: 1024
    toks_per_batch: 2048
    representation_layer: 36
parallelization:
  enabled: false
  num_workers: auto
checkpointing:
  enabled: true
  checkpoint_dir: ".checkpoints"
  keep_history: 5
files:
  auto_cleanup: true
  keep_files:
    - "prediction_results.txt"
    - "prediction_results_highestscore.csv"
logging:
  default_level: "INFO"
  format: "%%(asctime)s - %%(name)s - %%(levelname)s - %%(message)s"
  auto_log_file: true
progress:
  enabled: true
  bar_width: 100
  update_interval: 0.1
validation:
  warn_ambiguous_bases: true
  max_ambiguous_percent: 5.0
  check_duplicate_ids: true
]],
}

-- The nine stages, as pipeline_telemetry.py logs them on stdout:
-- "=== Stage {n}: {name} ===". The number is left out of the match: on
-- --resume, skipped stages are not counted and the numbers shift.
M.stage_list = {
  { "chunking", "Sequence Chunking" },
  { "translation", "Six-Frame Translation" },
  { "nucleotide_split", "Nucleotide File Splitting" },
  { "protein_split", "Protein File Splitting" },
  { "dnabert", "DNABERT-S Feature Extraction" },
  { "esm", "ESM-2 Feature Extraction" },
  { "merge", "Feature Merging" },
  { "predict", "Model Prediction" },
  { "consensus", "Consensus Scoring" },
}

local function escape(s) return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")) end

M.stages = {}
for i, s in ipairs(M.stage_list) do
  M.stages[i] = { s[1], "=== Stage %d+: " .. escape(s[2]) .. " ===" }
end

-- A stage line's own time, where it carries one: the fake pipeline ends its
-- stage lines and their "completed in" lines with its model's time,
-- "(t=UNIX SECONDS)", so that its stages (their windows, and the GPU
-- readings the sampler gives each) are timed by its model, not by when a
-- busy machine delivered the lines. The fork's lines carry none: they are
-- timed on arrival.
M.line_time = "re:\\(t=(?P<t>\\d+(?:\\.\\d+)?)\\)$"
-- A line that ends the running stage: only a "completed in" line with its
-- own time, the fake pipeline's, whose last stage then ends at its model's
-- time rather than when the process exits, after the wall time a busy
-- machine takes to write the results. The fork's stages run on to the next
-- stage line and the last one to its exit, as before.
M.stages_end = "re:completed in [\\d.]+s.* \\(t=\\d+(?:\\.\\d+)?\\)$"

-- The stages whose GPU memory peak_memory_per_stage checks.
M.memory_stages = { "translation", "dnabert", "esm", "merge", "predict" }
-- The stages where the models do their work (utilization floors).
M.model_stages = { "dnabert", "esm" }

-- Where it prints what: the main process logs (stage lines, figures, the
-- out-of-memory banner, "Prediction failed: ...") to stdout; ESM-2 GPU workers
-- log and progress bars go to stderr.
M.streams = { log = "stdout", stages = "stdout", oom = "stdout", workers = "stderr" }

-- Its own figures, recorded as metrics where present. Each: the metric, a Lua
-- pattern whose captures are numbers (commas allowed), which capture to use,
-- how lines combine (last, sum, mean), the unit and which way is better.
M.figures = {
  { metric = "fork_total_seconds", pattern = "Total wall time: [%d:]+ %(([%d%.,]+)s%)", unit = "s", better = "lower" },
  { metric = "fork_translation_rate", pattern = "Translation complete: processed [%d,]+ sequences in [%d%.]+s %(([%d,%.]+) seq/s%)",
    unit = "seq/s", better = "higher" },
  { metric = "fork_esm_sequences", pattern = "Async inference complete: (%d+) sequences", combine = "sum", unit = "" },
  { metric = "fork_esm_seq_per_s", pattern = "Async inference complete: %d+ sequences, ([%d%.]+) seq/s", combine = "sum",
    unit = "seq/s", better = "higher" },
  { metric = "fork_esm_tokens_per_s", pattern = "Async inference complete: %d+ sequences, [%d%.]+ seq/s, ([%d%.]+) tokens/s",
    combine = "sum", unit = "tokens/s", better = "higher" },
  { metric = "fork_packing_efficiency", pattern = "packing_efficiency=([%d%.]+)%%", combine = "mean", unit = "%", better = "higher" },
}
-- The pipeline's own time for its whole run, where it prints one: the first
-- pattern that matches (its last match) wins. Both shipped stand-ins end with
-- "Done: N sequences, M chunks in S s" (the fake pipeline's is its model's
-- time); the fork itself prints its summary's "Total wall time".
M.durations = {
  "Done: [%d,]+ sequences, [%d,]+ chunks in ([%d%.]+) s",
  "Total wall time: [%d:]+ %(([%d%.,]+)s%)",
}
-- Per-stage times: "  {name} completed in {s}s" -> fork_stage_<key>_seconds
-- (the stage's name, escaped, goes between these two).
M.stage_time = { "  ", " completed in ([%d%.]+)s" }

-- Lines that say a failed worker or a numerical guard ended the run; shown
-- when a run fails.
M.failure_patterns = {
  "ESM%-2 inference failed on %d+/%d+ workers",
  "Numerical instability",
  "Prediction failed: .*",
  "Pipeline failed.*",
  "Aborted!",
}

-- Flags that, in the given configuration, never reach the work (read from the
-- fork's head, a8d3e4b): a comparison of them measures noise. Returns a list
-- of { flag, why }.
function M.inert(opts, gpu_count)
  local out = {}
  local v2 = opts.parallel or gpu_count > 1
  if v2 and opts.persistent then
    out[#out + 1] = { "--persistent-models", "on the --parallel (v2.0) path it never reaches the ESM-2 stage" }
  end
  if v2 and opts.streams ~= nil then
    out[#out + 1] = { "--cuda-streams", "on the --parallel (v2.0) path it never reaches the ESM-2 stage" }
  end
  if v2 and opts.esm_batch then
    out[#out + 1] = { "--esm-batch-size", "on the --parallel (v2.0) path it is only logged" }
  end
  if gpu_count == 1 and opts.persistent and not v2 then
    out[#out + 1] = { "--persistent-models", "on one GPU, DNABERT-S takes the single-GPU path where it is a log line" }
  end
  return out
end

-- Lines kept of each stream (the figures and the summary come from them).
M.tail_lines = 400

return M
