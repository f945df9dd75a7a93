-- lib.profiles.legacy: a pipeline that prints "Stage: ..." lines on stderr and
-- takes --sequences-per-file, as benchctl's stand-ins did before they spoke
-- VirNucPro's fork. Chosen with --var profile=legacy; a starting point for a
-- profile of another pipeline (copy it to scenarios/lib/profiles/NAME.lua).
local M = {}

M.name = "legacy"
M.subcommand = "predict"
M.flags = {
  output = "-o",
  parallel = "--parallel",
  gpus = "--gpus",
  persistent = "--persistent-models",
  streams_on = "--cuda-streams",
  streams_off = "--no-cuda-streams",
  esm_batch = "--esm-batch-size",
  dnabert_batch = "--dnabert-batch-size",
  expandable = "--expandable-segments",
}
-- Sequences per split file as an option of the subcommand.
M.per_file = { flag = "--sequences-per-file" }

M.stages = {
  { "load", "Stage: Loading models" },
  { "translation", "Stage: Translating" },
  { "dnabert", "Stage: DNABERT" },
  { "esm", "Stage: ESM%-2" },
  { "merge", "Stage: Merging" },
  { "predict", "Stage: Predicting" },
  { "consensus", "Stage: Consensus" },
}
M.memory_stages = { "translation", "dnabert", "esm", "merge" }
M.model_stages = { "dnabert", "esm" }
M.streams = { log = "stderr", stages = "stderr", oom = "stderr", workers = "stderr" }
M.figures = {}
M.failure_patterns = { "Error: .*" }
function M.inert() return {} end
M.tail_lines = 40

return M
