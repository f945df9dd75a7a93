-- lib.projection's per-stage model on runs whose stages carry the pipeline's
-- own times (no pipeline: the runs are built from a model with known
-- answers). The stages cost what a one-GPU virnucsim run on an H200 cost
-- (BENCHMARKS.md, section 6); the time between the pipeline's own stages
-- (worker start, model loading) is either
--   drift  a fixed cost that drifted up through the three small runs (36.2,
--          38.2, 41.4 s, as measured) and took 40.0 s at 12,000: a fit reads
--          it as a slope;
--   grows  a cost that truly grows with the input (10 s + 8 ms a sequence):
--          taking it as fixed would miss, and the forward validation has to
--          see that and choose another model.
-- Records each model's error at 12,000, the chosen one's, whether the truth
-- lies inside the interval, and whether the per-stage model was chosen.
local bench = require("bench")
local projection = require("lib.projection")

bench.suite { name = "between_stages", description = "the per-stage projection of the time between a pipeline's own stages" }

local shape = bench.var("gap", "drift")
projection.between = bench.var("between_stages", "fixed")

local sizes, verify = { 750, 1500, 3000 }, 12000
local drift = { [750] = 36.2, [1500] = 38.2, [3000] = 41.4, [12000] = 40.0 }

local function gap(n, i)
  if shape == "grows" then return 10 + 0.008 * n end
  return drift[n]
end

-- run builds one run of n sequences: its stages' own times, its windows (the
-- time between stages falls in the protein_split window, as it does when
-- workers start after the file splitting) and its total.
local function run(n)
  local own = { chunking = 0, translation = 0.00035 * n, nucleotide_split = 0, protein_split = 0,
    dnabert = 0.7 + 0.0015 * n, esm = 1.0 + 0.0087 * n, merge = 0, predict = 0.1, consensus = 0.00002 * n }
  local order = { "chunking", "translation", "nucleotide_split", "protein_split", "dnabert", "esm", "merge", "predict", "consensus" }
  local stages, at = {}, 0.2
  for _, name in ipairs(order) do
    local d = own[name] + (name == "protein_split" and gap(n) or 0)
    stages[#stages + 1] = { name = name, start = at, ["end"] = at + d }
    at = at + d
  end
  return { n = n, t = at, stages = stages, own = own }
end

bench.test("projection at 12,000", function(t)
  local points = {}
  for i, n in ipairs(sizes) do points[i] = run(n) end
  local truth = run(verify).t
  local choice = projection.choose(points, verify)
  for _, c in ipairs(choice.candidates) do
    t:metric("error_" .. c.name, (c.model.predict(c.fit, verify) / truth - 1) * 100, "%")
  end
  local chosen = projection.predict(choice, verify)
  local low, high = projection.interval(choice, verify)
  t:metric("error_chosen", (chosen / truth - 1) * 100, "%")
  t:metric("inside", (low <= truth and truth <= high) and 1 or 0)
  t:metric("chose_stages", choice.model == "stages" and 1 or 0)
  t:log(string.format("truth %.1f s; %s projected %.1f s [%.1f, %.1f]", truth, choice.model, chosen, low, high))
end)
