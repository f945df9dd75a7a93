-- Scaling of the pipeline across GPUs: the same input on 1, 2 and 4 GPUs with
-- --parallel; throughput, speed-up, parallel efficiency, per-GPU utilization
-- and imbalance. The plan expects at least 1.8x on 2 GPUs and 3.5x on 4.
local bench = require("bench")
local virnuc = require("lib.virnuc")

bench.suite {
  name = "scaling",
  description = "throughput, speed-up and parallel efficiency on 1, 2 and 4 GPUs",
  tags = { "gpu", "performance", "multi-gpu", "plan" },
}

local counts = bench.var_list("gpu_counts", "1,2,4")
local bounds = {
  [2] = bench.var_number("min_speedup_2", 1.8),
  [4] = bench.var_number("min_speedup_4", 3.5),
  [8] = bench.var_number("min_speedup_8", nil), -- the plan sets none for 8
}

-- busy is a GPU's utilization-weighted seconds during a run.
local function busy(g, seconds)
  local u = g.stats.utilization_gpu
  return (u and u.count > 0 and u.mean or 0) / 100 * seconds
end

virnuc.test("throughput scales with the GPU count", function(t)
  t:require_gpus(2)
  local all = virnuc.gpus()
  if #all < 2 then t:skip("needs at least 2 GPUs, " .. #all .. " visible") end
  local n = virnuc.pick { smoke = 80, quick = 400, plan = 5000 }
  local input = bench.data.fasta { sequences = n, min_len = 200, max_len = 2000, seed = 21 }
  local base, rows = nil, {}
  for _, c in ipairs(counts) do
    local k = tonumber(c)
    if k > #all then
      t:log(string.format("%d GPUs asked, %d visible: not run", k, #all))
    else
      local gpus = {}
      for i = 1, k do gpus[i] = all[i] end
      local run = virnuc.run(t, "gpus_" .. k, input, { parallel = true, persistent = true, streams = true, gpus = gpus })
      if not virnuc.expect_ok(t, run, k .. "-GPU run") then return end
      local seconds = virnuc.seconds(t, run)
      base = base or { k = k, seconds = seconds }
      local speedup = base.seconds / seconds * base.k
      local efficiency = speedup / k
      local lo, hi, utils = math.huge, 0, {}
      for _, g in ipairs((run.gpu or {}).gpus or {}) do
        local used = false
        for _, want in ipairs(gpus) do used = used or tostring(g.index) == want end
        if used then
          local b = busy(g, seconds)
          lo, hi = math.min(lo, b), math.max(hi, b)
          utils[#utils + 1] = string.format("%d:%.0f%%", g.index, (g.stats.utilization_gpu or {}).mean or 0)
        end
      end
      local imbalance = hi > 0 and (hi - lo) / hi * 100 or 0
      t:metric("throughput_" .. k .. "gpu", n / seconds * 3600, "seq/h", { better = "higher" })
      t:metric("speedup_" .. k .. "gpu", speedup, "x", { better = "higher" })
      t:metric("efficiency_" .. k .. "gpu", efficiency * 100, "%", { better = "higher" })
      t:metric("imbalance_" .. k .. "gpu", imbalance, "%", { better = "lower" })
      rows[#rows + 1] = { tostring(k), string.format("%.1f", seconds), string.format("%.0f", n / seconds * 3600),
        string.format("%.2f", speedup), string.format("%.0f%%", efficiency * 100), table.concat(utils, " "),
        string.format("%.0f%%", imbalance) }
      if bounds[k] and base.k == 1 then
        t:expect(speedup, string.format("speed-up on %d GPUs against 1", k), "x"):ge(bounds[k])
      end
    end
  end
  t:table("scaling", { "gpus", "seconds", "seq/h", "speed-up", "efficiency", "utilization per GPU", "imbalance" }, rows)
end)
