-- One test of each outcome, for the end-to-end tests of `benchctl run`.
local bench = require("bench")
bench.suite { name = "outcomes", description = "pass, fail, error and skip", tags = { "e2e" } }

bench.test("passes", function(t)
  local run = bench.pipeline.run { cmd = { "sh", "-c", "echo 'Stage: Translating' >&2; printf 'bad \\377 bytes \\033[0m\\n'" },
    stages = { translation = "Translating" } }
  t:expect(run.class, "exit class"):eq("ok")
  t:metric("answer", 42, "units", { better = "higher" })
end)

bench.test("fails", function(t)
  t:expect(150, "memory increase after the run", "MB"):le(100)
end)

bench.test("errors", function(t)
  error("boom")
end)

bench.test("skips", function(t)
  t:require_gpus(64)
end)
