-- Each test hands its report a string of 1 MiB (é, two bytes, at the cut),
-- one way each: the report keeps at most 64 KiB of each.
local bench = require("bench")
local big = "é" .. string.rep("é", 512 * 1024 - 1)
bench.test("log", function(t) t:log(big) end)
bench.test("print", function(t) print(big) end)
bench.test("many logs", function(t) for _ = 1, 300 do t:log(big) end end)
bench.test("fail", function(t) t:fail(big) end)
bench.test("error", function(t) error(big) end)
bench.test("skip", function(t) t:skip(big) end)
bench.test("expect", function(t) t:expect(big, big, big):eq("x") end)
bench.test("metric", function(t) t:metric(big, 1, big) end)
bench.test("table", function(t) t:table(big, { big }, { { big } }) end)
