-- For the signal trials (faults_test.go): short tests whose pipelines build
-- process trees (children in and out of the process group, a daemon holding
-- the output, fakepipe with a worker per GPU, a pipeline that ignores
-- SIGTERM), then a test that waits until it is interrupted, so that a signal
-- at any moment falls inside the run.
local bench = require("bench")
bench.suite { name = "trials", description = "interrupted at a random moment" }

local fakepipe = bench.var("fakepipe")

local function sh(script, opts)
  opts = opts or {}
  opts.cmd = { "sh", "-c", script }
  opts.grace = "200ms"
  return bench.pipeline.run(opts)
end

bench.test("lua only", function(t)
  t:expect(1 + 1, "sum"):eq(2)
end)

bench.test("tree", function(t)
  local run = sh("sleep 0.2 & setsid sleep 0.2 & sh -c 'sleep 0.2; true' & wait")
  t:expect(run.class, "class"):eq("ok")
end)

bench.test("daemon", function(t)
  local run = sh("setsid sleep 30 & echo started")
  t:expect(run.class, "class"):eq("ok")
end)

bench.test("fakepipe on two GPUs", function(t)
  local input = bench.data.fasta { preset = "tiny", seed = 7 }
  local run = bench.pipeline.run {
    cmd = bench.split(fakepipe, "--startup", "20ms", "--load-time", "50ms", "--time-per-seq", "10ms",
      "predict", input.path, "-o", t.workdir .. "/out", "--parallel", "--gpus", "0,1"),
    grace = "200ms",
  }
  t:expect(run.class, "class"):eq("ok")
end)

bench.test("ignores SIGTERM", function(t)
  local input = bench.data.fasta { preset = "tiny", seed = 7 }
  local run = bench.pipeline.run {
    cmd = bench.split(fakepipe, "--ignore-sigterm", "--hang-after", "esm", "--startup", "0", "--load-time", "20ms",
      "predict", input.path, "-o", t.workdir .. "/out"),
    timeout = "300ms",
    grace = "200ms",
  }
  t:expect(run.class, "class"):eq("timeout")
end)

bench.test("held until interrupted", function(t)
  local run = sh("trap '' TERM; setsid sleep 120 & sleep 120")
  t:expect(run.class, "class"):eq("ok")
end)
