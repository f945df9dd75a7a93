-- Side effects belong in tests: `benchctl list` and `check` run this code too.
local bench = require("bench")
local input = bench.data.fasta { preset = "tiny" }
bench.test("x", function(t) end)
