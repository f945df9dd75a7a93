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
--   stages    each stage (from the runs' stage markers) and the time outside
--             any stage projected on its own, then summed: a stage with
--             steady progress lines at the rate read inside it, a stage that
--             grows with n by its own linear fit, one that does not grow (or
--             whose growth does not stand out of its noise) as the mean of its
--             durations. Start-up and model-loading jitter then stays in the
--             part that holds it instead of hiding the others' slopes.
-- Each model is scored by how well it predicts each run from the smaller runs
-- (forward validation: the leap the projection makes; the leave-one-out
-- error, mostly interpolation, is reported beside it) and the smallest
-- forward error wins; the per-stage model wins within M.tie of it. The naive
-- projection (the largest run's time per sequence) is kept beside it for
-- comparison.
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

-- power is the least-squares fit in logs of t = c * n^p: { c, p } from
-- { {n=, t=}, ... }; nil unless there are two sizes and every n and t is
-- positive.
function M.power(points)
  local sizes, logs = {}, {}
  for i, p in ipairs(points) do
    if p.n <= 0 or p.t <= 0 then return nil end
    sizes[p.n] = true
    logs[i] = { n = math.log(p.n), t = math.log(p.t) }
  end
  if not next(sizes, next(sizes)) then return nil end
  local f = M.fit(logs)
  return { c = math.exp(f.fixed), p = f.per_seq }
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
      local f = M.power(points)
      if not f or f.p <= 0 then return nil end
      return f
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

-- Per-stage projection. Each run's stage windows (point.stages, as
-- bench.pipeline.run returns them: { {name=, start=, ["end"]=}, ... }) split
-- its time into stages and the time outside any stage. Each part is
-- projected on its own and the parts are summed, so that a cost that jitters
-- between runs (model loading, start-up) stays in the part that holds it
-- instead of masking the per-sequence cost of the others:
--   progress  a stage with steady progress lines inside the largest run
--             that has them: the rate read there, on the mean over the runs
--             of what each run's duration leaves beside that rate
--   per_seq   a stage whose duration grows with n: linear least squares over
--             the runs, its slope shrunk toward zero by how little it stands
--             out of the fit's noise (by 1/t^2, t = slope / standard error,
--             with three sizes or more)
--   fixed     a stage whose duration does not grow (or whose slope is within
--             a standard error of zero): the mean over the runs
-- Where the runs carry the pipeline's own time for each stage (point.own:
-- seconds by stage name, as it reports them), a stage is its own time, and
-- the time its own figures leave out (worker start, model loading, hand-offs
-- between stages, exit) is one part, "(between stages)", projected as
-- M.between says: "fixed" (the default) or "fit" (as any other part).

