-- A small test, then one whose report is large (a 200 kB log line), then
-- another: with a file size limit between the two sizes, the reports of the
-- first are written and those after cannot be.
local bench = require("bench")
bench.suite { name = "big" }

bench.test("small", function(t)
  t:expect(1, "one"):eq(1)
end)

bench.test("large", function(t)
  t:log(string.rep("x", 200000))
end)

bench.test("after", function(t)
  t:expect(1, "one"):eq(1)
end)
