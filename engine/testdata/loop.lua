local bench = require("bench")
bench.test("spins", function(t) while true do end end, { timeout = "300ms" })
bench.test("after the loop", function(t) t:expect(1, "one"):eq(1) end)
