-- A scenario that declares a suite and no test.
local bench = require("bench")
bench.suite { name = "no_tests" }
