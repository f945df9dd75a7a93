-- GPU memory returns to its baseline after a full run: at most 100 MB above it,
-- no floor rising through the run, no out-of-memory text, and no orphaned GPU
-- process left behind.
local bench = require("bench")
local virnuc = require("lib.virnuc")

bench.suite {
  name = "memory_stability",
  description = "GPU memory returns to its baseline after a full pipeline run",
  tags = { "gpu", "memory", "plan" },
}

local leak_mb = bench.var_number("leak_threshold_mb", 100)

bench.test("memory returns to baseline", function(t)
  local input = bench.data.fasta { preset = virnuc.pick { quick = "small", plan = "medium" }, seed = 42 }
  local before = bench.gpu.settle { seconds = 1 }
  local run = virnuc.run(t, "stability", input, { parallel = true, persistent = true, streams = true })
  local after = bench.gpu.settle { seconds = 1 }
  virnuc.expect_ok(t, run, "pipeline")

  local increase = (after.used - before.used) / 2 ^ 20
  t:metric("baseline_memory", before.used / 2 ^ 20, "MiB")
  t:metric("memory_after", after.used / 2 ^ 20, "MiB")
  t:metric("memory_increase", increase, "MiB", { better = "lower" })
  t:expect(increase, "memory increase after the run", "MiB"):le(leak_mb)

  for _, g in ipairs((run.gpu or {}).gpus or {}) do
    local slope = g.floor_slope_bytes_per_second / 2 ^ 20
    local rise = slope * run.seconds
    t:metric("floor_slope_gpu" .. g.index, slope, "MiB/s", { better = "lower" })
    t:expect(rise, "memory floor rise over the run on GPU " .. g.index, "MiB"):le(leak_mb)
  end
  t:expect(run.oom_line or "", "out-of-memory text in stderr"):eq("")
  local orphans = (run.gpu or {}).orphans or {}
  for _, o in ipairs(orphans) do
    t:log(string.format("orphan pid %d held %s on GPU %d (ended)", o.pid, bench.format_bytes(o.bytes), o.gpu))
  end
  t:expect(#orphans, "orphaned processes holding GPU memory"):eq(0)
end)
