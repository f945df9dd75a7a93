-- A test that finishes, then one that runs a pipeline with a daemonised child
-- until interrupted.
local bench = require("bench")
bench.suite { name = "slow" }

bench.test("quick one", function(t)
  t:expect(1, "one"):eq(1)
end)

bench.test("long pipeline", function(t)
  local run = bench.pipeline.run {
    cmd = { "sh", "-c", "setsid sleep 300 & echo started; sleep 300" },
    grace = "500ms",
  }
  t:expect(run.class, "class"):eq("ok")
end)
