package merge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/reporters"
	_ "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// report is a finished run on host with the GPUs named by uuids: one suite,
// one passed case with a throughput metric and a pipeline run.
func report(host string, throughput float64, uuids ...string) *result.Report {
	env := result.Environment{Hostname: host, OS: "linux", Arch: "amd64", CPUs: 16, GPUBackend: "sim"}
	for i, u := range uuids {
		env.GPUs = append(env.GPUs, result.GPUInfo{Index: i, UUID: u, Name: "Sim H100"})
	}
	return &result.Report{
		SchemaVersion: result.SchemaVersion,
		StartedAt:     t0,
		FinishedAt:    t0.Add(time.Minute),
		Environment:   env,
		Invocation:    result.Invocation{Vars: map[string]string{"preset": "quick"}, GPUBackend: "sim"},
		Suites: []result.Suite{{
			Name: "scaling", File: "scenarios/scaling.lua", Status: result.Passed,
			Cases: []result.Case{{
				Name: "two gpus", Status: result.Passed,
				Metrics: []result.Metric{{Name: "throughput", Value: throughput, Unit: "seq/s", Better: result.HigherIsBetter}},
				Runs:    []result.Run{{Name: "base", Seconds: 10, Class: result.ExitOK}},
			}},
		}},
	}
}

func TestMergeNodes(t *testing.T) {
	tests := []struct {
		name      string
		inputs    []Input
		wantNodes []string
		wantSuite []string
		figures   int
	}{
		{
			name: "two nodes",
			inputs: []Input{
				{Task: result.Task{ID: "a"}, Report: report("n1", 100, "GPU-1")},
				{Task: result.Task{ID: "b"}, Report: report("n2", 150, "GPU-2")},
			},
			wantNodes: []string{"n1", "n2"},
			wantSuite: []string{"scaling @ n1", "scaling @ n2"},
			figures:   2, // throughput and run.base.wall
		},
		{
			name: "slurm node name wins over the hostname",
			inputs: []Input{
				{Task: result.Task{ID: "a"}, Report: report("host", 100, "GPU-1"), NodeName: "n1"},
				{Task: result.Task{ID: "b"}, Report: report("host", 150, "GPU-1"), NodeName: "n2"},
			},
			wantNodes: []string{"n1", "n2"},
			wantSuite: []string{"scaling @ n1", "scaling @ n2"},
			figures:   2,
		},
		{
			name: "one node with two GPU sets is two nodes",
			inputs: []Input{
				{Task: result.Task{ID: "a"}, Report: report("n1", 100, "GPU-1", "GPU-2")},
				{Task: result.Task{ID: "b"}, Report: report("n1", 150, "GPU-4", "GPU-3")},
			},
			wantNodes: []string{"n1/", "n1/"},
			wantSuite: []string{"scaling @ n1/", "scaling @ n1/"},
			figures:   2,
		},
		{
			name: "the same node twice is one node, and no figure compares it with itself",
			inputs: []Input{
				{Task: result.Task{ID: "a"}, Report: report("n1", 100, "GPU-1")},
				{Task: result.Task{ID: "b"}, Report: report("n1", 110, "GPU-1")},
			},
			wantNodes: []string{"n1"},
			wantSuite: []string{"scaling @ n1", "scaling @ n1"},
			figures:   0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Merge(tt.inputs, Options{})
			if len(rep.Nodes) != len(tt.wantNodes) {
				t.Fatalf("nodes %+v, want %v", rep.Nodes, tt.wantNodes)
			}
			for i, n := range rep.Nodes {
				if !strings.HasPrefix(n.ID, tt.wantNodes[i]) {
					t.Errorf("node %d: id %q, want prefix %q", i, n.ID, tt.wantNodes[i])
				}
				if n.Environment.CPUs != 16 || len(n.GPUUUIDs) == 0 {
					t.Errorf("node %s: environment not kept: %+v", n.ID, n)
				}
			}
			if len(rep.Nodes) == 2 && rep.Nodes[0].ID == rep.Nodes[1].ID {
				t.Errorf("two nodes share the id %q", rep.Nodes[0].ID)
			}
			for i, s := range rep.Suites {
				if !strings.HasPrefix(s.Name, tt.wantSuite[i]) || s.Name != SuiteName("scaling", s.Node) {
					t.Errorf("suite %d: %q (node %q), want %q", i, s.Name, s.Node, tt.wantSuite[i])
				}
			}
			if len(rep.Figures) != tt.figures {
				t.Fatalf("figures %+v, want %d", rep.Figures, tt.figures)
			}
			for _, f := range rep.Figures {
				if f.Suite != "scaling" || f.Case != "two gpus" || len(f.Values) != 2 {
					t.Errorf("figure %+v", f)
				}
			}
			for _, task := range rep.Tasks {
				if task.State != result.TaskOK || task.Suites != 1 || task.Node == "" {
					t.Errorf("task %+v", task)
				}
			}
		})
	}
}

