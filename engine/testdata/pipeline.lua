local bench = require("bench")
bench.suite { name = "pipeline" }

bench.test("stages and exit", function(t)
  local run = bench.pipeline.run {
    cmd = bench.split("sh -c", "echo 'Stage: Translating' >&2; sleep 0.05; echo 'Stage: ESM-2 features' >&2; sleep 0.05; echo done"),
    stages = { translation = "Translating", esm = "ESM%-2" },
    timeout = "10s",
  }
  t:expect(run.class, "class"):eq("ok")
  t:expect(run.exit_code, "exit code"):eq(0)
  t:expect(run.ok, "ok"):eq(true)
  t:expect(run.stage.translation.seconds, "translation seconds"):gt(0.01)
  t:expect(run.stage.esm ~= nil, "esm stage seen"):eq(true)
  t:expect(run.stdout, "stdout"):eq("done")
  t:expect(#run.argv, "argv length"):eq(3)
end)

bench.test("oom and repeat", function(t)
  local oom = bench.pipeline.run { cmd = { "sh", "-c", "echo 'CUDA out of memory' >&2; exit 4" } }
  t:expect(oom.class, "class"):eq("oom")
  local rep = bench.pipeline.run { cmd = { "true" }, runs = 3, warmup = 1 }
  t:expect(rep.repeats.runs, "runs"):eq(3)
  t:expect(rep.repeats.warmup, "warmup"):eq(1)
  -- The old name, a Lua keyword, still works (with a deprecation warning).
  local old = bench.pipeline.run { cmd = { "true" }, ["repeat"] = 2 }
  t:expect(old["repeat"].runs, "runs under the old name"):eq(2)
  t:expect(old.repeats.runs, "runs under the new name"):eq(2)
  local missing = bench.pipeline.run { cmd = { "/nonexistent/pipeline" } }
  t:expect(missing.class, "class"):eq("not_startable")
end)

bench.test("data", function(t)
  local d = bench.data.fasta { preset = "tiny", seed = 1 }
  t:expect(d.sequences, "sequences"):eq(10)
  t:expect(d.bases, "bases"):between(2000, 5000)
  local split = bench.data.fasta { sequences = 30, min_len = 100, max_len = 100, files = 3 }
  t:expect(#split.paths, "files"):eq(3)
  t:expect(split.bases, "bases"):eq(3000)
  t:expect(bench.duration("1h30m"), "duration"):eq(5400)
  t:expect(bench.size("2GiB"), "size"):eq(2147483648)
end)
