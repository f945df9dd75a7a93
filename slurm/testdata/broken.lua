-- A scenario that does not load: the task that runs it fails (benchctl exits 2).
local bench = require("bench")

bench.test("broken", function(t)
  t:expect(1, "one"):eq(1))
end)
