local bench = require("bench")
bench.pipeline.run { cmd = { "true" } }
bench.test("x", function(t) end)
