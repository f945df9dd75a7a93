-- The header reads a number from a --var that is not one.
local bench = require("bench")
bench.suite { name = "header_var" }
local count = bench.var_number("count", 3)
bench.test("never runs", function(t) t:expect(count, "count"):gt(0) end)
