-- GPU memory returns to its baseline after a full run: at most 100 MB above it,
-- no floor that keeps rising with the work through the leak stage (nor one
-- that, carried on over the full sample, would not fit in the GPU), no
-- out-of-memory text, and no orphaned GPU process left behind.
local bench = require("bench")
local virnuc = require("lib.virnuc")
local leak = require("lib.leak")

bench.suite {
  name = "memory_stability",
  description = "GPU memory returns to its baseline after a full pipeline run",
  tags = { "gpu", "memory", "plan" },
}

local leak_mb = bench.var_number("leak_threshold_mb", 100)
local leak_stage = bench.var("leak_stage", "esm")
-- Inside leak_stage, a memory floor that keeps rising with the work done
-- fails when it rises faster than leak_rate_limit_mb MiB per 1,000 sequences
-- (on a GPU), or when carried on over full_sequences it would not fit in the
-- GPU. A PyTorch caching allocator that reserves more in shrinking steps and
-- flattens (about 180 MiB through virnucsim's ESM-2 stage on an H100) passes,
-- as do working sets that step between stages (see lib/leak.lua).
local rate_limit = bench.var_number("leak_rate_limit_mb", 4)
local full = bench.var_number("full_sequences", 45000)
-- A bound on the floor's rise over the stage whatever its shape (MiB), when set.
local floor_limit = bench.var_number("floor_rise_limit_mb", nil)

virnuc.test("memory returns to baseline", function(t)
  t:require_gpus(1)
  local input = bench.data.fasta { preset = virnuc.pick { quick = "small", plan = "medium" }, seed = 42 }
  local before = bench.gpu.settle { seconds = 1 }
  local run = virnuc.run(t, "stability", input, { parallel = true, persistent = true, streams = true })
  local after = bench.gpu.settle { seconds = 1 }
  virnuc.expect_ok(t, run, "pipeline")

  -- Memory that orphaned workers held when the pipeline ended counts: benchctl
  -- ends them before measuring, but without it they would have kept it.
  local increase = (after.used - before.used + virnuc.orphan_bytes(run)) / 2 ^ 20
  t:metric("baseline_memory", before.used / 2 ^ 20, "MiB")
  t:metric("memory_after", after.used / 2 ^ 20, "MiB")
  t:metric("memory_increase", increase, "MiB", { better = "lower" })
  t:expect(increase, "memory increase after the run", "MiB"):le(leak_mb)

  for _, g in ipairs((run.gpu or {}).gpus or {}) do
    t:metric("floor_slope_gpu" .. g.index, g.floor_slope_bytes_per_second / 2 ^ 20, "MiB/s", { better = "lower" })
  end
  leak.check(t, run, { stage = leak_stage, sequences = input.sequences, gpus = #virnuc.gpus(),
    full_sequences = full, rate_limit_mb = rate_limit, floor_limit_mb = floor_limit })
  t:expect(run.oom_line or "", "out-of-memory text in the output (" .. (run.oom_stream or "none") .. ")"):eq("")
  local orphans = (run.gpu or {}).orphans or {}
  for _, o in ipairs(orphans) do
    t:log(string.format("orphan pid %d held %s on GPU %d (ended)", o.pid, bench.format_bytes(o.bytes), o.gpu))
  end
  t:expect(#orphans, "orphaned processes holding GPU memory"):eq(0)
end)
