-- GPU faults injected through the sim backend's state dir while a pipeline
-- runs (probes/sim/PROTOCOL.md): a GPU that stops answering, an XID event, a
-- corrupt proc file, a corrupt event line, the state dir removed. Each test
-- checks that the fault is in what bench.pipeline.run returns; the run itself
-- goes on. faults_test.go checks results.json.
local bench = require("bench")
bench.suite { name = "gpu_faults" }

local function sh(script)
  return bench.pipeline.run { cmd = { "sh", "-c", script }, timeout = "30s", grace = "300ms" }
end

local function events(run, kind)
  local out = {}
  for _, e in ipairs((run.gpu or {}).events or {}) do
    if e.kind == kind then
      out[#out + 1] = e
    end
  end
  return out
end

bench.test("a GPU disappears", function(t)
  local run = sh('sleep 0.1; touch "$BENCHCTL_SIM_DIR/lost-1"; sleep 0.3')
  sh('rm -f "$BENCHCTL_SIM_DIR/lost-1"')
  t:expect(run.class, "class"):eq("ok")
  t:expect(#events(run, "gpu_lost"), "gpu_lost events"):eq(1)
end)

bench.test("an XID error", function(t)
  local run = sh([[sleep 0.1
echo '{"gpu":0,"kind":"xid","data":79,"message":"GPU has fallen off the bus"}' >> "$BENCHCTL_SIM_DIR/events.jsonl"
sleep 0.3]])
  t:expect(run.class, "class"):eq("ok")
  t:expect(run.gpu.xid, "XID seen"):eq(true)
end)

bench.test("a corrupt proc file", function(t)
  local run = sh([[sleep 0.1; printf '{"pid": oops' > "$BENCHCTL_SIM_DIR/proc-$$.json"; sleep 0.3]])
  t:expect(run.class, "class"):eq("ok")
  t:expect(run.gpu.sample_errors, "sample errors"):gt(0)
end)

bench.test("a corrupt event line", function(t)
  local run = sh([[sleep 0.1; echo 'not an event {' >> "$BENCHCTL_SIM_DIR/events.jsonl"; sleep 0.3]])
  t:expect(run.class, "class"):eq("ok")
  t:expect(#events(run, "sample_error"), "sample_error events"):eq(1)
end)

bench.test("the state dir is removed", function(t)
  local run = sh('sleep 0.1; rm -rf "$BENCHCTL_SIM_DIR"; sleep 0.3')
  t:expect(run.class, "class"):eq("ok")
  t:expect(run.gpu.sample_errors, "sample errors"):gt(0)
end)