-- stage_parts returns a run's seconds per stage name, its windows per name,
-- and the names in order of their first window.
local function stage_parts(point)
  local secs, windows, order = {}, {}, {}
  for _, s in ipairs(point.stages or {}) do
    if not secs[s.name] then
      secs[s.name], windows[s.name] = 0, {}
      order[#order + 1] = s.name
    end
    secs[s.name] = secs[s.name] + (s["end"] - s.start)
    table.insert(windows[s.name], s)
  end
  return secs, windows, order
end

-- stage_progress is the run's progress inside the windows, counted from the
-- stage's own start: points before the lowest count are dropped (workers
-- whose counts restart at the stage, summed with the last stage's counts of
-- the workers not yet reporting), and a count carried on from the stage
-- before is taken off. nil when no line falls inside.
local function stage_progress(point, windows)
  local inside, before = {}, nil
  for _, p in ipairs(point.progress or {}) do
    local within = false
    for _, w in ipairs(windows) do
      if p.t > w.start and p.t <= w["end"] then within = true end
    end
    if within then inside[#inside + 1] = p
    elseif #inside == 0 and p.t <= windows[1].start then before = p end
  end
  if #inside == 0 then return nil end
  local low = 1
  for i, p in ipairs(inside) do if p.n <= inside[low].n then low = i end end
  local base = 0
  if low == 1 and before and before.n <= inside[1].n then base = before.n end
  local out = {}
  for i = low, #inside do out[#out + 1] = { t = inside[i].t, n = inside[i].n - base } end
  return out
end

local function mean_sd(xs)
  local s = 0
  for _, x in ipairs(xs) do s = s + x end
  local m = s / #xs
  if #xs < 2 then return m, 0 end
  local v = 0
  for _, x in ipairs(xs) do v = v + (x - m) ^ 2 end
  return m, math.sqrt(v / (#xs - 1))
end

-- fixed_part is a part projected as the mean of its durations (obs), with
-- their spread as its standard error.
local function fixed_part(name, obs)
  local ts = {}
  for i, o in ipairs(obs) do ts[i] = o.t end
  local mean, sd = mean_sd(ts)
  return { name = name, obs = obs, kind = "fixed", per_seq = 0, fixed = mean, sd = sd }
end

-- fit_part fits one part's durations (obs: { {n=, t=}, ... }); rate is the
-- steady progress reading { per_seq, unsteady, from, t } of the largest run
-- with one, or nil.
local function fit_part(name, obs, rate)
  local c = { name = name, obs = obs }
  local sizes = {}
  for _, o in ipairs(obs) do sizes[o.n] = true end
  local lin = next(sizes, next(sizes)) and M.fit(obs) or nil
  if rate then
    local rest = {}
    for i, o in ipairs(obs) do rest[i] = o.t - rate.per_seq * o.n end
    local fixed, sd = mean_sd(rest)
    c.kind, c.per_seq, c.unsteady, c.from, c.fixed, c.sd = "progress", rate.per_seq, rate.unsteady, rate.from, fixed, sd
    c.lin = lin and lin.per_seq_se and lin or nil
    return c
  end
  local fixed = fixed_part(name, obs)
  if lin and lin.per_seq > 0 then
    -- Positive-part James-Stein shrinkage of the slope by its t statistic:
    -- a slope within a standard error of zero is noise (a fixed cost), one
    -- many standard errors out is kept whole.
    local keep = 1
    if lin.per_seq_se and lin.per_seq_se > 0 then keep = math.max(0, 1 - (lin.per_seq_se / lin.per_seq) ^ 2) end
    c.lin = lin
    if keep > 0 then
      c.kind, c.per_seq, c.shrunk = "per_seq", lin.per_seq * keep, 1 - keep
      c.fixed = fixed.fixed - c.per_seq * lin.mean_n
      return c
    end
  end
  fixed.lin = c.lin
  return fixed
end

-- part_at is one part's seconds for n sequences and its standard error: the
-- spread of a fixed part's durations (or of what a progress part's durations
-- leave beside its rate), with a progress part's unsteadiness carried over
-- the sequences added, or a fitted part's prediction error at n (nil when a
-- two-point fit leaves none).
function M.part_at(c, n)
  if c.kind == "progress" then
    return c.fixed + c.per_seq * n, math.sqrt((c.unsteady * c.per_seq * (n - c.from)) ^ 2 + c.sd ^ 2)
  elseif c.kind == "per_seq" then
    return c.fixed + c.per_seq * n, (select(2, M.project(c.lin, n)))
  end
  return c.fixed, c.sd
end

-- M.between is how the time between the pipeline's own stages is projected:
-- "fixed" (its mean and spread) or "fit" (as any other part). Fixed by
-- default: it is what the pipeline pays once a run (start-up, model loading),
-- and over a few small runs its jitter and the session's drift line up as a
-- slope often enough to be the largest error of all. On an H200, virnucsim's
-- 37 s of worker start and model loading read as 33.3 s + 2.15 ms a
-- sequence over 750 to 3,000 sequences (t = 38), 25 s too much at 12,000,
-- where it took 37.8 s (BENCHMARKS.md, section 6).
M.between = "fixed"

-- own_names returns the set of stage names whose own time every run
-- reports ({ [name] = true }), or nil when there is none.
local function own_names(points, names)
  local out = {}
  for _, name in ipairs(names) do
    local all = true
    for _, p in ipairs(points) do
      if not (p.own and p.own[name]) then all = false end
    end
    if all then out[name] = true end
  end
  return next(out) and out or nil
end

-- fit_stages fits every part of the runs; nil unless every run has stages
-- and there are two sizes.
local function fit_stages(points)
  local sizes, names, seen = {}, {}, {}
  local parts = {}
  for i, p in ipairs(points) do
    if not p.stages or #p.stages == 0 then return nil end
    sizes[p.n] = true
    local secs, windows, order = stage_parts(p)
    local total = 0
    for _, name in ipairs(order) do
      if not seen[name] then seen[name] = true; names[#names + 1] = name end
      total = total + secs[name]
    end
    parts[i] = { secs = secs, windows = windows, outside = p.t - total }
  end
  if not next(sizes, next(sizes)) then return nil end
  local own = own_names(points, names)
  local f = { parts = {}, own = own ~= nil }
  for _, name in ipairs(names) do
    local obs, rate, biggest = {}, nil, -1
    for i, p in ipairs(points) do
      local secs = own and own[name] and p.own[name] or parts[i].secs[name] or 0
      if own and own[name] then
        parts[i].outside = parts[i].outside + (parts[i].secs[name] or 0) - secs
      end
      obs[#obs + 1] = { n = p.n, t = secs }
      local w = parts[i].windows[name]
      local pr = w and stage_progress(p, w)
      if pr then
        local per_seq, unsteady = M.steady({ n = p.n, progress = pr })
        if p.n > biggest then
          biggest, rate = p.n, nil
          if per_seq and unsteady <= M.max_unsteady then
            rate = { per_seq = per_seq, unsteady = unsteady, from = p.n }
          end
        end
      end
    end
    f.parts[#f.parts + 1] = fit_part(name, obs, rate)
  end
  local outside = {}
  for i, p in ipairs(points) do outside[i] = { n = p.n, t = parts[i].outside } end
  if own and M.between == "fixed" then
    f.parts[#f.parts + 1] = fixed_part("(between stages)", outside)
  else
    f.parts[#f.parts + 1] = fit_part(own and "(between stages)" or "(outside stages)", outside, nil)
  end
  return f
end

-- stages_bounds is the range the per-stage projection for n spans when each
-- part that grows with n (fitted or by progress rate) may instead follow its
-- own power law: a cost per sequence that has been falling as the runs grew
-- (batches filling) may go on falling past them, one that has been rising
-- may go on rising. The linear parts take the last measured cost per
-- sequence as holding; the power laws take the trend as holding; the truth
-- of a pipeline whose per-sequence cost drifts lies between.
local function stages_bounds(f, n)
  local lo, hi = 0, 0
  for _, c in ipairs(f.parts) do
    local pt = M.part_at(c, n)
    local alt = pt
    if c.kind ~= "fixed" then
      local pw = M.power(c.obs)
      if pw then alt = pw.c * n ^ pw.p end
    end
    lo, hi = lo + math.min(pt, alt), hi + math.max(pt, alt)
  end
  return lo, hi
end

-- stages_at is the per-stage projection for n and the standard error of its
-- measured parts (fixed and progress: what the runs themselves say; the
-- fitted slopes' uncertainty is the forward error's to show, as their
-- one-degree-of-freedom errors carried far past the runs say little).
local function stages_at(f, n)
  local t, v = 0, 0
  for _, c in ipairs(f.parts) do
    local pt, se = M.part_at(c, n)
    t = t + pt
    if c.kind ~= "per_seq" then v = v + se ^ 2 end
  end
  return t, math.sqrt(v)
end

-- describe_part says how one part is projected.
function M.describe_part(c)
  if c.kind == "progress" then
    return string.format("%.3f ms x n at the rate inside the %d-sequence run (steady within %.0f%%)",
      c.per_seq * 1000, c.from, c.unsteady * 100)
  elseif c.kind == "per_seq" then
    local shrunk = c.shrunk > 0.005 and string.format(" (slope shrunk %.0f%% as noise)", c.shrunk * 100) or ""
    return string.format("%.2f s + %.3f ms x n%s", c.fixed, c.per_seq * 1000, shrunk)
  end
  return string.format("fixed %.2f s (sd %.2f s)", c.fixed, c.sd)
end

table.insert(M.models, {
  name = "stages",
  fit = fit_stages,
  predict = function(f, n) return (stages_at(f, n)) end,
  se = function(f, n) return select(2, stages_at(f, n)) end,
  bounds = stages_bounds,
  describe = function(f)
    local per_seq, fixed, progress = 0, 0, 0
    for _, c in ipairs(f.parts) do
      if c.kind == "progress" then progress = progress + 1 end
      per_seq = per_seq + (c.per_seq or 0)
      fixed = fixed + c.fixed
    end
    return string.format("sum over %d parts (%d by progress rate)%s: %.2f s + %.3f ms x n", #f.parts, progress,
      f.own and ", stages by the pipeline's own times" or "", fixed, per_seq * 1000)
  end,
})

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
-- the projection makes, which leave-one-out, mostly interpolating, hides. A
-- model with measured parts (se) is charged only the part of a miss beyond
-- twice their standard error.
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
    -- A miss within twice the spread of the model's measured parts (the
    -- per-stage model's fixed parts: start-up and model loading jitter by
    -- seconds from run to run) is that noise, not an error of the leap; the
    -- interval carries the noise (M.interval), the forward error the rest.
    local se = model.se and model.se(f, sorted[i].n)
    if se and se > 0 then
      local excess = math.max(0, math.abs(e) * sorted[i].t - 2 * se) / sorted[i].t
      e = e < 0 and -excess or excess
    end
    errs[#errs + 1] = e
    sum = sum + math.abs(e)
  end
  if #errs == 0 then return errs, nil end
  return errs, sum / #errs
end

-- M.max_unsteady is how far the rates of the two halves of a run's steady
-- window may differ for its progress to be trusted.
M.max_unsteady = 0.10

-- M.tie is how close two forward errors are taken to be the same: one or
-- two predictions of runs cannot rank models closer than that. Within it the
-- per-stage projection is preferred, as it measures each stage.
M.tie = 0.05

-- choose fits every model to points ({ {n=, t=, progress=, stages=}, ... })
-- and projects n_full sequences. Returns { model, reason, projected, low,
-- high, describe, candidates = { {name, projected, forward, loo, describe},
-- ... }, naive }. The model with the smallest forward error (each run
-- predicted from the smaller ones) is chosen, the per-stage one where its
-- forward error is within M.tie of the smallest; without three sizes, the
-- per-stage one where it fits, else the first that fits. model is nil when
-- no model fits.
function M.choose(points, n_full)
  local big = largest(points)
  local out = { candidates = {}, naive = M.naive(big, n_full), largest = big.n }
  local best, stages
  for _, model in ipairs(M.models) do
    local ok, f = pcall(model.fit, points)
    if ok and f then
      local c = { name = model.name, projected = model.predict(f, n_full), describe = model.describe(f),
        model = model, fit = f }
      c.forward_errors, c.forward = forward(model, points)
      c.loo_errors, c.loo = loo(model, points)
      out.candidates[#out.candidates + 1] = c
      if c.projected > 0 then
        if model.name == "stages" then stages = c end
        if not best or (c.forward and (not best.forward or c.forward < best.forward)) then best = c end
      end
    end
  end
  out.chosen, out.reason = best, best and (best.forward and "the smallest forward error" or "too few sizes to score the models")
  if stages and stages ~= best and (not best.forward or (stages.forward and stages.forward <= best.forward + M.tie)) then
    out.chosen = stages
    out.reason = best.forward and string.format("a forward error within %.0f%% of the smallest (%s's)", M.tie * 100,
      best.name) or "too few sizes to score the models"
  end
  local c = out.chosen
  if not c then return out end
  out.model, out.projected, out.forward, out.loo, out.describe, out.fit = c.name, c.projected, c.forward, c.loo, c.describe, c.fit
  if c.forward or c.loo then
    out.worst = c.name == "progress" and 2 * c.fit.unsteady or 0
    for _, e in ipairs(c.forward_errors or {}) do out.worst = math.max(out.worst, math.abs(e)) end
    -- The per-stage model's leave-one-out errors are mostly the smallest
    -- run's start-up jitter, which its parts' standard errors carry instead.
    if c.name ~= "stages" then
      for _, e in ipairs(c.loo_errors or {}) do out.worst = math.max(out.worst, math.abs(e)) end
    end
    out.low, out.high = M.interval(out, n_full)
  end
  return out
end

-- interval is the chosen model's interval for n sequences: its projection ±
-- the largest of 5%, its worst forward or leave-one-out error (for the
-- per-stage model: forward only) and, for the per-stage model, twice the
-- standard error of its measured parts at n; for the per-stage model widened
-- to the range its parts' power laws span (stages_bounds), that standard
-- error again beyond it.
function M.interval(choice, n)
  if not choice.worst then return nil end
  local t = M.predict(choice, n)
  local half = t * math.max(0.05, choice.worst)
  local low, high, noise = t, t, 0
  for _, c in ipairs(choice.candidates) do
    if c.name == choice.model then
      noise = 2 * (c.model.se and c.model.se(c.fit, n) or 0)
      half = math.max(half, noise)
      if c.model.bounds then low, high = c.model.bounds(c.fit, n) end
    end
  end
  return math.min(t - half, low - noise), math.max(t + half, high + noise)
end

-- predict gives the chosen model's (or a named candidate's) seconds for n.
function M.predict(choice, n, name)
  for _, c in ipairs(choice.candidates) do
    if c.name == (name or choice.model) then return c.model.predict(c.fit, n) end
  end
  return nil
end

return M
