local bench = require("bench")
bench.suite { name = "stages_end" }

bench.test("the end line ends the stage before the exit", function(t)
  local run = bench.pipeline.run {
    cmd = { "sh", "-c", "echo '=== a'; echo 'a done'; sleep 0.4" },
    stages = { { "a", "=== a" } },
    stages_end = "re:done$",
  }
  t:expect(#run.stages, "stages"):eq(1)
  t:expect(run.seconds - run.stages[1]["end"], "seconds from the end line to the exit"):ge(0.3)
end)
bench.test("bad regexp", function(t)
  bench.pipeline.run { cmd = { "true" }, stages_end = "re:(" }
end)
