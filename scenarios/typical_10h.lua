-- The plan's headline: one typical sample (about 45,000 sequences) in under 10
-- hours on all GPUs with every optimization. The full sample is projected from
-- runs of three sizes by the model (linear, power law, the steady rate read
-- from the pipeline's progress lines, or each stage projected on its own and
-- summed) that best predicts each run from the smaller ones (lib.projection),
-- with an interval from its validation errors and, per stage, standard errors.
local bench = require("bench")
local virnuc = require("lib.virnuc")
local projection = require("lib.projection")

bench.suite {
  name = "typical_10h",
  description = "the typical sample projected under 10 h on all GPUs, with throughput and utilization floors",
  tags = { "gpu", "performance", "plan" },
}

local full = bench.var_number("full_sequences", 45000)
local limit_h = bench.var_number("limit_hours", 10)
local tolerance = bench.var_number("tolerance", 0.10)
local min_throughput = bench.var_number("min_throughput_per_hour", 500)
local min_util = bench.var_number("min_utilization", 70)
-- A projection whose interval reaches further than this fraction of itself is
-- refused: the runs were too small for the per-sequence cost to stand out of
-- the noise of the fixed cost (interpreter, CUDA and model start-up vary by seconds).
local max_rel_error = bench.var_number("max_projection_error", 0.5)
local sizes_var = bench.var_list("sizes", "")
-- Unmeasured runs before the first size: the first run of a Python pipeline
-- pays for cold caches and lazy initialisation (6 s on an H100 with
-- virnucsim), which would bias the fit's slope.
local warmup = bench.var_number("warmup", 1)
-- A size to measure after projecting it: the projection's error, the naive
-- one's and every model's, against a real run (0: none). The check fails
-- when the chosen projection misses by more than verify_tolerance.
local verify = bench.var_number("verify_sequences", 0)
local verify_tolerance = bench.var_number("verify_tolerance", 0.10)
-- per_stage=false leaves the per-stage projection out: the whole-run models
-- alone, as on a pipeline that marks no stages.
local per_stage = bench.var("per_stage", "true") ~= "false"
-- between_stages: how the time outside the pipeline's own stage figures
-- (worker start, model loading) is projected on one GPU: fixed (its mean) or fit.
projection.between = bench.var("between_stages", "fixed")
if projection.between ~= "fixed" and projection.between ~= "fit" then
  error(string.format("--var between_stages=%q: want fixed or fit", projection.between), 0)
end

-- own_stages is a run's own seconds per stage, as the pipeline reports them,
-- or nil. Only for a run on one GPU: with several workers the model stages'
-- lines are the first worker's alone, and the others' work falls between
-- them, where it grows with the input.
local function own_stages(run)
  if not per_stage or #virnuc.gpus() ~= 1 then return nil end
  local own = virnuc.stage_times(run)
  return next(own) and own or nil
end

