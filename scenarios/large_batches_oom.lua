-- The largest batches on the longest reads: a clean run passes, and so does a
-- graceful out-of-memory (exit 4 with a message); a crash or a hang fails.
local bench = require("bench")
local virnuc = require("lib.virnuc")

bench.suite {
  name = "large_batches_oom",
  description = "3,072-token batches on 1,500-2,000 bp reads end cleanly or with a graceful exit 4",
  tags = { "gpu", "memory", "oom", "plan" },
}

local batch = bench.var_number("batch_tokens", 3072)
local oom_code = bench.var_number("oom_exit_code", 4)

virnuc.test("largest batches end cleanly or with a graceful OOM", function(t)
  t:require_gpus(1)
  local n = virnuc.pick { quick = 100, plan = 1000 }
  local input = bench.data.fasta { sequences = n, min_len = 1500, max_len = 2000, seed = 3 }
  local run = virnuc.run(t, "large_batches", input, {
    parallel = true, persistent = true, streams = true,
    esm_batch = batch, dnabert_batch = batch, expandable = true,
  }, { timeout = bench.var("oom_timeout", virnuc.pick { quick = "15m", plan = "4h" }), oom_exit_code = oom_code })
  t:log(string.format("ended %s (exit %d) after %s", run.class, run.exit_code, bench.format_seconds(run.seconds)))
  local out = (run.stdout or "") .. "\n" .. (run.stderr or "")
  local reduced = 0
  for _ in out:gmatch("reducing batch size") do reduced = reduced + 1 end
  t:metric("batch_reductions", reduced, "")
  local eff = out:match("Allocator efficiency: ([%d%.]+)%%")
  if eff then t:metric("allocator_efficiency", tonumber(eff), "%", { better = "higher" }) end
  local peak = out:match("Peak memory: ([%d%.]+) MiB allocated")
  if peak then t:metric("torch_peak_allocated", tonumber(peak), "MiB") end

  local line, stream = virnuc.oom(run)
  if line then t:log(string.format("out-of-memory text on %s: %s", stream, line)) end
  if run.class == "oom" then
    t:expect(run.exit_code, "exit code of an out-of-memory run"):eq(oom_code)
    t:expect(line ~= nil, "out-of-memory message on stdout or stderr"):eq(true)
  else
    t:expect(run.class, "exit class (ok or a graceful oom; crash and hang fail)"):eq("ok")
  end
end)
