-- Many trivial tests: the cost of a run in its number of tests, and what a
-- kill leaves behind. --var n=COUNT sets how many, --var spin=STEPS how long
-- each takes.
local bench = require("bench")
bench.suite { name = "many" }
local n = bench.var_number("n", 2000)
local spin = bench.var_number("spin", 0) -- a busy loop of this many steps a test
for i = 1, n do
  bench.test("t" .. i, function(t)
    for _ = 1, spin do end
    t:metric("i", i)
  end)
end
