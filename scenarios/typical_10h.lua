-- The plan's headline: one typical sample (about 45,000 sequences) in under 10
-- hours on all GPUs with every optimization. The full sample is projected from
-- runs of three sizes, separating the fixed start-up cost from the per-sequence
-- cost, and the projection carries the fit's uncertainty.
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
-- A projection whose standard error is above this fraction of itself is refused:
-- the runs were too small for the per-sequence cost to stand out of the noise
-- of the fixed cost (interpreter, CUDA and model start-up vary by seconds).
local max_rel_error = bench.var_number("max_projection_error", 0.5)
local sizes_var = bench.var_list("sizes", "")
-- Unmeasured runs before the first size: the first run of a Python pipeline
-- pays for cold caches and lazy initialisation (6 s on an H100 with
-- virnucsim), which would bias the fit's slope.
local warmup = bench.var_number("warmup", 1)

bench.test("typical sample projected under 10 h", function(t)
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
      { warmup = i == 1 and warmup or 0 })
    if not virnuc.expect_ok(t, run, "run of " .. n .. " sequences") then return end
    points[#points + 1] = { n = n, t = run.seconds }
    last = { run = run, n = n }
  end

  local fit = projection.fit(points)
  local projected, se = projection.project(fit, full)
  local naive = projection.naive(points[#points], full)
  t:metric("fixed_cost", fit.fixed, "s", { better = "lower" })
  t:metric("per_sequence_cost", fit.per_seq * 1000, "ms", { better = "lower" })
  t:metric("projected_hours", projected / 3600, "h", { better = "lower", spread = se and se / 3600 or nil })
  if se then t:metric("projected_hours_stderr", se / 3600, "h") end
  t:metric("naive_projected_hours", naive / 3600, "h")
  t:log(string.format("t(n) = %.1f s + %.2f ms x n; %d sequences -> %.2f h%s (naive per-sequence: %.2f h)",
    fit.fixed, fit.per_seq * 1000, full, projected / 3600,
    se and string.format(" ± %.2f h", se / 3600) or "", naive / 3600))
  if fit.per_seq <= 0 then
    t:fail(string.format("per-sequence cost not resolved (fit gives %.3f ms): the runs' times are dominated by the "
      .. "fixed cost and its noise; use larger sizes (--var sizes=...)", fit.per_seq * 1000))
  elseif se and se > max_rel_error * projected then
    t:fail(string.format("projection too uncertain: %.2f h ± %.2f h (more than %.0f%%); use larger sizes (--var sizes=...)",
      projected / 3600, se / 3600, max_rel_error * 100))
  end
  t:expect(projected / 3600, "projected time for " .. full .. " sequences", "h"):le(limit_h * (1 + tolerance))

  local throughput = last.n / last.run.seconds * 3600
  t:metric("throughput", throughput, "seq/h", { better = "higher" })
  t:expect(throughput, "throughput of the " .. last.n .. "-sequence run", "seq/h"):ge(min_throughput)

  local g = virnuc.gpu_figures(last.run, { "dnabert", "esm" })
  if g.utilization then
    t:metric("gpu_utilization", g.utilization, "%", { better = "higher" })
    t:expect(g.utilization, "mean GPU utilization during the embedding stages", "%"):ge(min_util)
  else
    t:log("no GPU utilization: the backend sees no GPU")
  end
end)
