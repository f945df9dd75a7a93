local bench = require("bench")
bench.suite { name = "progress" }

local script = [[
for i in 1 2 3; do
  echo "[gpu 0] Progress: $i of 3"
  echo "[gpu 1] Progress: $((i * 2)),000 of 6"
  echo "noise"
done]]

bench.test("two sources summed", function(t)
  local run = bench.pipeline.run { cmd = { "sh", "-c", script }, progress = "re:^\\[gpu (\\d+)\\] Progress: ([\\d,]+)" }
  local ns = {}
  for i, p in ipairs(run.progress) do ns[i] = p.n end
  t:expect(table.concat(ns, " "), "items done"):eq("1 2001 2002 4002 4003 6003")
  t:expect(run.progress[6].t >= run.progress[1].t, "times in order"):eq(true)
end)

bench.test("lua pattern, one capture", function(t)
  local run = bench.pipeline.run { cmd = { "sh", "-c", script }, progress = "%[gpu 0%] Progress: (%d+)" }
  t:expect(#run.progress, "points"):eq(3)
  t:expect(run.progress[3].n, "last"):eq(3)
end)

bench.test("no progress option", function(t)
  local run = bench.pipeline.run { cmd = { "true" } }
  t:expect(run.progress, "progress"):eq(nil)
end)

bench.test("three captures", function(t)
  bench.pipeline.run { cmd = { "true" }, progress = "(%d)(%d)(%d)" }
end)
bench.test("bad regexp", function(t)
  bench.pipeline.run { cmd = { "true" }, progress = "re:(" }
end)
