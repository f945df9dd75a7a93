-- Runs the pipeline of --var cmd and expects the exit class of --var want
-- (ok by default). With --var predict=true the command gets fakepipe's
-- arguments: predict INPUT.fa -o WORKDIR/out (a new folder: the fork prompts
-- before overwriting an existing one).
local bench = require("bench")
bench.suite { name = "pipeline" }

local cmd = bench.var("cmd")
local want = bench.var("want", "ok")
local timeout = bench.var("timeout", "60s")
local predict = bench.var_bool("predict", false)

bench.test("pipeline", function(t)
  local argv = bench.split(cmd)
  if predict then
    local input = bench.data.fasta { preset = "tiny", seed = 1 }
    argv = bench.split(cmd, "predict", input.path, "-o", t.workdir .. "/out")
  end
  local run = bench.pipeline.run {
    cmd = argv,
    timeout = timeout,
    grace = "300ms",
    stages = { translation = "Translating", esm = "ESM%-2" },
  }
  t:expect(run.class, "pipeline exit class"):eq(want)
end)
