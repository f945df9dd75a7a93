-- The optimization matrix: baseline, CUDA streams, persistent models, and all,
-- run interleaved in a seeded shuffled order until each speed-up against the
-- baseline is decided (faster, slower, no difference) or the run budget is
-- spent (inconclusive, which skips the test, saying so). No optimization may
-- be slower with confidence; --var require=faster asks each to be proven faster.
local bench = require("bench")
local virnuc = require("lib.virnuc")
local compare = require("lib.compare")

bench.suite {
  name = "optimization_impact",
  description = "speed-up of CUDA streams, persistent models and both against the baseline",
  tags = { "gpu", "performance", "plan" },
}

local want = bench.var("require", "not_slower")

local configs = {
  { name = "baseline", opts = { streams = false } },
  { name = "cuda_streams", opts = { streams = true } },
  { name = "persistent_models", opts = { streams = false, persistent = true } },
  { name = "all", opts = { streams = true, persistent = true } },
}

virnuc.test("no optimization is slower than the baseline", function(t)
  t:require_gpus(1)
  local n = virnuc.pick { smoke = 100, quick = 200, plan = 2500 }
  local input = bench.data.fasta { sequences = n, min_len = 200, max_len = 2000, seed = 11 }
  for _, c in ipairs(configs) do
    c.opts.parallel = true
    c.run = function() return virnuc.run(t, c.name, input, c.opts) end
  end
  local out = compare.measure(configs, nil, function(run) return virnuc.seconds(t, run) end)
  if out.failed_run then
    virnuc.expect_ok(t, out.failed_run.run, out.failed_run.name)
    return
  end
  compare.judge(t, out, want, "optimization matrix")
end)
