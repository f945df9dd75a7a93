local bench = require("bench")

bench.test("x", function(t)
  t:expect(1, "one"):eq(1
end)
