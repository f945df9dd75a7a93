local bench = require("bench")
bench.test("twice", function(t) end)
bench.test("twice", function(t) end)
