-- The optimization matrix: baseline, CUDA streams, persistent models, and all,
-- each run repeatedly; the speed-up of each against the baseline with its
-- spread, as metrics and as a table in the reports. No optimization may slow
-- the pipeline down.
local bench = require("bench")
local virnuc = require("lib.virnuc")
local compare = require("lib.compare")

bench.suite {
  name = "optimization_impact",
  description = "speed-up of CUDA streams, persistent models and both against the baseline",
  tags = { "gpu", "performance", "plan" },
}

local repeats = bench.var_number("repeat", 3)
local min_speedup = bench.var_number("min_speedup", 1.0)

local configs = {
  { name = "baseline", opts = { streams = false } },
  { name = "cuda_streams", opts = { streams = true } },
  { name = "persistent_models", opts = { streams = false, persistent = true } },
  { name = "all", opts = { streams = true, persistent = true } },
}

bench.test("every optimization is at least as fast as the baseline", function(t)
  local n = virnuc.pick { quick = 200, plan = 2500 }
  local input = bench.data.fasta { sequences = n, min_len = 200, max_len = 2000, seed = 11 }
  local times = {}
  for _, c in ipairs(configs) do
    c.opts.parallel = true
    local run = virnuc.run(t, c.name, input, c.opts, { ["repeat"] = repeats, warmup = 0 })
    if not virnuc.expect_ok(t, run, c.name) then return end
    times[c.name] = run["repeat"] and run["repeat"].times or { run.seconds }
  end
  local rows = {}
  for _, c in ipairs(configs) do
    local s, spread = compare.speedup(times.baseline, times[c.name])
    local stats = require("lib.stats")
    rows[#rows + 1] = { c.name, compare.fmt(stats.median(times[c.name]), 3), compare.fmt(s) .. "x",
      "± " .. compare.fmt(spread), tostring(#times[c.name]) }
    if c.name ~= "baseline" then
      t:metric("speedup_" .. c.name, s, "x", { better = "higher", spread = spread, samples = times[c.name] })
      t:expect(s, "speed-up of " .. c.name .. " against baseline", "x"):ge(min_speedup)
    end
  end
  t:table("optimization matrix", { "configuration", "median seconds", "speed-up", "spread", "runs" }, rows)
end)
