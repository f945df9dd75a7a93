package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// The memory guard sleeps while Lua is parked in a pipeline run, and guards
// again as soon as Lua runs: a test that waits a second on its pipeline costs
// a few heap reads, not 500, and a string bomb after the run still ends its
// test on the budget.
func TestMemoryGuardSleepsThroughPipelineRuns(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		src := "local bench = require(\"bench\")\nbench.suite { name = \"park\" }\n" + body
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	run := func(scenario string) (*Engine, result.Case) {
		t.Helper()
		e := New(Options{ResultsDir: filepath.Join(dir, filepath.Base(scenario)+".results"), Backend: probes.None("test"),
			Log: zerolog.Nop(), MemoryBudget: 256 << 20})
		rep := &result.Report{}
		if err := e.Run(context.Background(), []string{scenario}, rep); err != nil {
			t.Fatal(err)
		}
		return e, rep.Suites[0].Cases[0]
	}

	e, waits := run(write("waits.lua", `bench.test("waits on its pipeline", function(t)
  local r = bench.pipeline.run { cmd = { "sleep", "1" } }
  t:expect(r.class, "class"):eq("ok")
end)
`))
	if waits.Status != result.Passed {
		t.Fatalf("waits on its pipeline: %s %+v", waits.Status, waits.Failures)
	}
	// Awake, the guard reads the heap every memoryPoll: about 500 times
	// through the one-second sleep (over 100 on a loaded machine, whose
	// ticker drops ticks). Parked, it reads only while Lua runs.
	if reads := e.park.reads.Load(); reads > 40 {
		t.Errorf("the guard read the heap %d times over a test that waited 1 s on its pipeline: it did not sleep through the run", reads)
	}

	_, bomb := run(write("bomb.lua", `bench.test("allocates after a run", function(t)
  bench.pipeline.run { cmd = { "true" } }
  local parts, s = {}, string.rep("x", 1048576)
  for i = 1, 4096 do parts[i] = s .. i end
end)
`))
	if bomb.Status != result.Errored || bomb.Error == nil || !strings.Contains(bomb.Error.Message, "memory budget") {
		t.Fatalf("allocates after a run: %s %+v, want an error on the memory budget", bomb.Status, bomb.Error)
	}
}
