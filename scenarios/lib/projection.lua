-- lib.projection: project a pipeline's time for a large input from runs of
-- several sizes, by the model that best predicts the runs themselves.
--
-- Models of the wall time t(n) of n sequences:
--   linear    t = fixed + per_seq * n, least squares over the runs
--   power     t = c * n^p, least squares in logs (a cost per sequence that
--             keeps falling as inputs grow)
--   progress  the largest run's time between its first and last progress
--             lines, grown at the steady-state cost per sequence read there
--             (from 40% to 90% of its items: after the ramp-up, before the
--             workers' tail), plus the time outside the progress lines
--             (start-up, warm-up, stages the lines do not cover) fitted
--             linearly over the runs
-- The progress model is chosen when the largest run's rate held steady: it
-- measures the cost of one more sequence where the fits can only guess it.
-- Otherwise each model is scored by how well it predicts each run from the
-- smaller runs (forward validation: the leap the projection makes; the
-- leave-one-out error, mostly interpolation, is reported beside it) and the
-- smallest forward error wins. The naive projection (the largest run's time
-- per sequence) is kept beside it for comparison.
local M = {}

-- fit is the linear least-squares fit: { fixed, per_seq, fixed_se,
-- per_seq_se, points } from { {n=, t=}, ... }. With two points the fit is
-- exact and the standard errors are nil.
function M.fit(points)
  local k = #points
  assert(k >= 2, "projection needs runs of at least two sizes")
  local sn, st = 0, 0
  for _, p in ipairs(points) do sn = sn + p.n; st = st + p.t end
  local mn, mt = sn / k, st / k
  local sxx, sxy = 0, 0
  for _, p in ipairs(points) do
    sxx = sxx + (p.n - mn) ^ 2
    sxy = sxy + (p.n - mn) * (p.t - mt)
  end
  assert(sxx > 0, "projection needs runs of different sizes")
  local b = sxy / sxx
  local a = mt - b * mn
  local f = { fixed = a, per_seq = b, points = k, mean_n = mn, sxx = sxx }
  if k > 2 then
    local rss = 0
    for _, p in ipairs(points) do rss = rss + (p.t - (a + b * p.n)) ^ 2 end
    local s2 = rss / (k - 2)
    f.s2 = s2
    f.per_seq_se = math.sqrt(s2 / sxx)
    f.fixed_se = math.sqrt(s2 * (1 / k + mn ^ 2 / sxx))
  end
  return f
end

-- project returns the linear fit's seconds for n sequences and its standard
-- error (nil when the fit has no residual degrees of freedom).
function M.project(f, n)
  local t = f.fixed + f.per_seq * n
  local se = nil
  if f.s2 then
    se = math.sqrt(f.s2 * (1 / f.points + (n - f.mean_n) ^ 2 / f.sxx))
  end
  return t, se
end

-- naive is the per-sequence projection from one run, for comparison.
function M.naive(point, n)
  return point.t / point.n * n
end

-- time_at is the time at which progress (a list of {t, n}) first reached
-- items, interpolated between the points around it.
local function time_at(progress, items)
  local prev = { t = 0, n = 0 }
  for _, p in ipairs(progress) do
    if p.n >= items then
      if p.n == prev.n then return p.t end
      return prev.t + (p.t - prev.t) * (items - prev.n) / (p.n - prev.n)
    end
    prev = p
  end
  return nil
end

-- rate_between is the seconds per item of progress between fractions a and
-- b of the run's final count: the least-squares slope of time over items of
-- the points in that window (three at least), robust to a late line or two.
local function rate_between(pr, a, b)
  local final, pts = pr[#pr].n, {}
  for _, p in ipairs(pr) do
    if p.n >= a * final and p.n <= b * final then pts[#pts + 1] = { n = p.n, t = p.t } end
  end
  if #pts < 3 or pts[#pts].n == pts[1].n then return nil end
  local f = M.fit(pts)
  if f.per_seq <= 0 then return nil end
  return f.per_seq
end

-- steady returns the steady-state seconds per sequence of a run with
-- progress (point.progress = { {t=, n=}, ... }, n in the pipeline's own
-- items), and how far the rates of the two halves of that window differ
-- (a fraction: near 0 when the rate held steady). nil when the progress is
-- too sparse to tell.
function M.steady(point)
  local pr = point.progress
  if not pr or #pr < 4 or pr[#pr].n <= 0 then return nil end
  local final, inside = pr[#pr].n, 0
  for _, p in ipairs(pr) do
    if p.n >= 0.4 * final and p.n <= 0.9 * final then inside = inside + 1 end
  end
  if inside < 6 then return nil end
  local whole = rate_between(pr, 0.4, 0.9)
  local first, second = rate_between(pr, 0.4, 0.65), rate_between(pr, 0.65, 0.9)
  if not (whole and first and second) then return nil end
  return whole * final / point.n, math.abs(first - second) / whole
end

local function largest(points, pred)
  local best
  for _, p in ipairs(points) do
    if (not pred or pred(p)) and (not best or p.n > best.n) then best = p end
  end
  return best
end

-- The models: fit(points) returns a fitted model or nil; predict(f, n) seconds.
M.models = {
  {
    name = "linear",
    fit = function(points)
      if #points < 2 then return nil end
      local f = M.fit(points)
      if f.per_seq <= 0 then return nil end
      return f
    end,
    predict = function(f, n) return f.fixed + f.per_seq * n end,
    describe = function(f) return string.format("t(n) = %.2f s + %.3f ms x n", f.fixed, f.per_seq * 1000) end,
  },
  {
    name = "power",
    fit = function(points)
      if #points < 2 then return nil end
      local logs = {}
      for i, p in ipairs(points) do
        if p.n <= 0 or p.t <= 0 then return nil end
        logs[i] = { n = math.log(p.n), t = math.log(p.t) }
      end
      local f = M.fit(logs)
      if f.per_seq <= 0 then return nil end
      return { c = math.exp(f.fixed), p = f.per_seq }
    end,
    predict = function(f, n) return f.c * n ^ f.p end,
    describe = function(f) return string.format("t(n) = %.3g x n^%.3f", f.c, f.p) end,
  },
  {
    name = "progress",
    -- Anchored on the largest run with progress: its time inside the
    -- progress lines (first to last) grows at the steady rate read there;
    -- the time outside them (start-up and what comes before the first line,
    -- the tail after the last: translation, consensus, writing) is fitted
    -- linearly over the runs, since it may hold per-sequence work too.
    fit = function(points)
      local p = largest(points, M.steady)
      if not p then return nil end
      local outside = {}
      for _, q in ipairs(points) do
        if q.progress and #q.progress > 0 then
          outside[#outside + 1] = { n = q.n, t = q.progress[1].t + (q.t - q.progress[#q.progress].t) }
        end
      end
      local per_seq, unsteady = M.steady(p)
      local f = { per_seq = per_seq, unsteady = unsteady, from = p.n, inside = p.progress[#p.progress].t - p.progress[1].t,
        out_fixed = p.progress[1].t + (p.t - p.progress[#p.progress].t), out_per_seq = 0 }
      local sizes = {}
      for _, q in ipairs(outside) do sizes[q.n] = true end
      if next(sizes, next(sizes)) then -- two sizes or more
        local lin = M.fit(outside)
        if lin.per_seq > 0 then f.out_fixed, f.out_per_seq = lin.fixed, lin.per_seq end
      end
      if f.out_per_seq == 0 then f.out_fixed = p.progress[1].t + (p.t - p.progress[#p.progress].t) end
      return f
    end,
    predict = function(f, n)
      return f.inside + f.per_seq * (n - f.from) + f.out_fixed + f.out_per_seq * n
    end,
    describe = function(f)
      return string.format("%.3f ms x n at the rate inside the %d-sequence run (steady within %.0f%%); outside the progress lines %.2f s + %.3f ms x n",
        f.per_seq * 1000, f.from, f.unsteady * 100, f.out_fixed, f.out_per_seq * 1000)
    end,
  },
}

-- loo returns a model's leave-one-out relative errors (predicted/measured - 1,
-- each run predicted from all the others) and their mean absolute value; nil
-- for the mean when the model cannot predict every run.
local function loo(model, points)
  local errs, sum = {}, 0
  for i, held in ipairs(points) do
    local rest = {}
    for j, p in ipairs(points) do if j ~= i then rest[#rest + 1] = p end end
    local ok, f = pcall(model.fit, rest)
    if ok and f then
      local e = model.predict(f, held.n) / held.t - 1
      errs[#errs + 1] = e
      sum = sum + math.abs(e)
    end
  end
  if #errs < #points then return errs, nil end
  return errs, sum / #errs
end

-- forward returns a model's errors predicting each run from the smaller runs
-- only (from the third size on): the same leap past the measured range that
-- the projection makes, which leave-one-out, mostly interpolating, hides.
local function forward(model, points)
  local sorted = {}
  for i, p in ipairs(points) do sorted[i] = p end
  table.sort(sorted, function(a, b) return a.n < b.n end)
  local errs, sum = {}, 0
  for i = 3, #sorted do
    local smaller = {}
    for j = 1, i - 1 do smaller[j] = sorted[j] end
    local ok, f = pcall(model.fit, smaller)
    if not (ok and f) then return errs, nil end
    local e = model.predict(f, sorted[i].n) / sorted[i].t - 1
    errs[#errs + 1] = e
    sum = sum + math.abs(e)
  end
  if #errs == 0 then return errs, nil end
  return errs, sum / #errs
end

-- M.max_unsteady is how far the rates of the two halves of the largest run's
-- steady window may differ for its progress to be trusted over the fits.
M.max_unsteady = 0.10

-- choose fits every model to points ({ {n=, t=, progress=}, ... }) and
-- projects n_full sequences. Returns { model, reason, projected, low, high,
-- describe, candidates = { {name, projected, forward, loo, describe}, ... },
-- naive }. The progress model is chosen when the largest run's rate held
-- steady (M.max_unsteady): it measures the cost of one more sequence where
-- the fits can only guess it. Otherwise the model with the smallest forward
-- error (each run predicted from the smaller ones) is chosen; without three
-- sizes, the first that fits (linear). The interval widens the projection by
-- the worst of the chosen model's validation errors (for progress: twice
-- its unsteadiness), at least 5%. model is nil when no model fits.
function M.choose(points, n_full)
  local big = largest(points)
  local out = { candidates = {}, naive = M.naive(big, n_full), largest = big.n }
  local progress
  for _, model in ipairs(M.models) do
    local ok, f = pcall(model.fit, points)
    if ok and f then
      local c = { name = model.name, projected = model.predict(f, n_full), describe = model.describe(f),
        model = model, fit = f }
      c.forward_errors, c.forward = forward(model, points)
      c.loo_errors, c.loo = loo(model, points)
      out.candidates[#out.candidates + 1] = c
      if model.name == "progress" then progress = c end
      local better = not out.chosen or (c.forward and (not out.chosen.forward or c.forward < out.chosen.forward))
      if c.projected > 0 and better then
        out.chosen, out.reason = c, c.forward and "the smallest forward error" or "too few sizes to score the models"
      end
    end
  end
  if progress and progress.projected > 0 and progress.fit.unsteady <= M.max_unsteady then
    out.chosen, out.reason = progress, string.format("the largest run's rate held steady (within %.0f%%)",
      progress.fit.unsteady * 100)
  end
  local c = out.chosen
  if not c then return out end
  out.model, out.projected, out.forward, out.loo, out.describe, out.fit = c.name, c.projected, c.forward, c.loo, c.describe, c.fit
  if c == progress then
    out.worst = 2 * c.fit.unsteady
  elseif c.forward then
    out.worst = 0
    for _, e in ipairs(c.forward_errors) do out.worst = math.max(out.worst, math.abs(e)) end
    for _, e in ipairs(c.loo_errors or {}) do out.worst = math.max(out.worst, math.abs(e)) end
  end
  if out.worst then out.low, out.high = M.interval(out, n_full) end
  return out
end

-- interval is the chosen model's interval for n sequences (nil without
-- validation errors): its projection ± its worst forward or leave-one-out
-- error (at least 5%).
function M.interval(choice, n)
  if not choice.worst then return nil end
  local t = M.predict(choice, n)
  local half = t * math.max(0.05, choice.worst)
  return t - half, t + half
end

-- predict gives the chosen model's (or a named candidate's) seconds for n.
function M.predict(choice, n, name)
  for _, c in ipairs(choice.candidates) do
    if c.name == (name or choice.model) then return c.model.predict(c.fit, n) end
  end
  return nil
end

return M
