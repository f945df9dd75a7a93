local bench = require("bench")
bench.suite { name = "stats" }

local base = { 10, 10.2, 9.9, 10.1, 9.8, 10.3, 10.05, 9.95 }
local function scaled(k)
  local out = {}
  for i, x in ipairs(base) do out[i] = x * k end
  return out
end

bench.test("compare", function(t)
  local r = bench.stats.compare(base, scaled(1.5))
  t:expect(r.verdict, "verdict"):eq("slower")
  t:expect(r.ratio, "ratio"):near(1.5, 1e-9)
  t:expect(r.speedup * r.ratio, "speedup times ratio"):near(1, 1e-12)
  t:expect(r.low <= 1.5 and 1.5 <= r.high, "interval holds the ratio"):eq(true)
  local few = bench.stats.compare({ 1, 2 }, { 3, 4 })
  t:expect(few.high, "unbounded end"):eq(nil)
  t:expect(few.verdict, "too few runs"):eq("inconclusive")
  local same = bench.stats.compare(base, base, { band = 0.05, confidence = 0.9 })
  t:expect(same.verdict, "same times"):eq("no difference")
end)

bench.test("interleave", function(t)
  local calls = {}
  local out = bench.stats.interleave {
    configs = { "a", "b" }, seed = 3, min_runs = 5, max_runs = 5,
    run = function(name, round)
      calls[#calls + 1] = name .. round
      if name == "a" then return 1 + round / 100 end
      return 2 + round / 100
    end,
  }
  t:expect(#calls, "runs"):eq(10)
  t:expect(#out.times.a, "runs of a"):eq(5)
  t:expect(out.results.b.verdict, "b against a"):eq("slower")
  t:expect(out.results.a, "no result for the baseline"):eq(nil)
  t:expect(out.stopped, "stopped"):eq("decided")
  local failed = bench.stats.interleave {
    configs = { "a", "b" },
    run = function(name, round) if round == 2 and name == "b" then return nil, "exit 4" end return 1 end,
  }
  t:expect(failed.stopped, "stopped on a failed run"):eq("error")
  t:expect(failed.error, "the reason"):eq("b, run 2: exit 4")
end)

bench.test("bad times", function(t) bench.stats.compare({ 1, "x" }, { 1, 2 }) end)
bench.test("bad band", function(t) bench.stats.compare({ 1, 2 }, { 1, 2 }, { band = 2 }) end)
bench.test("bad configs", function(t) bench.stats.interleave { configs = { "a" }, run = function() return 1 end } end)
