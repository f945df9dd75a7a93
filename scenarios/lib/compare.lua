-- lib.compare: speed-ups between configurations measured with repeated runs.
local stats = require("lib.stats")
local M = {}

-- speedup of a configuration against a baseline from their repeated wall times:
-- ratio of medians, and its spread from the relative standard deviations.
function M.speedup(base_times, times)
  local mb, mc = stats.median(base_times), stats.median(times)
  local rel = 0
  if #base_times > 1 then rel = rel + (stats.stddev(base_times) / stats.mean(base_times)) ^ 2 end
  if #times > 1 then rel = rel + (stats.stddev(times) / stats.mean(times)) ^ 2 end
  local s = mb / mc
  return s, s * math.sqrt(rel)
end

-- fmt formats a number with the given decimals.
function M.fmt(x, decimals)
  if x == nil then return "-" end
  return string.format("%." .. (decimals or 2) .. "f", x)
end

return M
