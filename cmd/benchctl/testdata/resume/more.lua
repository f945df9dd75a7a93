-- A second file for the --resume tests: none of it runs before the gate opens.
local bench = require("bench")
bench.suite { name = "more" }

local state = bench.var("state")

bench.test("five", function(t)
  local run = bench.pipeline.run { cmd = { "sh", "-c", 'echo five >> "$1/ran"', "mark", state } }
  t:expect(run.class, "class"):eq("ok")
end)

bench.test("six skips", function(t)
  t:skip("on purpose")
end)
