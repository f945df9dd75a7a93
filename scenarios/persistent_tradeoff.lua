-- Persistent models: what they cost in memory against what they save in time.
-- The two configurations run interleaved until the speed-up is decided (lib.compare).
-- Fails when the memory overhead is above max_overhead (50%) and the runs do
-- not prove a speed-up of at least min_speedup (1.2x): slower, no difference,
-- or a speed-up interval wholly below it. Inconclusive skips, saying so.
local bench = require("bench")
local virnuc = require("lib.virnuc")
local compare = require("lib.compare")

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

-- recommendation words the verdict: proven faster by min_speedup, or not.
local function recommendation(r, overhead)
  local how = string.format("%.2fx (%s) for %+.0f%% GPU memory", r.speedup, compare.interval(r), overhead * 100)
  if r.verdict == "faster" and (r.speedup_low or 0) >= min_speedup then
    return "Recommendation: use --persistent-models: " .. how
  elseif overhead <= max_overhead then
    return "Recommendation: optional: --persistent-models gives " .. how
  end
  return "Recommendation: do not use --persistent-models: " .. how
end

virnuc.test("persistent models pay for their memory", function(t)
  t:require_gpus(1)
  local n = virnuc.pick { smoke = 100, quick = 300, plan = 5000 }
  local input = bench.data.fasta { sequences = n, min_len = 200, max_len = 2000, seed = 9 }
  local last = {}
  local function config(name, persistent)
    return { name = name, run = function()
      last[name] = virnuc.run(t, name, input, { parallel = true, streams = true, persistent = persistent })
      return last[name]
    end }
  end
  local out = compare.measure({ config("fresh_models", false), config("persistent_models", true) }, nil,
    function(run) return virnuc.seconds(t, run) end)
  if out.failed_run then
    virnuc.expect_ok(t, out.failed_run.run, out.failed_run.name)
    return
  end
  local r = out.results.persistent_models
  local mem_plain, mem_persistent = peak_of(last.fresh_models), peak_of(last.persistent_models)
  local overhead = 0
  if mem_plain > 0 then overhead = mem_persistent / mem_plain - 1 end
  t:metric("memory_overhead", overhead * 100, "%", { better = "lower" })
  t:metric("peak_memory_fresh", mem_plain / 2 ^ 20, "MiB")
  t:metric("peak_memory_persistent", mem_persistent / 2 ^ 20, "MiB")
  t:log(recommendation(r, overhead))
  if overhead > max_overhead then
    -- Not paying, as far as the data show: slower, no difference, or a
    -- speed-up interval wholly below min_speedup.
    local short = r.verdict == "slower" or r.verdict == "no difference" or (r.speedup_high or math.huge) < min_speedup
    if short then
      t:fail(string.format("persistent models cost %.0f%% more memory (limit %.0f%%) and are not proven %.2fx faster: %s",
        overhead * 100, max_overhead * 100, min_speedup, r.summary))
    end
  end
  t:table("persistent models: memory", { "configuration", "peak memory" }, {
    { "fresh models per file", bench.format_bytes(mem_plain) },
    { "persistent models", bench.format_bytes(mem_persistent) },
  })
  compare.judge(t, out, "not_slower", "persistent models: time")
end)
