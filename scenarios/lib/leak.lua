-- lib.leak: a leak inside a stage, told from the memory a healthy pipeline
-- takes through it by the shape of the floor and its rate per unit of work.
--
-- Per GPU, the floor is read from the GPU timeline's bucket minima inside the
-- stage's windows, on an axis of stage time (the work done through the
-- stage), with the points at either end below 90% of the median cut (a worker
-- entering late or leaving early). The stage is cut in six blocks of equal
-- time; each block's floor is its lowest point: memory held all through it,
-- so a working set that climbs and drops within a block (a sawtooth of
-- batches) reads as its trough. From the six floors:
--
--   rising      the floor keeps rising with the work done (a leak): each of
--               the last three blocks holds more than the one before, however
--               fast the first half rose (a leak behind allocator growth)
--   flattening  not rising, and the first half rises: a caching allocator
--               settling to its working size in shrinking steps (one late
--               step is not a rise that keeps on)
--   flat        neither
--   unknown     fewer than 9 points, more than two blocks with none (a
--               sampler stalled), or too few in a half: too few to tell
--
-- The rate is the slope through the last three blocks' floors, per 1,000
-- sequences through the stage on that GPU. The projection carries the floor
-- at the stage's end over the GPU's share of the full sample: at that rate
-- when it keeps rising, level when it has flattened. Steps between stages
-- never enter: only the stage's own windows are read. A working set that
-- cycles fewer than six times through the stage cannot be told from a leak.
local M = {}

-- blocks is how many parts of equal stage time the floor is read in; a
-- shape is read from min_points points or more, one in each block at least.
local blocks = 6
local min_points = 9
-- At most this many blocks may hold no point (a sampler stalled by a busy
-- machine): a floor that keeps rising still rises across the gap.
local max_empty = 2

