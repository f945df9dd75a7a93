-- A test that finishes, then one whose pipeline outlives any short time
-- limit: Slurm ends the task at --time.
local bench = require("bench")
bench.suite { name = "slow" }

bench.test("quick one", function(t)
  t:expect(1, "one"):eq(1)
end)

bench.test("long pipeline", function(t)
  local run = bench.pipeline.run { cmd = { "sleep", "600" }, grace = "500ms" }
  t:expect(run.class, "class"):eq("ok")
end)
