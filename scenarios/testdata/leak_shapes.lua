-- lib.leak on synthetic GPU timelines whose answers are known: each shape is a
-- memory function over a run whose esm stage is the window [2, 12] s, with
-- other levels before and after it (stages that step), read for 1,000
-- sequences on the GPU and 11,250 in the full sample.
local bench = require("bench")
local leak = require("lib.leak")

bench.suite { name = "leak_shapes", description = "lib.leak against shapes with known answers" }

local MiB, GiB = 2 ^ 20, 2 ^ 30

-- run builds a run of one GPU whose memory at t seconds is f(t) inside the
-- stage, 8 GiB before it and 14 GiB after it; buckets of width seconds; no
-- bucket in gap ({from, to}, stage seconds: a sampler that stalled).
local function run(f, width, gap)
  width = width or 0.05
  local tl = {}
  for i = 0, math.floor(14 / width) - 1 do
    local t0, t1 = i * width, (i + 1) * width
    local mid = (t0 + t1) / 2
    local v = 8 * GiB
    if mid >= 2 and mid <= 12 then v = f(mid - 2) elseif mid > 12 then v = 14 * GiB end
    if not (gap and mid - 2 >= gap[1] and mid - 2 <= gap[2]) then
      tl[#tl + 1] = { t0 = t0, t1 = t1, min = { memory_used = v }, max = { memory_used = v } }
    end
  end
  return {
    stages = { { name = "dnabert", start = 0, ["end"] = 2 }, { name = "esm", start = 2, ["end"] = 12 },
      { name = "merge", start = 12, ["end"] = 14 } },
    gpu = { gpus = { { index = 0, memory_total_bytes = 80 * GiB, timeline = tl } } },
  }
end

local function sawtooth(period, amp)
  return function(t) return amp * (t % period) / period end
end

-- steps is allocator growth: half of size after 0.3 s, a quarter after 0.6 s,
-- an eighth after 1.2 s, ... (doubling times, halving steps).
local function steps(size)
  return function(t)
    local v, at, step = 0, 0.3, size / 2
    while t >= at and step >= 1 do v, at, step = v + step, at * 2, step / 2 end
    return v
  end
end

local shapes = {
  { "flat", function() return 10 * GiB end, "flat" },
  { "allocator growth of 512 MiB", function(t) return 10 * GiB + steps(512 * MiB)(t) end, "flattening" },
  { "sawtooth of 2 GiB, 0.5 s", function(t) return 10 * GiB + sawtooth(0.5, 2 * GiB)(t) end, "flat" },
  { "leak of 100 MiB/s", function(t) return 10 * GiB + 100 * MiB * t end, "rising", 1000 },
  { "leak under a sawtooth", function(t) return 10 * GiB + 100 * MiB * t + sawtooth(0.5, 2 * GiB)(t) end, "rising", 1000 },
  { "leak behind allocator growth", function(t) return 10 * GiB + steps(512 * MiB)(t) + 20 * MiB * t end, "rising", 200 },
  -- Steps read at block floors: the rate is within a step of the truth.
  { "leak in steps of 64 MiB a second", function(t) return 10 * GiB + 64 * MiB * math.floor(t) end, "rising", 640, 0.15 },
  -- The stage line came late: the GPU sat idle (0) for the window's last
  -- two thirds. The idle end is no part of the stage's floor.
  { "flat, idle for two thirds of a late window", function(t) return t < 3.3 and 10 * GiB or 0 end, "flat" },
  -- A sampler stalled through a block: a leak still rises across the gap.
  { "leak of 100 MiB/s, a block unsampled", function(t) return 10 * GiB + 100 * MiB * t end, "rising", 1000, 0.1, { 5, 6.7 } },
}

bench.test("shapes read as known", function(t)
  for _, s in ipairs(shapes) do
    local name, f, want, rate, tol = s[1], s[2], s[3], s[4], s[5] or 0.1
    local tr = leak.floor_trends(run(f, nil, s[6]), "esm", 1000, 11250)[1]
    t:expect(tr.shape, name .. ": shape"):eq(want)
    if rate then
      -- 10 s of stage for 1,000 sequences: bytes a second x 10 per 1,000.
      t:expect(tr.rate / MiB, name .. ": rate per 1000 sequences", "MiB"):ge(rate * (1 - tol))
      t:expect(tr.rate / MiB, name .. ": rate per 1000 sequences", "MiB"):le(rate * (1 + tol))
      t:expect(tr.projected / GiB, name .. ": projected at 11250 sequences", "GiB"):ge(10 + rate * 10.25 / 1024 * 0.9)
    else
      t:expect(tr.projected, name .. ": projected is the floor at the end"):eq(tr.floor_end)
      t:expect(math.abs(tr.rise) / MiB, name .. ": floor rise", "MiB"):le(512)
    end
  end
  local few = leak.floor_trends(run(function() return 10 * GiB end, 2), "esm", 1000, 11250)[1]
  t:expect(few.shape, "five buckets: shape"):eq("unknown")
end)
