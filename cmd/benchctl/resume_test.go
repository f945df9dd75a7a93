package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/proctree"
	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/runrecord"
)

// resumeTests are the tests of testdata/resume/steps.lua and more.lua in
// order, with the status each has once the gate is open.
var resumeTests = []struct {
	name   string
	status result.Status
}{
	{"one", result.Passed}, {"two fails", result.Failed}, {"gate", result.Passed}, {"four", result.Passed},
	{"five", result.Passed}, {"six skips", result.Skipped},
}

// TestResume interrupts a run while its third test waits (SIGINT, and
// SIGKILL: a crash that leaves the test marked running), then resumes it:
// the two finished tests are kept as they were and not run again, the
// interrupted one and the rest run, and results.json and the JUnit report
// the first run asked for cover the whole run.
func TestResume(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			dir, state := t.TempDir(), t.TempDir()
			cmd := exec.Command(benchctlBin, "run", "-q", "--gpu-backend", "none", "--results-dir", dir, "--var", "state="+state,
				"--out", "junit="+dir+"/junit.xml", "testdata/resume/steps.lua", "testdata/resume/more.lua")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			watch := watchTree(cmd.Process.Pid)
			waitFor(t, "the gate to be waited on", func() bool {
				data, _ := os.ReadFile(dir + "/results.json")
				ran, _ := os.ReadFile(state + "/ran")
				running, _ := os.ReadFile(dir + "/" + pipeline.RunningFile)
				return strings.Contains(string(ran), "gate") && bytes.Contains(data, []byte(`"status": "running"`)) &&
					bytes.Contains(data, []byte(`"name": "gate"`)) && bytes.Contains(running, []byte("open"))
			})
			time.Sleep(100 * time.Millisecond) // the gate's pipeline is running
			cmd.Process.Signal(sig)
			if err := cmd.Wait(); sig == syscall.SIGINT {
				if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
					t.Errorf("exit %v, want 130", err)
				}
			}
			seen := watch.finish()
			if sig == syscall.SIGKILL {
				// The supervisor ends the gate's tree after its grace period.
				var left []int
				for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
					if left = survivors(seen); len(left) == 0 || time.Now().After(deadline) {
						break
					}
				}
				if len(left) > 0 {
					t.Errorf("the killed run's pipeline survived: %v", left)
				}
				if _, err := os.Stat(dir + "/" + pipeline.RunningFile); err != nil {
					t.Errorf("the running pipeline was not recorded: %v", err)
				}
			}
			killAll(survivors(seen))
			first := readReport(t, dir+"/results.json")
			record, _ := os.ReadFile(dir + "/" + runrecord.File)
			cases := first.Suites[0].Cases
			if len(cases) != 3 || cases[0].Status != result.Passed || cases[1].Status != result.Failed {
				t.Fatalf("first run: %+v\n%s", cases, stderr.String())
			}
			if want := map[syscall.Signal]result.Status{syscall.SIGINT: result.Errored, syscall.SIGKILL: result.Running}[sig]; cases[2].Status != want {
				t.Fatalf("gate: %s, want %s", cases[2].Status, want)
			}

			if err := os.WriteFile(state+"/open", nil, 0o644); err != nil {
				t.Fatal(err)
			}
			r := benchctl(t, "run", "--resume", dir)
			if r.code != 1 {
				t.Fatalf("resume: exit %d, want 1 (a test failed)\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, "resuming "+dir+": 2 finished tests kept") {
				t.Errorf("stderr does not say what is kept:\n%s", r.stderr)
			}
			rep := readReport(t, dir+"/results.json")
			if rep.Partial || rep.Interrupted || len(rep.Suites) != 2 {
				t.Fatalf("resumed report: partial %v interrupted %v, %d suites", rep.Partial, rep.Interrupted, len(rep.Suites))
			}
			if !rep.StartedAt.Equal(first.StartedAt) {
				t.Errorf("started_at %v, want the first run's %v", rep.StartedAt, first.StartedAt)
			}
			all := append(rep.Suites[0].Cases, rep.Suites[1].Cases...)
			if len(all) != len(resumeTests) {
				t.Fatalf("%d cases, want %d", len(all), len(resumeTests))
			}
			for i, want := range resumeTests {
				if all[i].Name != want.name || all[i].Status != want.status {
					t.Errorf("case %d: %q %s, want %q %s", i, all[i].Name, all[i].Status, want.name, want.status)
				}
			}
			for i := range 2 { // kept as they were
				if !all[i].StartedAt.Equal(cases[i].StartedAt) || all[i].Seconds != cases[i].Seconds || all[i].Workdir != cases[i].Workdir {
					t.Errorf("case %q was not kept: %+v, was %+v", all[i].Name, all[i], cases[i])
				}
			}
			if got := readLines(t, state+"/ran"); strings.Join(got, ",") != "one,two,gate,gate,four,five" {
				t.Errorf("tests ran: %v; the finished ones must not run again", got)
			}
			xmllint(t, dir+"/junit.xml")
			junit, _ := os.ReadFile(dir + "/junit.xml")
			if n := bytes.Count(junit, []byte("<testcase ")); n != len(resumeTests) {
				t.Errorf("junit has %d testcases, want %d", n, len(resumeTests))
			}
			if now, _ := os.ReadFile(dir + "/" + runrecord.File); !bytes.Equal(now, record) {
				t.Error("the record was rewritten by the resumed run")
			}

			// Resuming a finished run runs nothing and reports the same.
			r = benchctl(t, "run", "-q", "--resume", dir)
			again := readReport(t, dir+"/results.json")
			if r.code != 1 || len(again.Suites[0].Cases)+len(again.Suites[1].Cases) != len(resumeTests) {
				t.Errorf("second resume: exit %d\n%s", r.code, r.stderr)
			}
			if got := readLines(t, state+"/ran"); len(got) != 6 {
				t.Errorf("a second resume ran tests again: %v", got)
			}
		})
	}
}