-- stage_points returns one GPU's floor points inside the stage's windows as
-- {stage seconds, bytes}, and the stage's total seconds.
local function stage_points(g, wins)
  local pts, span = {}, 0
  for _, w in ipairs(wins) do
    for _, b in ipairs(g.timeline or {}) do
      local mid = (b.t0 + b.t1) / 2
      local v = b.min and b.min.memory_used
      if v and mid >= w.start and mid <= w["end"] then
        pts[#pts + 1] = { span + mid - w.start, v }
      end
    end
    span = span + (w["end"] - w.start)
  end
  return pts, span
end

-- trim cuts the points at either end below 90% of the working level: the
-- median of the points in the upper half of the window's range. Where the
-- GPU sat idle for most of the window (a stage line that a busy machine
-- delivered late, a worker entering late or leaving early), the median of
-- all points would be the idle level and cut nothing; the working level is
-- the stage's memory however long the idle ends.
local function trim(pts)
  if #pts < 2 then return pts end
  local lo_v, hi_v = math.huge, -math.huge
  for _, p in ipairs(pts) do lo_v, hi_v = math.min(lo_v, p[2]), math.max(hi_v, p[2]) end
  local vals = {}
  for _, p in ipairs(pts) do
    if p[2] >= (lo_v + hi_v) / 2 then vals[#vals + 1] = p[2] end
  end
  table.sort(vals)
  local level = vals[math.floor(#vals / 2) + 1] * 0.9
  local lo, hi = 1, #pts
  -- Down to one point: of two, one idle (a worker not yet there) and one at
  -- the working level, the idle one is no floor of the stage.
  while lo < hi and pts[lo][2] < level do lo = lo + 1 end
  while hi > lo and pts[hi][2] < level do hi = hi - 1 end
  local out = {}
  for i = lo, hi do out[#out + 1] = pts[i] end
  return out
end

-- floors cuts pts in blocks of equal stage time and returns each block's
-- lowest point ({x, y}, the first of equals; nil for a block that holds
-- none: a sampler that a busy machine stalled) and the blocks that hold one,
-- in order; nil when fewer than blocks - max_empty do, or a half of the
-- stage has too few to read its slope: too few to tell. Blocks of time, not
-- of points, so that samples bunched in one part of the stage cannot move a
-- step of the allocator into the last blocks.
local function floors(pts)
  local x0, x1 = pts[1][1], pts[#pts][1]
  local width = (x1 - x0) / blocks
  if width <= 0 then return nil end
  local out = {}
  for _, p in ipairs(pts) do
    local k = math.min(blocks, math.floor((p[1] - x0) / width) + 1)
    if not out[k] or p[2] < out[k][2] then out[k] = p end
  end
  local filled, first, second = {}, 0, 0
  for k = 1, blocks do
    if out[k] then
      filled[#filled + 1] = k
      if k <= blocks / 2 then first = first + 1 else second = second + 1 end
    end
  end
  if #filled < blocks - max_empty or first < 1 or second < 2 then return nil end
  return out, filled
end

-- slope is the rate of change from floor a to floor b, per second of stage.
local function slope(a, b)
  if b[1] <= a[1] then return 0 end
  return (b[2] - a[2]) / (b[1] - a[1])
end

-- trend reads one GPU's floor through a stage. sequences is the GPU's share
-- of the run's input, full its share of the full sample.
local function trend(g, wins, sequences, full)
  local pts, span = stage_points(g, wins)
  pts = trim(pts)
  local tr = { gpu = g.index, points = #pts, total = g.memory_total_bytes, shape = "unknown" }
  if #pts >= 2 then tr.rise = pts[#pts][2] - pts[1][2] end
  local f, filled
  if #pts >= min_points and span > 0 and sequences > 0 then f, filled = floors(pts) end
  if not f then return tr end
  local half = blocks / 2
  -- The filled blocks of each half; the last of the first half leads the second.
  local a, b = {}, {}
  for _, k in ipairs(filled) do
    if k <= half then a[#a + 1] = f[k] else b[#b + 1] = f[k] end
  end
  local early, late = slope(a[1], a[#a]), slope(b[1], b[#b])
  local keeps, before = true, a[#a]
  for _, p in ipairs(b) do
    keeps = keeps and p[2] > before[2]
    before = p
  end
  if keeps then
    tr.shape = "rising"
  elseif early > 0 then
    tr.shape = "flattening"
  else
    tr.shape = "flat"
  end
  local per_1000 = span / sequences * 1000 -- stage seconds per 1,000 sequences
  local last = f[filled[#filled]]
  tr.rise = last[2] - f[filled[1]][2]
  tr.rate, tr.early_rate = late * per_1000, early * per_1000
  tr.floor_end = last[2]
  tr.projected = tr.floor_end
  if tr.shape == "rising" then
    tr.projected = tr.floor_end + tr.rate * math.max(full - sequences, 0) / 1000
  end
  return tr
end

-- floor_trends reads the floor of every GPU of run through stage. sequences
-- and full are per GPU: the run's share and the full sample's share.
-- Returns a list, by GPU index, of
-- { gpu, points, shape ("rising", "flattening", "flat" or "unknown"),
--   rise (bytes, from the first block's floor to the last's; with no shape,
--   from the first point to the last), rate and
--   early_rate (bytes per 1,000 sequences, last and first half), floor_end,
--   projected, total (bytes) }.
function M.floor_trends(run, stage, sequences, full)
  local wins = {}
  for _, s in ipairs(run.stages or {}) do
    if s.name == stage then wins[#wins + 1] = s end
  end
  local out = {}
  for _, g in ipairs((run.gpu or {}).gpus or {}) do
    out[#out + 1] = trend(g, wins, sequences, full)
  end
  table.sort(out, function(a, b) return a.gpu < b.gpu end)
  return out
end

local MiB, GiB = 2 ^ 20, 2 ^ 30

-- check records, per GPU, the floor's rise, rate and projection through
-- opts.stage and fails on a floor that keeps rising faster than
-- opts.rate_limit_mb MiB per 1,000 sequences, or on a projection over
-- opts.full_sequences that does not fit in the GPU. opts: stage, sequences
-- and full_sequences (the whole run's and sample's, shared by opts.gpus GPUs),
-- rate_limit_mb, floor_limit_mb (optional: a bound on the rise, in MiB).
function M.check(t, run, opts)
  local n = opts.gpus or 1
  local seqs, full = opts.sequences / n, opts.full_sequences / n
  for _, tr in ipairs(M.floor_trends(run, opts.stage, seqs, full)) do
    local where = string.format("during stage %s on GPU %d", opts.stage, tr.gpu)
    local suffix = opts.stage .. "_gpu" .. tr.gpu
    if tr.shape == "unknown" then
      t:log(string.format("memory floor %s: %d points, too few to read a shape", where, tr.points))
      if opts.floor_limit_mb and tr.rise then
        t:expect(tr.rise / MiB, "memory floor rise " .. where, "MiB"):le(opts.floor_limit_mb)
      end
    else
      t:metric("floor_rise_" .. suffix, tr.rise / MiB, "MiB", { better = "lower" })
      t:metric("floor_rate_" .. suffix, tr.rate / MiB, "MiB/1000 seq", { better = "lower" })
      t:metric("floor_projected_" .. suffix, tr.projected / MiB, "MiB", { better = "lower" })
      local summary = string.format("rose %.0f MiB, %.1f MiB per 1000 sequences at the end (%.1f at the start): %s; "
        .. "projected %.2f GiB of %.2f GiB at %d sequences", tr.rise / MiB, tr.rate / MiB, tr.early_rate / MiB,
        tr.shape, tr.projected / GiB, (tr.total or 0) / GiB, opts.full_sequences)
      t:log("memory floor " .. where .. ": " .. summary)
      if tr.shape == "rising" then
        t:expect(tr.rate / MiB, "memory floor keeps rising " .. where .. " (" .. summary .. ")", "MiB/1000 seq")
            :le(opts.rate_limit_mb)
      end
      if tr.total and tr.total > 0 then
        t:expect(tr.projected / MiB, string.format("memory projected at %d sequences %s (%s)",
          opts.full_sequences, where, summary), "MiB"):le(tr.total / MiB)
      end
      if opts.floor_limit_mb then
        t:expect(tr.rise / MiB, "memory floor rise " .. where, "MiB"):le(opts.floor_limit_mb)
      end
    end
  end
end

return M
