-- lib.compare: speed-ups between configurations, judged by statistics.
-- Configurations run interleaved in a seeded shuffled order (bench.stats.interleave)
-- until each comparison with the baseline is decided or the run budget is
-- spent; each ends faster, slower, no difference or inconclusive.
local bench = require("bench")
local stats = require("lib.stats")
local M = {}

-- The budget and the verdict's terms, from --var (shared by every scenario
-- that compares configurations).
M.settings = {
  seed = bench.var_number("seed", 1),
  min_runs = bench.var_number("min_runs", 5),
  max_runs = bench.var_number("max_runs", 20),
  max_time = bench.var("max_time", ""),
  confidence = bench.var_number("confidence", 0.95),
  band = bench.var_number("band", 0.05),
}

-- measure runs configs = { {name=, run=function(round) return pipeline_result end}, ... }
-- (the first is the baseline) interleaved until decided. A run that does not
-- exit ok stops the runs; its result is returned as failed_run, with its name.
-- seconds(run) is a run's time (default: run.seconds, benchctl's wall time).
-- Returns the outcome of bench.stats.interleave.
function M.measure(configs, settings, seconds)
  settings = settings or M.settings
  seconds = seconds or function(run) return run.seconds end
  local names, by_name, failed = {}, {}, nil
  for i, c in ipairs(configs) do
    names[i] = c.name
    by_name[c.name] = c
  end
  local out = bench.stats.interleave {
    configs = names,
    seed = settings.seed,
    min_runs = settings.min_runs,
    max_runs = settings.max_runs,
    max_time = settings.max_time ~= "" and settings.max_time or nil,
    confidence = settings.confidence,
    band = settings.band,
    run = function(name, round)
      local run = by_name[name].run(round)
      if run.class ~= "ok" then
        failed = { name = name, run = run }
        return nil, string.format("%s: exit %d (%s)", name, run.exit_code, run.class)
      end
      return seconds(run)
    end,
  }
  out.failed_run = failed
  out.names = names
  return out
end

-- judge records each comparison of out (from measure) on t: a metric of the
-- speed-up with its interval, a row of the table, and the verdict. want is
-- "not_slower" (the default: slower with confidence fails) or "faster" (not
-- proven faster fails). An inconclusive comparison that fails nothing else
-- skips the test, saying so: it is never reported as a pass.
function M.judge(t, out, want, title)
  want = want or "not_slower"
  if want ~= "not_slower" and want ~= "faster" then
    error(string.format("require %q: want not_slower or faster", want), 2)
  end
  local rows, undecided = {}, {}
  for _, name in ipairs(out.names) do
    local times = out.times[name]
    local r = out.results[name]
    -- the times themselves, so that benchctl compare judges them statistically
    t:metric("seconds_" .. name, stats.median(times), "s", { better = "lower", samples = times })
    if r == nil then
      rows[#rows + 1] = { name, M.fmt(stats.median(times), 3), "baseline", "", "", tostring(#times) }
    else
      rows[#rows + 1] = { name, M.fmt(r.median_candidate, 3), M.fmt(r.speedup) .. "x",
        M.interval(r), r.verdict, tostring(#times) }
      t:metric("speedup_" .. name, r.speedup, "x", { better = "higher",
        spread = r.speedup_high and r.speedup_low and (r.speedup_high - r.speedup_low) / 2 or nil })
      local label = string.format("%s against the baseline (%s)", name, r.summary)
      if want == "faster" then
        if r.verdict ~= "inconclusive" then t:expect(r.verdict, label):eq("faster") end
      else
        t:expect(r.verdict, label):ne("slower")
      end
      if r.verdict == "inconclusive" then undecided[#undecided + 1] = name .. " " .. M.interval(r) end
    end
  end
  t:table(title or "comparison", { "configuration", "median seconds", "speed-up", "interval", "verdict", "runs" }, rows)
  t:log(string.format("%d rounds, %d looks at %.4f confidence each; stopped: %s (seed %d)",
    out.rounds, out.looks, out.look_confidence, out.stopped, M.settings.seed))
  if #undecided > 0 then
    t:skip(string.format("inconclusive after %d runs each: %s; raise --var max_runs or max_time",
      out.rounds, table.concat(undecided, ", ")))
  end
end

-- interval renders a comparison's speed-up interval ("[0.91x, 1.10x]").
function M.interval(r)
  local lo = r.speedup_low and M.fmt(r.speedup_low) .. "x" or "0"
  local hi = r.speedup_high and M.fmt(r.speedup_high) .. "x" or "inf"
  return string.format("[%s, %s] at %.0f%%", lo, hi, r.confidence * 100)
end


-- fmt formats a number with the given decimals.
function M.fmt(x, decimals)
  if x == nil then return "-" end
  return string.format("%." .. (decimals or 2) .. "f", x)
end

return M
