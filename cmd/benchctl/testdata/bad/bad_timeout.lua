local bench = require("bench")
bench.test("soon", function(t) end, { timeout = "soon" })