-- check_against_run runs n sequences and records how far each projection missed.
local function check_against_run(t, choice, n)
  local input = bench.data.fasta { sequences = n, min_len = 200, max_len = 2000, seed = 41 }
  local run = virnuc.run(t, "verify_" .. n, input, { parallel = true, persistent = true, streams = true })
  if not virnuc.expect_ok(t, run, "run of " .. n .. " sequences") then return end
  local measured = virnuc.seconds(t, run)
  t:metric("verify_measured_seconds", measured, "s")
  local rows = {}
  for _, c in ipairs(choice.candidates) do
    local e = c.model.predict(c.fit, n) / measured - 1
    t:metric("verify_error_" .. c.name, e * 100, "%")
    rows[#rows + 1] = { c.name, string.format("%.1f", c.model.predict(c.fit, n)), string.format("%+.1f%%", e * 100) }
  end
  local naive = choice.naive / full * n
  t:metric("verify_error_naive", (naive / measured - 1) * 100, "%")
  rows[#rows + 1] = { "naive", string.format("%.1f", naive), string.format("%+.1f%%", (naive / measured - 1) * 100) }
  local chosen = projection.predict(choice, n)
  local low, high = projection.interval(choice, n)
  local err = chosen / measured - 1
  t:metric("verify_error", err * 100, "%")
  rows[#rows + 1] = { "measured", string.format("%.1f", measured), "" }
  t:table("projection against a measured run of " .. n .. " sequences", { "model", "seconds", "error" }, rows)
  t:log(string.format("%d sequences: measured %.1f s; %s projected %.1f s (%+.1f%%)%s", n, measured, choice.model,
    chosen, err * 100, low and string.format(", interval [%.1f, %.1f] s", low, high) or ""))
  if low then
    t:expect(measured >= low and measured <= high, string.format("measured %.1f s inside the projection's interval", measured)):eq(true)
  end
  t:expect(math.abs(err) * 100, "projection error at " .. n .. " sequences", "%"):le(verify_tolerance * 100)
end

virnuc.test("typical sample projected under 10 h", function(t)
  t:require_gpus(1)
  local sizes = virnuc.pick { smoke = { 1, 2 }, quick = { 60, 150, 300 }, plan = { 1250, 2500, 5000 } }
  if #sizes_var > 0 then
    sizes = {}
    for i, v in ipairs(sizes_var) do sizes[i] = tonumber(v) end
  end
  local points, last = {}, nil
  for i, n in ipairs(sizes) do
    local input = bench.data.fasta { sequences = n, min_len = 200, max_len = 2000, seed = 42 + i }
    local run = virnuc.run(t, "typical_" .. n, input, { parallel = true, persistent = true, streams = true },
      { warmup = i == 1 and warmup or 0, progress = virnuc.progress })
    if not virnuc.expect_ok(t, run, "run of " .. n .. " sequences") then return end
    points[#points + 1] = { n = n, t = virnuc.seconds(t, run), progress = run.progress,
      stages = per_stage and run.stages or nil, own = own_stages(run) }
    last = { run = run, n = n }
  end

  local choice = projection.choose(points, full)
  local linear = projection.fit(points)
  t:metric("fixed_cost", linear.fixed, "s", { better = "lower" })
  t:metric("per_sequence_cost", linear.per_seq * 1000, "ms", { better = "lower" })
  t:metric("naive_projected_hours", choice.naive / 3600, "h")
  local rows = {}
  for _, c in ipairs(choice.candidates) do
    local pct = function(x) return x and string.format("%.1f%%", x * 100) or "-" end
    rows[#rows + 1] = { c.name, c.describe, bench.format_seconds(c.projected), pct(c.forward), pct(c.loo),
      c.name == choice.model and "chosen" or "" }
    if c.forward then t:metric("forward_error_" .. c.name, c.forward * 100, "%", { better = "lower" }) end
    if c.loo then t:metric("loo_error_" .. c.name, c.loo * 100, "%", { better = "lower" }) end
  end
  rows[#rows + 1] = { "naive", "the largest run's time per sequence", bench.format_seconds(choice.naive), "-", "-", "" }
  for _, c in ipairs(choice.candidates) do
    if c.name == "stages" then
      local prow = {}
      for _, p in ipairs(c.fit.parts) do
        prow[#prow + 1] = { p.name, p.kind, projection.describe_part(p), bench.format_seconds((projection.part_at(p, full))) }
      end
      t:table("per-stage projection", { "stage", "kind", "fit", "projected time" }, prow)
    end
  end
  t:table("projection models", { "model", "fit", "projected time", "forward error", "leave-one-out error", "" }, rows)
  if not choice.model then
    t:fail("per-sequence cost not resolved: no model gives a positive cost per sequence; the runs' times are "
      .. "dominated by the fixed cost and its noise; use larger sizes (--var sizes=...)")
    return
  end
  local projected = choice.projected
  t:metric("projected_hours", projected / 3600, "h", { better = "lower",
    spread = choice.high and (choice.high - projected) / 3600 or nil })
  if choice.low then
    t:metric("projected_hours_low", choice.low / 3600, "h")
    t:metric("projected_hours_high", choice.high / 3600, "h")
  end
  t:log(string.format("model %s (%s), chosen for %s; %d sequences -> %.2f h%s (naive per-sequence: %.2f h)",
    choice.model, choice.describe, choice.reason, full,
    projected / 3600, choice.low and string.format(" [%.2f, %.2f]", choice.low / 3600, choice.high / 3600) or "",
    choice.naive / 3600))
  if choice.model == "linear" and linear.per_seq <= 0 then
    t:fail(string.format("per-sequence cost not resolved (fit gives %.3f ms)", linear.per_seq * 1000))
  elseif choice.high and (choice.high - projected) > max_rel_error * projected then
    t:fail(string.format("projection too uncertain: %.2f h [%.2f, %.2f] (more than ±%.0f%%); use larger sizes (--var sizes=...)",
      projected / 3600, choice.low / 3600, choice.high / 3600, max_rel_error * 100))
  end
  t:expect(projected / 3600, "projected time for " .. full .. " sequences", "h"):le(limit_h * (1 + tolerance))
  if verify > 0 then check_against_run(t, choice, verify) end

  local throughput = last.n / virnuc.seconds(t, last.run) * 3600
  t:metric("throughput", throughput, "seq/h", { better = "higher" })
  t:expect(throughput, "throughput of the " .. last.n .. "-sequence run", "seq/h"):ge(min_throughput)

  -- NVML's utilization says a kernel was running; GPM's SM activity says how
  -- much of the GPU worked. The floor is judged on SM activity where the GPUs
  -- have GPM (Hopper and later), on NVML's figure elsewhere, and says which.
  local g = virnuc.gpu_figures(last.run, virnuc.model_stages)
  if g.utilization then
    t:metric("gpu_utilization", g.utilization, "%", { better = "higher" })
  end
  if g.sm_activity then
    t:metric("sm_activity", g.sm_activity, "%", { better = "higher" })
    t:log(string.format("utilization floor judged on GPM SM activity (%.1f%%); NVML utilization %.1f%%",
      g.sm_activity, g.utilization or 0 / 0))
    t:expect(g.sm_activity, "mean SM activity (GPM) during the embedding stages", "%"):ge(min_util)
  elseif g.utilization then
    t:log("no GPM on these GPUs: utilization floor judged on NVML utilization")
    t:expect(g.utilization, "mean GPU utilization (NVML, no GPM) during the embedding stages", "%"):ge(min_util)
  else
    t:log("no GPU utilization: the backend sees no GPU")
  end
end)