func TestMergeFigureValues(t *testing.T) {
	rep := Merge([]Input{
		{Task: result.Task{ID: "a"}, Report: report("a100-1", 100, "GPU-1")},
		{Task: result.Task{ID: "b"}, Report: report("h100-1", 180, "GPU-2")},
	}, Options{})
	f := rep.Figures[0]
	if f.Name != "throughput" || f.Unit != "seq/s" || f.Better != result.HigherIsBetter {
		t.Fatalf("figure %+v", f)
	}
	want := []result.NodeValue{{Node: "a100-1", Value: 100}, {Node: "h100-1", Value: 180}}
	for i, v := range f.Values {
		if v != want[i] {
			t.Errorf("value %d: %+v, want %+v", i, v, want[i])
		}
	}
	if rep.Invocation.Vars["preset"] != "quick" || rep.Invocation.GPUBackend != "sim" {
		t.Errorf("common invocation not kept: %+v", rep.Invocation)
	}
	if rep.Environment.Hostname != "2 nodes: a100-1, h100-1" || len(rep.Environment.GPUs) != 2 {
		t.Errorf("environment %+v", rep.Environment)
	}
}

func TestMergeFailedTasks(t *testing.T) {
	exit := 143
	partial := report("n2", 120, "GPU-2")
	partial.Partial, partial.Interrupted = true, true
	partial.Suites[0].Cases = append(partial.Suites[0].Cases, result.Case{Name: "four gpus", Status: result.Running})
	cut := report("n3", 130, "GPU-3") // ended between two tests
	interrupted := report("n6", 120, "GPU-6")
	interrupted.Interrupted = true
	interrupted.Suites[0].Cases = append(interrupted.Suites[0].Cases, result.Case{Name: "four gpus", Status: result.Errored,
		Error: &result.Error{Message: "interrupted; the pipeline was ended"}})
	tests := []struct {
		name     string
		in       Input
		state    result.TaskState
		suite    string
		contains string // in the errored case's message
		cases    int    // in the marked suite; 0: not checked
	}{
		{
			name:     "timed out mid-test: the running test errors with slurm's reason",
			in:       Input{Task: result.Task{ID: "12_1", State: result.TaskTimeout, Slurm: "TIMEOUT", ExitCode: &exit, Reason: "*** JOB 13 ON n2 CANCELLED AT 2026-11-30T09:01:00 DUE TO TIME LIMIT ***"}, Report: partial},
			state:    result.TaskTimeout,
			suite:    "scaling @ n2",
			contains: "DUE TO TIME LIMIT",
		},
		{
			name:     "benchctl's interrupt at the time limit: the interrupted test carries slurm's reason",
			in:       Input{Task: result.Task{ID: "12_4", State: result.TaskTimeout, Reason: "*** JOB 16 ON n6 CANCELLED AT 2026-11-30T09:01:00 DUE TO TIME LIMIT ***"}, Report: interrupted},
			state:    result.TaskTimeout,
			suite:    "scaling @ n6",
			contains: "DUE TO TIME LIMIT *** (benchctl: interrupted",
			cases:    2,
		},
		{
			name:     "cut between tests: an errored case says the rest did not run",
			in:       Input{Task: result.Task{ID: "12_2", State: result.TaskCancelled, Slurm: "CANCELLED", Reason: "*** JOB 14 ON n3 CANCELLED AT 2026-11-30T09:01:00 ***"}, Report: cut},
			state:    result.TaskCancelled,
			suite:    "scaling @ n3",
			contains: "did not run",
		},
		{
			name:     "node died, no result: an errored suite named for the scenario and partition",
			in:       Input{Task: result.Task{ID: "12_3", Scenario: "/s/peak_memory_per_stage.lua", Partition: "h100", State: result.TaskNodeFail, Slurm: "NODE_FAIL", Reason: "node n4 stopped answering"}},
			state:    result.TaskNodeFail,
			suite:    "peak_memory_per_stage @ h100",
			contains: "NODE_FAIL",
		},
		{
			name:     "plain partial result without slurm",
			in:       Input{Task: result.Task{ID: "copied/n5"}, Report: func() *result.Report { r := report("n5", 1, "GPU-5"); r.Partial = true; return r }()},
			state:    result.TaskFailed,
			suite:    "scaling @ n5",
			contains: "partial",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok := Input{Task: result.Task{ID: "12_0"}, Report: report("n1", 100, "GPU-1")}
			rep := Merge([]Input{ok, tt.in}, Options{})
			if len(rep.Tasks) != 2 || rep.Tasks[0].State != result.TaskOK || rep.Tasks[1].State != tt.state {
				t.Fatalf("tasks %+v", rep.Tasks)
			}
			if rep.Suites[0].Status != result.Passed {
				t.Errorf("the good task's suite is %s", rep.Suites[0].Status)
			}
			s := rep.Suites[len(rep.Suites)-1]
			if s.Name != tt.suite || s.Status != result.Errored {
				t.Fatalf("suite %q %s, want %q errored", s.Name, s.Status, tt.suite)
			}
			msg := s.Error
			for _, c := range s.Cases {
				if c.Status == result.Errored {
					msg += c.Error.Message
				}
				if c.Status == result.Running {
					t.Errorf("case %q still running in the merged result", c.Name)
				}
			}
			if !strings.Contains(msg, tt.contains) || !strings.Contains(msg, tt.in.Task.ID) {
				t.Errorf("message %q does not carry %q and the task id", msg, tt.contains)
			}
			if tt.cases > 0 && len(s.Cases) != tt.cases {
				t.Errorf("%d cases, want %d: a case was added or lost", len(s.Cases), tt.cases)
			}
			if tt.in.Report != nil && tt.in.Report.Suites[0].Status != result.Passed {
				t.Errorf("the input was changed")
			}
		})
	}
}

