-- A scenario with one test of each outcome: pass, fail, error, skip.
local bench = require("bench")
local stats = require("lib.stats")
local helper = require("lib.helper")

bench.suite { name = "mixed", description = "one of each outcome", tags = { "demo" } }

local limit = bench.var_number("limit", 10)

bench.test("passes", function(t)
  t:expect(stats.mean({ 1, 2, 3 }), "mean"):eq(2)
  t:expect(helper.double(4), "double"):between(7, 9)
  t:expect(0.1 + 0.2, "sum"):near(0.3, 1e-9)
  t:metric("throughput", 123.5, "seq/h", { better = "higher" })
  t:log("all good", 42)
end, { tags = { "fast" } })

bench.test("fails", function(t)
  t:expect(15, "memory increase", "MB"):le(limit)
  t:expect("oom", "exit class"):eq("ok")
  t:fail("explicit failure")
end)

bench.test("errors", function(t)
  local x = nil
  return x.field
end)

bench.test("skips", function(t)
  t:skip("no GPU here")
  t:fail("never reached")
end)
