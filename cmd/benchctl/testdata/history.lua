-- A metric whose value the test chooses, for the history and gate tests.
local bench = require("bench")
bench.suite { name = "speed", description = "records a chosen wall time", tags = { "e2e" } }

bench.test("wall", function(t)
  t:metric("wall", bench.var_number("wall", 10), "s", { better = "lower" })
  t:metric("throughput", bench.var_number("throughput", 100), "seq/s", { better = "higher" })
end)
