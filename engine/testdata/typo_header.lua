-- A typo in the header: the scenario does not load.
local bench = require("bench")
bench.tset("x", function(t) end)
