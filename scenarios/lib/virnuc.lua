-- lib.virnuc: what every VirNucPro validation scenario shares: the pipeline
-- command from --var pipeline, the GPUs from --var gpus, the preset sizes, the
-- stage markers and the argv builder.
local bench = require("bench")
local M = {}

-- The stage lines VirNucPro (and both shipped stand-ins) print on stderr.
M.stages = {
  { "load", "Stage: Loading models" },
  { "translation", "Stage: Translating" },
  { "dnabert", "Stage: DNABERT" },
  { "esm", "Stage: ESM%-2" },
  { "merge", "Stage: Merging" },
  { "predict", "Stage: Predicting" },
  { "consensus", "Stage: Consensus" },
}
M.stage_names = { "translation", "dnabert", "esm", "merge" }

M.pipeline = bench.var("pipeline", "python -m virnucpro")
M.preset = bench.var("preset", "plan")
M.timeout = bench.var("timeout", "12h")
local gpu_list = bench.var_list("gpus", "")
local per_file = bench.var_number("sequences_per_file", 0)
-- Flags appended to every pipeline command, after the subcommand's arguments
-- (e.g. "--size small" for the PyTorch stand-in).
local pipeline_flags = bench.var("pipeline_flags", "")
-- The pipeline's progress lines: items done so far, per worker ("[gpu N] "),
-- as both shipped stand-ins print them; "" when the pipeline prints none.
M.progress = bench.var("progress", "re:^(?:\\[gpu (\\d+)\\] )?Progress: (\\d+)")

-- pick returns the value for the current preset: "quick" for a run of minutes
-- on one GPU, "plan" for the validation plan's sizes.
-- "smoke" is the smallest run that still exercises every path (CI's tests of
-- the scenarios); where a scenario gives no smoke size, quick is used.
function M.pick(choices)
  local v = choices[M.preset]
  if v == nil and M.preset == "smoke" then v = choices.quick end
  if v == nil then
    error(string.format("--var preset=%q: want smoke, quick or plan", M.preset), 2)
  end
  return v
end

-- gpus lists the GPU indexes to run on: --var gpus=0,1 or every visible GPU
-- (GPU 0 when the backend sees none, so a CPU-only pipeline still runs).
function M.gpus()
  if #gpu_list > 0 then return gpu_list end
  local out = {}
  for _, d in ipairs(bench.gpu.devices()) do out[#out + 1] = tostring(d.index) end
  if #out == 0 then out = { "0" } end
  return out
end

-- command builds the pipeline's argv for one input and output folder.
-- opts: parallel, persistent, streams (true/false/nil), esm_batch,
-- dnabert_batch, expandable, gpus (list), extra (list of further flags).
function M.command(input, outdir, opts)
  opts = opts or {}
  local args = { "predict", input, "-o", outdir }
  local function add(...) for _, a in ipairs({ ... }) do args[#args + 1] = tostring(a) end end
  local gpus = opts.gpus or M.gpus()
  if opts.parallel then add("--parallel") end
  add("--gpus", table.concat(gpus, ","))
  if opts.persistent then add("--persistent-models") end
  if opts.streams == true then add("--cuda-streams") elseif opts.streams == false then add("--no-cuda-streams") end
  if opts.esm_batch then add("--esm-batch-size", opts.esm_batch) end
  if opts.dnabert_batch then add("--dnabert-batch-size", opts.dnabert_batch) end
  if opts.expandable then add("--expandable-segments") end
  if per_file > 0 then add("--sequences-per-file", per_file) end
  for _, a in ipairs(opts.extra or {}) do add(a) end
  for _, a in ipairs(bench.split(pipeline_flags)) do add(a) end
  return bench.split(M.pipeline, args)
end

-- run runs the pipeline once (or run_opts.runs times) on input and returns the result.
function M.run(t, name, input, opts, run_opts)
  run_opts = run_opts or {}
  return bench.pipeline.run {
    name = name,
    cmd = M.command(input.path, t.workdir .. "/" .. name, opts),
    stages = M.stages,
    timeout = run_opts.timeout or M.timeout,
    runs = run_opts.runs,
    warmup = run_opts.warmup,
    sample_every = run_opts.sample_every,
    progress = run_opts.progress ~= "" and run_opts.progress or nil,
  }
end

-- expect_ok fails the test with the pipeline's own words when it did not exit 0.
function M.expect_ok(t, run, what)
  local ok = t:expect(run.class, (what or "pipeline") .. " exit class"):eq("ok")
  if not ok then
    local last = run.stderr:match("([^\n]*)$") or ""
    t:log(string.format("%s: exit %d (%s) %s; last stderr line: %s", what or "pipeline",
      run.exit_code, run.class, run.error or "", last))
  end
  return ok
end

-- stage_mean is one GPU's mean of a metric over the given stages when they
-- were seen, else over the whole run; nil when the GPU has no such figure.
local function stage_mean(g, metric, stages)
  local u, n = 0, 0
  for _, s in ipairs(stages or {}) do
    local st = g.stages and g.stages[s] and g.stages[s][metric]
    if st and st.count > 0 then u = u + st.mean * st.count; n = n + st.count end
  end
  if n > 0 then return u / n end
  local st = g.stats[metric]
  if st and st.count > 0 then return st.mean end
  return nil
end

-- gpu_figures gives, over the GPUs a run used (those whose memory rose above
-- their baseline), the mean NVML utilization and the mean GPM SM activity
-- (during the given stages when they were seen, else over the whole run;
-- sm_activity is nil where the GPUs have no GPM) and the peak memory.
function M.gpu_figures(run, stages)
  local sums = { utilization_gpu = { 0, 0 }, sm_activity = { 0, 0 } }
  local peak = 0
  for _, g in ipairs((run.gpu or {}).gpus or {}) do
    local used = g.stats.memory_used
    if used and used.max > peak then peak = used.max end
    if used and used.max > (g.baseline_bytes or 0) then
      for metric, acc in pairs(sums) do
        local m = stage_mean(g, metric, stages)
        if m then acc[1] = acc[1] + m; acc[2] = acc[2] + 1 end
      end
    end
  end
  local function mean(acc) if acc[2] > 0 then return acc[1] / acc[2] end end
  return { utilization = mean(sums.utilization_gpu), sm_activity = mean(sums.sm_activity), peak = peak }
end

-- orphan_bytes is the GPU memory held by processes of the pipeline's tree that
-- outlived it (benchctl reports and ends them).
function M.orphan_bytes(run)
  local sum = 0
  for _, o in ipairs((run.gpu or {}).orphans or {}) do sum = sum + o.bytes end
  return sum
end

return M
