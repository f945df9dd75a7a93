-- Peak memory per pipeline stage per GPU stays below 95% of the GPU's memory.
local bench = require("bench")
local virnuc = require("lib.virnuc")

bench.suite {
  name = "peak_memory_per_stage",
  description = "peak memory of translation, DNABERT, ESM-2 and merge under 95% of each GPU",
  tags = { "gpu", "memory", "plan" },
}

local max_fraction = bench.var_number("max_fraction", 0.95)

virnuc.test("every stage peak below 95% of GPU memory", function(t)
  t:require_gpus(1)
  local input = bench.data.fasta { preset = virnuc.pick { quick = "small", plan = "typical" }, seed = 5 }
  local run = virnuc.run(t, "stages", input, { parallel = true, persistent = true, streams = true })
  virnuc.expect_ok(t, run, "pipeline")
  local gpus = (run.gpu or {}).gpus or {}
  if #gpus == 0 then
    t:skip("no GPU seen by the " .. bench.gpu.backend() .. " backend: no per-stage memory to check")
  end
  local rows = {}
  for _, g in ipairs(gpus) do
    local total = g.memory_total_bytes
    for _, s in ipairs(virnuc.stage_names) do
      local st = g.stages and g.stages[s] and g.stages[s].memory_used
      if st and st.count > 0 then
        local frac = st.max / total
        t:metric(string.format("peak_%s_gpu%d", s, g.index), st.max / 2 ^ 20, "MiB", { better = "lower" })
        t:expect(frac * 100, string.format("peak memory of stage %s on GPU %d", s, g.index), "%"):lt(max_fraction * 100)
        rows[#rows + 1] = { tostring(g.index), s, bench.format_bytes(st.max), string.format("%.1f%%", frac * 100) }
      end
    end
    local whole = g.stats.memory_used
    t:expect(whole.max / total * 100, "peak memory over the whole run on GPU " .. g.index, "%"):lt(max_fraction * 100)
  end
  t:expect(#rows, "stage peaks measured"):gt(0)
  t:table("peak memory per stage", { "gpu", "stage", "peak", "of GPU" }, rows)
end)
