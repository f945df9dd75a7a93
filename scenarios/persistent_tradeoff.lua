-- Persistent models: what they cost in memory against what they save in time.
-- Fails when the memory overhead is above 50% and the speed-up below 1.2x.
local bench = require("bench")
local virnuc = require("lib.virnuc")

bench.suite {
  name = "persistent_tradeoff",
  description = "memory overhead and speed-up of --persistent-models, with a recommendation",
  tags = { "gpu", "memory", "performance", "plan" },
}

local max_overhead = bench.var_number("max_overhead", 0.50)
local min_speedup = bench.var_number("min_speedup", 1.2)

local function peak_of(run)
  -- Exact per-process peaks (NVML accounting) when there are some, else sampled.
  local per_gpu = {}
  for _, p in ipairs((run.gpu or {}).processes or {}) do
    per_gpu[p.gpu] = (per_gpu[p.gpu] or 0) + p.peak_bytes
  end
  local sum = 0
  for _, v in pairs(per_gpu) do sum = sum + v end
  if sum > 0 then return sum end
  local peak = 0
  for _, g in ipairs((run.gpu or {}).gpus or {}) do
    peak = peak + g.stats.memory_used.max - (g.baseline_bytes or 0)
  end
  return peak
end

bench.test("persistent models pay for their memory", function(t)
  local n = virnuc.pick { quick = 300, plan = 5000 }
  local input = bench.data.fasta { sequences = n, min_len = 200, max_len = 2000, seed = 9 }
  local plain = virnuc.run(t, "fresh_models", input, { parallel = true, streams = true })
  local persistent = virnuc.run(t, "persistent_models", input, { parallel = true, streams = true, persistent = true })
  if not (virnuc.expect_ok(t, plain, "without persistent models") and virnuc.expect_ok(t, persistent, "with persistent models")) then
    return
  end
  local speedup = plain.seconds / persistent.seconds
  local mem_plain, mem_persistent = peak_of(plain), peak_of(persistent)
  local overhead = 0
  if mem_plain > 0 then overhead = mem_persistent / mem_plain - 1 end
  t:metric("speedup", speedup, "x", { better = "higher" })
  t:metric("memory_overhead", overhead * 100, "%", { better = "lower" })
  t:metric("peak_memory_fresh", mem_plain / 2 ^ 20, "MiB")
  t:metric("peak_memory_persistent", mem_persistent / 2 ^ 20, "MiB")
  local line
  if speedup >= min_speedup then
    line = string.format("Recommendation: use --persistent-models: %.2fx faster for %+.0f%% GPU memory", speedup, overhead * 100)
  elseif overhead <= max_overhead then
    line = string.format("Recommendation: optional: --persistent-models is %.2fx as fast for %+.0f%% GPU memory", speedup, overhead * 100)
  else
    line = string.format("Recommendation: do not use --persistent-models: %.2fx as fast for %+.0f%% GPU memory", speedup, overhead * 100)
  end
  t:log(line)
  t:table("persistent models", { "configuration", "seconds", "peak memory" }, {
    { "fresh models per file", string.format("%.2f", plain.seconds), bench.format_bytes(mem_plain) },
    { "persistent models", string.format("%.2f", persistent.seconds), bench.format_bytes(mem_persistent) },
  })
  if overhead > max_overhead and speedup < min_speedup then
    t:fail(string.format("persistent models cost %.0f%% more memory (limit %.0f%%) and are only %.2fx faster (want %.2fx)",
      overhead * 100, max_overhead * 100, speedup, min_speedup))
  end
end)
