-- A scenario that prints, at the top level and in its tests: none of it may
-- reach stdout, which carries the reports.
local bench = require("bench")
bench.suite { name = "printing" }
print("printed at load")
bench.test("prints", function(t)
  for i = 1, 200 do print("line", i) end
  t:metric("x", 1)
end)
bench.test("after", function(t) t:metric("y", 2) end)