func TestMergeAgain(t *testing.T) {
	first := Merge([]Input{
		{Task: result.Task{ID: "a"}, Report: report("n1", 100, "GPU-1")},
		{Task: result.Task{ID: "b"}, Report: report("n2", 150, "GPU-2")},
	}, Options{})
	again := Merge([]Input{
		{Task: result.Task{ID: "merged"}, Report: first},
		{Task: result.Task{ID: "c"}, Report: report("n3", 170, "GPU-3")},
	}, Options{})
	if len(again.Nodes) != 3 || len(again.Tasks) != 3 || len(again.Suites) != 3 {
		t.Fatalf("nodes %d tasks %d suites %d, want 3 each", len(again.Nodes), len(again.Tasks), len(again.Suites))
	}
	if again.Suites[2].Name != "scaling @ n2" {
		t.Errorf("a carried suite was renamed again: %q", again.Suites[2].Name)
	}
	if len(again.Figures) == 0 || len(again.Figures[0].Values) != 3 {
		t.Errorf("figures %+v, want three nodes side by side", again.Figures)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	jsonRep, err := reporters.Get("json")
	if err != nil {
		t.Fatal(err)
	}
	write := func(path string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := jsonRep.Render(report("n1", 1, "GPU-1"))
	write(filepath.Join(dir, "copied", "n1", "results.json"), data)
	write(filepath.Join(dir, "copied", "n2", "deeper", "results.json"), data)
	write(filepath.Join(dir, "other", "results.json"), []byte(strings.Replace(string(data), `"schema_version": 1`, `"schema_version": 7`, 1)))
	write(filepath.Join(dir, "empty", "notes.txt"), []byte("x"))
	tests := []struct {
		path    string
		want    int
		wantErr string
	}{
		{path: "copied", want: 2},
		{path: "copied/n1", want: 1},
		{path: "copied/n1/results.json", want: 1},
		{path: "other", wantErr: "other/results.json: unsupported report: schema version 7, want 1"},
		{path: "empty", wantErr: "no results.json here or below"},
		{path: "absent", wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			ins, err := Load(filepath.Join(dir, tt.path))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(ins) != tt.want {
				t.Fatalf("%d inputs, err %v; want %d", len(ins), err, tt.want)
			}
			for _, in := range ins {
				if in.Report == nil || in.Task.Source == "" || strings.HasSuffix(in.Task.Source, ResultsFile) {
					t.Errorf("input %+v", in.Task)
				}
			}
		})
	}
}

func TestText(t *testing.T) {
	rep := Merge([]Input{
		{Task: result.Task{ID: "1_0"}, Report: report("a100-1", 100, "GPU-1")},
		{Task: result.Task{ID: "1_1"}, Report: report("h100-1", 180, "GPU-2")},
		{Task: result.Task{ID: "1_2"}, Report: report("h100-1", 190, "GPU-2")},
		{Task: result.Task{ID: "1_3", Scenario: "/s/x.lua", State: result.TaskTimeout, Reason: "DUE TO TIME LIMIT"}},
	}, Options{})
	figs := FiguresText(rep)
	for _, want := range []string{"a100-1", "h100-1", "100 seq/s", "185 seq/s ×2", "run.base.wall"} {
		if !strings.Contains(figs, want) {
			t.Errorf("figures table lacks %q:\n%s", want, figs)
		}
	}
	if got := TasksText(rep); got != "task 1_3 timeout (/s/x.lua): DUE TO TIME LIMIT\n" {
		t.Errorf("tasks text %q", got)
	}
	if got := Summary(rep); got != "merged 4 tasks (3 ok, 1 timeout) from 2 nodes: 4 suites" {
		t.Errorf("summary %q", got)
	}
}
