local bench = require("bench")
bench.suite { name = "datatext" }

bench.test("writes and a pipeline reads it", function(t)
  local path = bench.data.text { name = "config.yaml", content = "prediction:\n  sequences_per_file: 7\n" }
  t:expect(path, "path"):eq(t.workdir .. "/config.yaml")
  local run = bench.pipeline.run { cmd = { "cat", path } }
  t:expect(run.stdout, "what the pipeline read"):eq("prediction:\n  sequences_per_file: 7")
end)

bench.test("a path is refused", function(t)
  bench.data.text { name = "../escape.yaml", content = "x" }
end)

bench.test("content must be a string", function(t)
  bench.data.text { name = "a.yaml" }
end)