// TestResumeRefusals: --resume refuses, with exit 2 and one line per
// difference, a run asked differently from the one recorded, and leaves the
// results dir as it was. The same run asked in other words is resumed.
func TestResumeRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		args  []string // after run -q; DIR is the case's dir
		code  int
		lines []string // the first, then one per difference
	}{
		{name: "other var value", args: []string{"--resume", "DIR/a", "--var", "x=2"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing to resume: what was asked differs from the run recorded there:", `  --var x: recorded "1", given "2"`}},
		{name: "a var left out, another added", args: []string{"--resume", "DIR/a", "--var", "y=1"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", `  --var x: recorded "1", not given`, `  --var y: not recorded, given "1"`}},
		{name: "other scenarios", args: []string{"--resume", "DIR/a", "testdata/outcomes.lua"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", "  scenarios: recorded DIR/s.lua, given testdata/outcomes.lua"}},
		{name: "scenario changed", setup: changedScenario, args: []string{"--resume", "DIR/a"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", "  scenario DIR/s.lua: changed since the run (sha256 "}},
		{name: "scenario removed", setup: func(t *testing.T, dir string) { os.Remove(dir + "/s.lua") }, args: []string{"--resume", "DIR/a"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", "  scenario DIR/s.lua: cannot be read any more"}},
		{name: "other backend", args: []string{"--resume", "DIR/a", "--gpu-backend", "sim"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", `  --gpu-backend: recorded "none", given "sim"`}},
		{name: "other sample interval", args: []string{"--resume", "DIR/a", "--sample-interval", "20ms"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", `  --sample-interval: recorded "10ms", given "20ms"`}},
		{name: "other sim memory", args: []string{"--resume", "DIR/a", "--sim-memory", "40GiB"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", `  --sim-memory: recorded "80GiB", given "40GiB"`}},
		{name: "accounting off", args: []string{"--resume", "DIR/a", "--accounting=false"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", `  --accounting: recorded "true", given "false"`}},
		{name: "other simulated GPUs", args: []string{"--resume", "DIR/a", "--sim-gpus", "8"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", `  --sim-gpus: recorded "4", given "8"`}},
		{name: "another backend opened", setup: editRecord(`"backend": "none"`, `"backend": "nvml"`), args: []string{"--resume", "DIR/a"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", "  gpu backend: recorded nvml, opened none"}},
		{name: "other tags", args: []string{"--resume", "DIR/a", "--tags", "gpu"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", `  --tags: recorded "", given "gpu"`}},
		{name: "three differences", args: []string{"--resume", "DIR/a", "--var", "x=2", "--gpu-backend", "sim", "--tags", "gpu"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: refusing", `  --var x: recorded "1", given "2"`, `  --tags: recorded "", given "gpu"`,
				`  --gpu-backend: recorded "none", given "sim"`}},
		{name: "another results dir", args: []string{"--resume", "DIR/a", "--results-dir", "DIR/b"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: --results-dir DIR/b: a resumed run writes into the dir it resumes"}},
		{name: "results of another run", setup: mixedRuns, args: []string{"--resume", "DIR/a"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: results.json is of another run than invocation.json (started "}},
		{name: "no record", setup: func(t *testing.T, dir string) { os.Remove(dir + "/a/" + runrecord.File) }, args: []string{"--resume", "DIR/a"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: no invocation.json: the run was not recorded for resuming"}},
		{name: "a corrupt record", setup: writeFile("a/"+runrecord.File, "{"), args: []string{"--resume", "DIR/a"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: invocation.json: unexpected end of JSON input"}},
		{name: "results that are not JSON", setup: writeFile("a/results.json", "<testsuites/>"), args: []string{"--resume", "DIR/a"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: results.json: not a JSON report: invalid character '<' looking for beginning of value at byte 1 (it looks like XML: a JUnit report?)"}},
		{name: "a file, not a dir", args: []string{"--resume", "DIR/a/results.json"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a/results.json: not a directory"}},

		{name: "its pipeline still running", setup: runningPipeline(true), args: []string{"--resume", "DIR/a"}, code: 2,
			lines: []string{"benchctl: --resume DIR/a: the interrupted run's pipeline is still running (sleep 60, pid "}},

		{name: "its pipeline's pid now another process's", setup: runningPipeline(false), args: []string{"--resume", "DIR/a"}, code: 0},
		{name: "its pipeline.json a link to /dev/zero", setup: func(t *testing.T, dir string) {
			if err := os.Symlink("/dev/zero", dir+"/a/"+pipeline.RunningFile); err != nil {
				t.Fatal(err)
			}
		}, args: []string{"--resume", "DIR/a"}, code: 0},
		{name: "nothing given: all from the record", args: []string{"--resume", "DIR/a"}, code: 0},
		{name: "the same run in other words", args: []string{"--resume", "DIR/a", "--results-dir", "DIR/a/", "--var", "x=1",
			"--sample-interval", "0.01s", "--sim-memory", "85899345920", "--gpu-backend", "none", "DIR/s.lua"}, code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			finishedRun(t, dir)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			before, _ := os.ReadFile(dir + "/a/results.json")
			args := []string{"run", "-q"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "DIR", dir))
			}
			r := benchctl(t, args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			got := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if len(tt.lines) == 0 {
				got = nil
				if r.stderr != "" {
					got = strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
				}
			}
			if len(got) != len(tt.lines) {
				t.Fatalf("stderr has %d lines, want %d:\n%s", len(got), len(tt.lines), r.stderr)
			}
			for i, want := range tt.lines {
				if want = strings.ReplaceAll(want, "DIR", dir); !strings.HasPrefix(got[i], want) && !(i > 0 && containsLine(got, want)) {
					t.Errorf("line %d %q, want %q", i, got[i], want)
				}
			}
			after, _ := os.ReadFile(dir + "/a/results.json")
			if tt.code == 2 && !bytes.Equal(before, after) {
				t.Error("a refused resume changed results.json")
			}
			if tt.code == 0 {
				rep := readReport(t, dir+"/a/results.json")
				if len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 1 || rep.Suites[0].Cases[0].Status != result.Passed || rep.Partial {
					t.Errorf("resumed report: %+v", rep.Suites)
				}
				if got := readLines(t, dir+"/a/ran"); len(got) != 1 {
					t.Errorf("the finished test ran again: %v", got)
				}
			}
		})
	}
}

func containsLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// tinyScenario reads --var x and leaves a mark in the file "ran" of its
// results dir (two levels above the test's work dir) each time its test runs.
const tinyScenario = `local bench = require("bench")
local x = bench.var("x", "1")
bench.test("a", function(t)
  local run = bench.pipeline.run { cmd = { "sh", "-c", 'echo a >> "$1/../../ran"', "mark", t.workdir } }
  t:expect(run.class, "class"):eq("ok")
end)
`

// finishedRun runs DIR/s.lua to its end into DIR/a, with --var x=1.
func finishedRun(t *testing.T, dir string) {
	t.Helper()
	runTiny(t, dir, "a")
}

func runTiny(t *testing.T, dir, results string) {
	t.Helper()
	if err := os.WriteFile(dir+"/s.lua", []byte(tinyScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	r := benchctl(t, "run", "-q", "--gpu-backend", "none", "--results-dir", filepath.Join(dir, results),
		"--var", "x=1", dir+"/s.lua")
	if r.code != 0 {
		t.Fatalf("the run to resume failed: exit %d\n%s", r.code, r.stderr)
	}
}

// mixedRuns leaves in DIR/a the results of one run and the record of another.
func mixedRuns(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir + "/a"); err != nil {
		finishedRun(t, dir)
	}
	runTiny(t, dir, "b")
	data, err := os.ReadFile(dir + "/b/" + runrecord.File)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/a/"+runrecord.File, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// changedScenario edits DIR/s.lua after the run in DIR/a.
func changedScenario(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir + "/a"); err != nil {
		finishedRun(t, dir)
	}
	f, err := os.OpenFile(dir+"/s.lua", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("-- edited after the run\n")
	f.Close()
}

// editRecord replaces old by new in the record of the run in DIR/a, as a
// record of a run where --gpu-backend auto found a GPU.
func editRecord(old, new string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		path := dir + "/a/" + runrecord.File
		data, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(data, []byte(old)) {
			t.Fatalf("record %s lacks %s: %v", path, old, err)
		}
		if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runningPipeline leaves in DIR/a the record of a pipeline still running, as
// a killed benchctl whose supervisor was killed too would: a live sleep, by
// its identity (alive), or by its pid with another start time (its pid
// since taken by another process).
func runningPipeline(alive bool) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		cmd := exec.Command("sleep", "60")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		id := proctree.Identity{PID: cmd.Process.Pid, Start: procStart(cmd.Process.Pid)}
		if !alive {
			id.Start--
		}
		err := proctree.WriteRunning(dir+"/a/"+pipeline.RunningFile, proctree.Running{Pipeline: id, Argv: []string{"sleep", "60"}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

// waitFor polls cond until it holds, for at most 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
