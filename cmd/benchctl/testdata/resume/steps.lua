-- Tests that leave a mark in the state folder each time they run, and one
-- that waits for the file "open" there: a run can be interrupted while it
-- waits, and resumed once the file is there.
local bench = require("bench")
bench.suite { name = "steps", description = "for the --resume tests" }

local state = bench.var("state")

local function mark(name)
  local run = bench.pipeline.run { cmd = { "sh", "-c", 'echo "$1" >> "$2/ran"', "mark", name, state } }
  assert(run.ok, "mark " .. name .. ": " .. tostring(run.error))
end

bench.test("one", function(t)
  mark("one")
  t:metric("answer", 42)
end)

bench.test("two fails", function(t)
  mark("two")
  t:expect(2, "two"):eq(3)
end)

bench.test("gate", function(t)
  mark("gate")
  local run = bench.pipeline.run {
    cmd = { "sh", "-c", 'while [ ! -e "$1/open" ]; do sleep 0.02; done', "gate", state },
    grace = "300ms",
  }
  t:expect(run.class, "gate class"):eq("ok")
end)

bench.test("four", function(t)
  mark("four")
end)
