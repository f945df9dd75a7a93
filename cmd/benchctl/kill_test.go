package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/proctree"
	reportjson "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/result/schema"
)

// TestKillLeavesValidReports kills benchctl with SIGKILL mid-run, which it
// cannot catch: every report it leaves must be whole and valid (results.json
// against the schema, JUnit against its schema, one testcase per case), hold
// only finished tests in order, and --resume must take the run up and finish
// it with every test once.
func TestKillLeavesValidReports(t *testing.T) {
	junit := newJUnitChecker(t)
	const n = 3000
	dir := t.TempDir()
	cmd := exec.Command(benchctlBin, "run", "-q", "--gpu-backend", "none", "--results-dir", dir,
		"--var", "n=3000", "--var", "spin=50000", "--out", "junit="+dir+"/junit.xml", "--out", "markdown="+dir+"/summary.md", "testdata/many.lua")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "results.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no report was written:\n%s", stderr.String())
		}
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()

	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(data); err != nil {
		t.Fatalf("results.json after SIGKILL: %v", err)
	}
	rep, err := reportjson.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Partial && len(rep.Suites) == 1 && len(rep.Suites[0].Cases) == n {
		t.Skip("the run ended before the kill: the machine is faster than this test assumes")
	}
	if !rep.Partial || len(rep.Suites) != 1 {
		t.Fatalf("partial=%v suites=%d", rep.Partial, len(rep.Suites))
	}
	cases := rep.Suites[0].Cases
	for i, c := range cases {
		if want := "t" + strconv.Itoa(i+1); c.Name != want || (c.Status != result.Passed && c.Status != result.Running) {
			t.Fatalf("case %d: %q %s, want %q passed", i, c.Name, c.Status, want)
		}
	}
	if err := junit.check(filepath.Join(dir, "junit.xml")); err != nil {
		t.Error(err)
	}
	xml, _ := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if got := bytes.Count(xml, []byte("<testcase ")); got != len(cases) {
		t.Errorf("junit has %d testcases, results.json %d cases", got, len(cases))
	}

	r := benchctl(t, "run", "-q", "--resume", dir)
	if r.code != 0 {
		t.Fatalf("--resume after SIGKILL: exit %d\n%s", r.code, r.stderr)
	}
	final := readReport(t, filepath.Join(dir, "results.json"))
	if final.Partial || len(final.Suites) != 1 || len(final.Suites[0].Cases) != n {
		t.Fatalf("resumed run: partial=%v, %d cases, want %d", final.Partial, len(final.Suites[0].Cases), n)
	}
}

// spawnScenario's test runs a pipeline that ignores SIGTERM and leaves a
// child (its pid in the results dir's file "child"), until the results dir
// holds the file "again".
const spawnScenario = `local bench = require("bench")
bench.test("spawns", function(t)
  local run = bench.pipeline.run { cmd = { "sh", "-c",
    'd="$1/../.."; [ -e "$d/again" ] && exit 0; trap "" TERM; sleep 300 & echo $! > "$d/child"; wait', "spawn", t.workdir },
    timeout = "10m" }
  t:expect(run.class, "class"):eq("ok")
end)
`

// TestKillBenchctlAndSupervisor kills benchctl and its supervisor at once
// (kill -9 of both): the pipeline's own process ends with the supervisor (its
// parent-death signal), even though it ignores SIGTERM; the child it started
// is out of benchctl's reach and survives, and --resume refuses while it
// lives, naming it, and takes the run up once it is gone.
func TestKillBenchctlAndSupervisor(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/s.lua", []byte(spawnScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	results := dir + "/r"
	cmd := exec.Command(benchctlBin, "run", "-q", "--gpu-backend", "none", "--results-dir", results, dir+"/s.lua")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var running proctree.Running
	waitFor(t, "the pipeline and its child to start", func() bool {
		var err error
		running, err = proctree.ReadRunning(results + "/" + pipeline.RunningFile)
		_, cerr := os.Stat(results + "/child")
		return err == nil && cerr == nil
	})
	data, _ := os.ReadFile(results + "/child")
	child, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("child pid %q: %v", data, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(child, syscall.SIGKILL) })
	for _, pid := range []int{cmd.Process.Pid, running.Supervisor.PID} {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	}
	_ = cmd.Wait()
	waitFor(t, "the pipeline to end with its supervisor", func() bool { return !running.Pipeline.Alive() })

	r := benchctl(t, "run", "-q", "--resume", results)
	if want := "the interrupted run's pipeline is still running"; r.code != 2 || !strings.Contains(r.stderr, want) ||
		!strings.Contains(r.stderr, strconv.Itoa(child)) {
		t.Fatalf("--resume beside the surviving child: exit %d, want 2 and %q naming pid %d\n%s", r.code, want, child, r.stderr)
	}
	_ = syscall.Kill(child, syscall.SIGKILL)
	waitFor(t, "the child to end", func() bool { return !proctree.Alive(child) })
	if err := os.WriteFile(results+"/again", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := benchctl(t, "run", "-q", "--resume", results); r.code != 0 {
		t.Fatalf("--resume once the tree is gone: exit %d\n%s", r.code, r.stderr)
	}
}
