-- lib.projection: project a pipeline's time for a large input from runs of
-- several sizes, separating the fixed start-up cost from the per-sequence cost.
--
-- A naive projection (time per sequence times sequences) charges the start-up
-- (interpreter, CUDA context, model build) once per sequence and overestimates
-- small runs' cost per sequence. Here wall time is fitted as
--   t(n) = fixed + per_seq * n
-- by least squares over the measured (n, t) points, and the projection for N
-- sequences carries the standard error of the fit.
local M = {}

-- fit returns { fixed, per_seq, fixed_se, per_seq_se, points } from a list of
-- { n = sequences, t = seconds }. With two points the fit is exact and the
-- standard errors are nil (unknown): use three or more sizes for an uncertainty.
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

-- project returns the projected seconds for n sequences and its standard error
-- (nil when the fit has no residual degrees of freedom).
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

return M
