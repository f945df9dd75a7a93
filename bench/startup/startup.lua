-- The smallest scenario that runs a pipeline: bench/startup/run.sh times how
-- long benchctl takes from its own start to the pipeline's first instruction.
local bench = require("bench")

bench.suite {
  name = "startup",
  description = "time from starting benchctl to the pipeline's first instruction",
  tags = { "bench" },
}

local stamp = bench.var("stamp", "bench/startup/stamp")
local out = bench.var("out", "stamp.txt")

bench.test("first instruction", function(t)
  local run = bench.pipeline.run { cmd = { stamp, out } }
  t:expect(run.exit_code, "stamp exit code"):eq(0)
end)
