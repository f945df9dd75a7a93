local bench = require("bench")
bench.suite { name = "header" }
local n = bench.var_number("count", "not a number")
bench.test("never", function(t) end)
