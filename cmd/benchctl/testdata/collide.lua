-- Tests whose names come to the same work dir, or lead out of the results
-- dir: each must get a work dir of its own, inside the results dir. Each
-- writes its name into its work dir through a pipeline.
local bench = require("bench")
bench.suite { name = ".." }
local long = string.rep("x", 100)
for _, name in ipairs({ "a b", "a/b", long .. "1", long .. "2", "..", "../../escape" }) do
  bench.test(name, function(t)
    local r = bench.pipeline.run { cmd = { "sh", "-c", 'printf "%s\n" "$1" > name', "sh", t.name }, cwd = t.workdir }
    t:expect(r.exit_code, "exit code"):eq(0)
  end)
end
