-- lib.stats: small numeric helpers for scenarios.
local M = {}

-- mean of a list of numbers (nil for an empty list)
function M.mean(xs)
  if #xs == 0 then return nil end
  local s = 0
  for _, x in ipairs(xs) do s = s + x end
  return s / #xs
end

-- sample standard deviation (0 for fewer than two values)
function M.stddev(xs)
  if #xs < 2 then return 0 end
  local m = M.mean(xs)
  local s = 0
  for _, x in ipairs(xs) do s = s + (x - m) ^ 2 end
  return math.sqrt(s / (#xs - 1))
end

-- median of a list of numbers
function M.median(xs)
  local c = {}
  for i, x in ipairs(xs) do c[i] = x end
  table.sort(c)
  local n = #c
  if n == 0 then return nil end
  if n % 2 == 1 then return c[(n + 1) / 2] end
  return (c[n / 2] + c[n / 2 + 1]) / 2
end

return M
