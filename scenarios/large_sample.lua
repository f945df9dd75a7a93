-- A large sample: no out-of-memory, no leak, and throughput sustained at least
-- at 80% of a typical run's.
local bench = require("bench")
local virnuc = require("lib.virnuc")

bench.suite {
  name = "large_sample",
  description = "10,000 sequences: no OOM, no leak, throughput sustained against a typical run",
  tags = { "gpu", "memory", "performance", "plan" },
}

local leak_mb = bench.var_number("leak_threshold_mb", 100)
local min_ratio = bench.var_number("min_throughput_ratio", 0.8)

bench.test("large sample sustains throughput without OOM or leak", function(t)
  local typical_n = virnuc.pick { quick = 150, plan = 5000 }
  local large_n = virnuc.pick { quick = 600, plan = 10000 }
  local opts = { parallel = true, persistent = true, streams = true }

  local small = bench.data.fasta { sequences = typical_n, min_len = 200, max_len = 2000, seed = 7 }
  local typical = virnuc.run(t, "typical", small, opts)
  if not virnuc.expect_ok(t, typical, "typical run") then return end

  local before = bench.gpu.settle { seconds = 1 }
  local input = bench.data.fasta { sequences = large_n, min_len = 100, max_len = 2000, seed = 8 }
  local run = virnuc.run(t, "large", input, opts)
  local after = bench.gpu.settle { seconds = 1 }

  t:expect(run.class, "large run exit class"):ne("oom")
  t:expect(run.oom_line or "", "out-of-memory text in stderr"):eq("")
  if not virnuc.expect_ok(t, run, "large run") then return end

  local increase = (after.used - before.used) / 2 ^ 20
  t:metric("memory_increase", increase, "MiB", { better = "lower" })
  t:expect(increase, "GPU memory increase after the run", "MiB"):le(leak_mb)
  for _, g in ipairs((run.gpu or {}).gpus or {}) do
    local rise = g.floor_slope_bytes_per_second * run.seconds / 2 ^ 20
    t:metric("floor_rise_gpu" .. g.index, rise, "MiB", { better = "lower" })
    t:expect(rise, "memory floor rise over the run on GPU " .. g.index, "MiB"):le(leak_mb)
  end
  t:expect(#((run.gpu or {}).orphans or {}), "orphaned GPU processes"):eq(0)

  local tp_typical = typical_n / typical.seconds * 3600
  local tp_large = large_n / run.seconds * 3600
  t:metric("throughput_typical", tp_typical, "seq/h", { better = "higher" })
  t:metric("throughput_large", tp_large, "seq/h", { better = "higher" })
  t:metric("throughput_ratio", tp_large / tp_typical, "x", { better = "higher" })
  t:expect(tp_large / tp_typical, "large/typical throughput ratio"):ge(min_ratio)
end)
