-- One test per bad input; each is tagged with its name so that `--tags NAME`
-- runs it alone.
local bench = require("bench")
bench.suite { name = "bad_tests" }

local function case(name, fn, opts)
  opts = opts or {}
  opts.tags = { name }
  bench.test(name, fn, opts)
end

case("errors", function(t) error("boom") end)
case("loops", function(t) while true do end end, { timeout = "300ms" })
case("os_execute", function(t) os.execute("touch /tmp/benchctl-escaped") end)
case("io_popen", function(t) io.popen("id") end)
case("io_open", function(t) io.open("/etc/passwd") end)
case("require_path", function(t) require("../../etc/passwd") end)
case("huge_rep", function(t) local s = string.rep("x", 1e12) end)
case("recursion", function(t)
  local function f(n) return 1 + f(n + 1) end
  f(1)
end)
case("nan_metric", function(t) t:metric("ratio", 0 / 0) end)
case("bad_duration", function(t) bench.pipeline.run { cmd = { "true" }, timeout = "forever" } end)
case("bad_size", function(t) bench.size("lots") end)
case("bad_var_duration", function(t) local d = bench.var_duration("wait", "1s") end)
case("bad_preset", function(t) bench.data.fasta { preset = "huge" } end)
case("bad_quote", function(t) bench.pipeline.run { cmd = "sh -c 'unterminated" } end)
case("error_table", function(t) error({ code = 1 }) end)
case("bad_utf8_error", function(t)
  t:log("log with \255\254 invalid bytes, \0 a nul and \27[31m an escape")
  error("error with \255 invalid bytes and \1 a control character")
end)
case("bad_metric_direction", function(t) t:metric("x", 1, "s", { better = "sideways" }) end)
case("nested_test", function(t) bench.test("inner", function() end) end)

-- Deadlines that Go code called from Lua must honour (each test's timeout is 1s).
local spinning = coroutine.create(function() while true do end end) -- made at load time
local late_run = coroutine.wrap(function() bench.pipeline.run { cmd = { "sleep", "30" } } end)
case("find_bomb", function(t) string.find(string.rep("a", 5000), ".-.-.-.-b") end, { timeout = "1s" })
case("gsub_bomb", function(t) string.gsub(string.rep("a", 5000), ".-.-.-.-b", "x") end, { timeout = "1s" })
case("coroutine_from_load", function(t) coroutine.resume(spinning) end, { timeout = "1s" })
case("coroutine_pipeline", function(t) late_run() end, { timeout = "1s" })
case("fasta_deadline", function(t) bench.data.fasta { sequences = 1e6, min_len = 5000, max_len = 5000 } end, { timeout = "1s" })
case("fasta_too_big", function(t) bench.data.fasta { sequences = 1e9, min_len = 100, max_len = 1000 } end)
case("timeout_negative", function(t) bench.pipeline.run { cmd = { "true" }, timeout = -1 } end)
case("timeout_nan", function(t) bench.pipeline.run { cmd = { "true" }, timeout = 0 / 0 } end)
case("timeout_huge", function(t) bench.pipeline.run { cmd = { "true" }, timeout = 1e300 } end)
case("grace_nan", function(t) bench.pipeline.run { cmd = { "true" }, grace = 0 / 0 } end)
case("runs_huge", function(t) bench.pipeline.run { cmd = { "true" }, runs = 1e300 } end)
case("repeat_huge", function(t) bench.pipeline.run { cmd = { "true" }, ["repeat"] = 1e300 } end)
case("runs_fraction", function(t) bench.pipeline.run { cmd = { "true" }, runs = 2.5 } end)
case("tail_lines_huge", function(t) bench.pipeline.run { cmd = { "true" }, tail_lines = 1e9 } end)
case("sample_every_1ns", function(t) bench.pipeline.run { cmd = { "true" }, sample_every = "1ns" } end)
case("cwd_missing", function(t) bench.pipeline.run { cmd = { "true" }, cwd = "/nonexistent" } end)
case("expect_table", function(t) t:expect({}):eq(1) end)
case("fasta_huge_len", function(t) bench.data.fasta { sequences = 1, min_len = 1e11, max_len = 1e11 } end)
case("fasta_gc_nan", function(t) bench.data.fasta { preset = "tiny", gc = 0 / 0 } end)

-- Memory bombs: each ends its test with an error (run with --lua-memory 256MiB).
case("concat_bomb", function(t)
  local s = string.rep("x", 64 * 1024 * 1024)
  local parts = {}
  for i = 1, 200 do parts[i] = s end
  return table.concat(parts)
end)
case("gsub_amplify", function(t) return string.gsub(string.rep("x", 1e6), "x", string.rep("y", 1000)) end)
case("table_bomb", function(t) local big = {} for i = 1, 1e9 do big[i] = i end end)
case("coroutine_bomb", function(t) local cs = {} for i = 1, 2e6 do cs[i] = coroutine.create(function() end) end end)
case("wrap_recursion", function(t) local function f() return coroutine.wrap(f)() end f() end)
case("string_doubling", function(t) local s = "x" while true do s = s .. s end end)
case("string_tripling", function(t) local s = "x" while true do s = s .. s .. s end end)
case("format_doubling", function(t) local s = "x" while true do s = string.format("%s%s", s, s) end end)
case("format_width", function(t) return string.format("%999999999d", 1) end)
case("stats_compare_huge", function(t)
  local a = {}
  for i = 1, 200000 do a[i] = 1 + i % 7 end
  bench.stats.compare(a, a)
end)
case("strings_kept", function(t)
  local s, kept = string.rep("x", 64 * 1024 * 1024 - 64), {}
  for i = 1, 1e9 do kept[i] = s .. i end
end)
