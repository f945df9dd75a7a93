local bench = require("bench")

bench.test("broken", function(t)
  t:expect(1, "one"):eq(1))
end)
