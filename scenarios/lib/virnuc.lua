-- lib.virnuc: what every VirNucPro validation scenario shares: the pipeline
-- command from --var pipeline, the GPUs from --var gpus, the preset sizes, and
-- the pipeline's profile (--var profile, lib/profiles/NAME.lua): its stage
-- markers, option names, output streams and figures. The default profile is
-- VirNucPro's multi-GPU fork's ("virnucpro").
local bench = require("bench")
local M = {}

M.profile_name = bench.var("profile", "virnucpro")
if not M.profile_name:match("^[%w_]+$") then
  error(string.format("--var profile=%q: want a profile name such as virnucpro or legacy", M.profile_name), 0)
end
do
  local ok, p = pcall(require, "lib.profiles." .. M.profile_name)
  if not ok then
    error(string.format("--var profile=%q: no such profile (scenarios/lib/profiles/%s.lua): %s",
      M.profile_name, M.profile_name, tostring(p)), 0)
  end
  M.profile = p
end
local profile = M.profile

-- The stage markers ({ key, pattern }), and the stages checked for memory.
M.stages = profile.stages
M.stage_names = profile.memory_stages
M.model_stages = profile.model_stages

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
-- The fake pipeline ends each with its model's time ("(t=UNIX SECONDS)", the
-- group t): its rates are then its model's, not the arrival times a busy
-- machine makes of them; a line without it is timed on arrival. Not anchored:
-- both stand-ins print the line after their log prefix (date - logger - level).
M.progress = bench.var("progress",
  "re:(?:\\[gpu (\\d+)\\] )?Progress: (\\d+)(?:/\\d+ sequences \\(t=(?P<t>\\d+(?:\\.\\d+)?)\\))?")

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
  for _, d in ipairs(bench.gpu.devices() or {}) do out[#out + 1] = tostring(d.index) end
  if #out == 0 then out = { "0" } end
  return out
end

-- global_args are the arguments before the subcommand: the configuration
-- file that sets sequences per file, where the profile takes it so. Written
-- into the running test's work directory.
local function global_args()
  local pf = profile.per_file or {}
  if per_file <= 0 or not pf.global_flag then return {} end
  local path = bench.data.text { name = pf.file, content = string.format(pf.template, per_file) }
  return { pf.global_flag, path }
end

-- command builds the pipeline's argv for one input and output folder.
-- opts: parallel, persistent, streams (true/false/nil), esm_batch,
-- dnabert_batch, expandable, gpus (list), extra (list of further flags).
function M.command(input, outdir, opts)
  opts = opts or {}
  local f = profile.flags
  local args = global_args()
  local function add(...) for _, a in ipairs({ ... }) do args[#args + 1] = tostring(a) end end
  add(profile.subcommand, input, f.output, outdir)
  -- Every run gets a fresh output folder; --force as well, so that repeated
  -- runs of one command (bench.pipeline.run's runs and warmup) overwrite it.
  if f.force then add(f.force) end
  local gpus = opts.gpus or M.gpus()
  if opts.parallel then add(f.parallel) end
  add(f.gpus, table.concat(gpus, ","))
  if opts.persistent then add(f.persistent) end
  if opts.streams == true then add(f.streams_on) elseif opts.streams == false then add(f.streams_off) end
  if opts.esm_batch then add(f.esm_batch, opts.esm_batch) end
  if opts.dnabert_batch then add(f.dnabert_batch, opts.dnabert_batch) end
  if opts.expandable then add(f.expandable) end
  if per_file > 0 and (profile.per_file or {}).flag then add(profile.per_file.flag, per_file) end
  for _, a in ipairs(opts.extra or {}) do add(a) end
  for _, a in ipairs(bench.split(pipeline_flags)) do add(a) end
  return bench.split(M.pipeline, args)
end

-- outdir returns a fresh output folder for a run: the pipeline may refuse
-- (or prompt about) one that exists.
local runs_made = 0
function M.outdir(t, name)
  runs_made = runs_made + 1
  return string.format("%s/out_%s_%d", t.workdir, name, runs_made)
end

-- run runs the pipeline once (or run_opts.runs times) on input and returns the result.
-- Its own figures (the profile's) are recorded as metrics of the test, named
-- <run name>_<figure>, when the test ends (see M.test), from the last run of
-- each name; run_opts.figures = false leaves them out.
local pending = setmetatable({}, { __mode = "k" })
function M.run(t, name, input, opts, run_opts)
  run_opts = run_opts or {}
  local run = bench.pipeline.run {
    name = name,
    cmd = M.command(input.path, M.outdir(t, name), opts),
    stages = M.stages,
    timeout = run_opts.timeout or M.timeout,
    runs = run_opts.runs,
    warmup = run_opts.warmup,
    sample_every = run_opts.sample_every,
    progress = run_opts.progress ~= "" and run_opts.progress or nil,
    line_time = profile.line_time, -- nil: stage lines timed on arrival
    stages_end = profile.stages_end, -- nil: a stage runs to the next one, the last to the exit
    oom_exit_code = run_opts.oom_exit_code,
    tail_lines = profile.tail_lines,
  }
  M.note_inert(t, opts)
  if run_opts.figures ~= false then
    -- One set of figures per run name: the last run's (configurations
    -- compared over many rounds run under one name).
    local p = pending[t] or { order = {}, last = {} }
    pending[t] = p
    if not p.last[name] then p.order[#p.order + 1] = name end
    p.last[name] = run
  end
  return run
end

-- test is bench.test for these scenarios: after the test's own verdicts and
-- metrics, it records the pipeline's own figures of each run (as
-- <run name>_<figure>), so that they follow the scenario's metrics.
function M.test(name, fn, opts)
  bench.test(name, function(t)
    fn(t)
    local p = pending[t] or { order = {}, last = {} }
    for _, name in ipairs(p.order) do M.record_figures(t, p.last[name], name) end
    pending[t] = nil
  end, opts)
end

-- inert lists the flags of opts that, on this profile's pipeline, never reach
-- the work: { { flag, why }, ... }.
function M.inert(opts)
  return profile.inert(opts or {}, #M.gpus())
end

-- note_inert logs, once per test and flag, the flags of opts that do not
-- reach the work: their comparisons measure noise.
local inert_noted = setmetatable({}, { __mode = "k" })
function M.note_inert(t, opts)
  inert_noted[t] = inert_noted[t] or {}
  for _, f in ipairs(M.inert(opts)) do
    if not inert_noted[t][f[1]] then
      inert_noted[t][f[1]] = true
      t:log(string.format("%s does not reach the work in the %s profile's pipeline: %s (a pipeline that differs, such as virnucsim, shows it in the comparison)", f[1], profile.name, f[2]))
    end
  end
end

-- output is a run's output as both streams' tails give it.
local function output(run)
  return (run.stdout or "") .. "\n" .. (run.stderr or "")
end

local function number(s)
  if s == nil then return nil end
  return tonumber((s:gsub(",", "")))
end

-- figures reads the pipeline's own figures from a run's output (both streams'
-- tails): { [metric] = { value, unit, better } }, and per stage,
-- fork_stage_<key>_seconds.
function M.figures(run)
  local text = output(run)
  local out = {}
  for _, fig in ipairs(profile.figures or {}) do
    local vals = {}
    for v in text:gmatch(fig.pattern) do vals[#vals + 1] = number(v) end
    if #vals > 0 then
      local v = vals[#vals]
      if fig.combine == "sum" or fig.combine == "mean" then
        v = 0
        for _, x in ipairs(vals) do v = v + x end
        if fig.combine == "mean" then v = v / #vals end
      end
      out[fig.metric] = { value = v, unit = fig.unit, better = fig.better }
    end
  end
  for key, v in pairs(M.stage_times(run)) do
    out["fork_stage_" .. key .. "_seconds"] = { value = v, unit = "s", better = "lower" }
  end
  return out
end

-- stage_times is a run's own seconds per stage key, as the pipeline reports
-- them (the profile's stage_time lines): { [key] = seconds }, empty where it
-- reports none.
function M.stage_times(run)
  local text = output(run)
  local out = {}
  if not profile.stage_time then return out end
  for _, s in ipairs(profile.stage_list or {}) do
    local pat = profile.stage_time[1] .. s[2]:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0") .. profile.stage_time[2]
    local v = number(text:match(pat))
    if v then out[s[1]] = v end
  end
  return out
end

-- duration is a run's time in seconds and where it comes from: the
-- pipeline's own figure for its run where the profile reads one from its
-- output (profile.durations, the first that matches: a pipeline that paces
-- itself by a model of time reports the model's), else benchctl's wall time.
-- The source is "pipeline" or "wall".
function M.duration(run)
  local text = output(run)
  for _, pat in ipairs(profile.durations or {}) do
    local v
    for x in text:gmatch(pat) do v = number(x) end
    if v and v > 0 then return v, "pipeline" end
  end
  return run.seconds, "wall"
end

-- seconds is duration's time, and logs once per test and source which time
-- its verdicts are judged on.
local duration_noted = setmetatable({}, { __mode = "k" })
function M.seconds(t, run)
  local secs, source = M.duration(run)
  duration_noted[t] = duration_noted[t] or {}
  if not duration_noted[t][source] then
    duration_noted[t][source] = true
    if source == "pipeline" then
      t:log("run times: the pipeline's own figure for its run (" .. profile.name .. " profile), not benchctl's wall time")
    else
      t:log("run times: benchctl's wall time (the pipeline reports no time of its own)")
    end
  end
  return secs, source
end

-- record_figures records a run's own figures as metrics named
-- <prefix>_<metric>, in a stable order.
function M.record_figures(t, run, prefix)
  local figs = M.figures(run)
  local names = {}
  for k in pairs(figs) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do
    local f = figs[k]
    local opts = nil
    if f.better then opts = { better = f.better } end
    t:metric((prefix and prefix ~= "" and (prefix .. "_") or "") .. k, f.value, f.unit or "", opts)
  end
end

-- oom returns the out-of-memory line a run printed and the stream it came
-- from, or nil.
function M.oom(run)
  if run.oom_line and run.oom_line ~= "" then return run.oom_line, run.oom_stream end
  return nil
end

-- last_lines gives the last line of each stream and the first line that says
-- why the pipeline failed (the profile's failure patterns), for a log.
local function why(run)
  local parts = {}
  for _, pat in ipairs(profile.failure_patterns or {}) do
    for _, stream in ipairs({ "stdout", "stderr" }) do
      local m = (run[stream] or ""):match(pat)
      if m then parts[#parts + 1] = stream .. ": " .. m; break end
    end
    if #parts > 0 then break end
  end
  for _, stream in ipairs({ "stdout", "stderr" }) do
    local last = (run[stream] or ""):match("([^\n]*)$") or ""
    if last ~= "" then parts[#parts + 1] = "last " .. stream .. " line: " .. last end
  end
  return table.concat(parts, "; ")
end

-- expect_ok fails the test with the pipeline's own words when it did not exit 0.
function M.expect_ok(t, run, what)
  local ok = t:expect(run.class, (what or "pipeline") .. " exit class"):eq("ok")
  if not ok then
    t:log(string.format("%s: exit %d (%s) %s; %s", what or "pipeline",
      run.exit_code, run.class, run.error or "", why(run)))
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
