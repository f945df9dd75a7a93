-- The verdicts of lib.compare over many seeds, on a seeded model of run times
-- (no pipeline): the candidate takes `effect` times the baseline, each run
-- spread by `noise` (lognormal), and the machine drifts through the session.
-- Records, per verdict, the number of seeds that gave it, and the runs needed.
local bench = require("bench")
local compare = require("lib.compare")

bench.suite { name = "verdicts", description = "lib.compare's verdicts on a seeded noise model" }

local seeds = bench.var_number("seeds", 20)
local effect = bench.var_number("effect", 1.0)
local noise = bench.var_number("noise", 0.10)
local max_runs = bench.var_number("max_runs", 30)

-- Park-Miller generator: exact in doubles, the same on every platform.
local function generator(seed)
  local x = seed % 2147483646 + 1
  local function uniform()
    x = (16807 * x) % 2147483647
    return x / 2147483647
  end
  return function() -- standard normal (Box-Muller)
    return math.sqrt(-2 * math.log(uniform())) * math.cos(2 * math.pi * uniform())
  end
end

bench.test("verdicts over seeds", function(t)
  local counts, rounds = {}, {}
  for seed = 1, seeds do
    local normal, runs = generator(seed * 7919), 0
    local function model(factor)
      return function()
        runs = runs + 1
        return { class = "ok", seconds = 10 * factor * (1 + 0.002 * runs) * math.exp(noise * normal()) }
      end
    end
    local out = compare.measure({
      { name = "baseline", run = model(1) },
      { name = "candidate", run = model(effect) },
    }, { seed = seed, min_runs = 5, max_runs = max_runs, max_time = "", confidence = 0.95, band = 0.05 })
    local v = out.results.candidate.verdict
    counts[v] = (counts[v] or 0) + 1
    rounds[#rounds + 1] = out.rounds
  end
  for _, v in ipairs({ "faster", "slower", "no difference", "inconclusive" }) do
    t:metric("seeds_" .. v:gsub(" ", "_"), counts[v] or 0)
  end
  table.sort(rounds)
  t:metric("runs_median", rounds[math.floor(#rounds / 2) + 1])
  t:metric("runs_max", rounds[#rounds])
end)
