package runrecord

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	reportjson "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
)

// writeRun writes a results dir holding rep's results.json and rec's record.
func writeRun(t *testing.T, rep *result.Report, rec *Record) string {
	t.Helper()
	dir := t.TempDir()
	if rep != nil {
		data, err := reportjson.New().Render(rep)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "results.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if rec != nil {
		data, err := rec.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, File), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRead(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rep := &result.Report{SchemaVersion: result.SchemaVersion, StartedAt: start}
	scenario := filepath.Join(t.TempDir(), "s.lua")
	if err := os.WriteFile(scenario, []byte("-- s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := New([]string{"run", scenario}, []string{scenario}, map[string]string{"k": "v"}, nil, map[string]string{"gpus": ""}, []string{"md=-"})
	rec.StartedAt = start
	other := rec
	other.StartedAt = start.Add(time.Hour)
	old := rec
	old.Version = Version + 1
	tests := []struct {
		name    string
		dir     func(t *testing.T) string
		wantErr string
	}{
		{"a recorded run", func(t *testing.T) string { return writeRun(t, rep, &rec) }, ""},
		{"missing dir", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }, "no such file or directory"},
		{"a file", func(t *testing.T) string { return scenario }, "not a directory"},
		{"ended before the first test", func(t *testing.T) string { return writeRun(t, nil, &rec) }, "ended before its first test"},
		{"not a results dir", func(t *testing.T) string { return t.TempDir() }, "not the results dir of a benchctl run"},
		{"no record", func(t *testing.T) string { return writeRun(t, rep, nil) }, "no invocation.json"},
		{"another run's report", func(t *testing.T) string { return writeRun(t, rep, &other) }, "of another run"},
		{"another version", func(t *testing.T) string { return writeRun(t, rep, &old) }, "version 2, want 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev, got, err := Read(tt.dir(t))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want one line saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !prev.StartedAt.Equal(start) || got.Vars["k"] != "v" || got.Scenarios[0].SHA256 == "" || got.Outs[0] != "md=-" {
				t.Errorf("read back %+v", got)
			}
		})
	}
}

func TestScenarioFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.lua"), filepath.Join(dir, "b.lua")
	for _, f := range []string{a, b} {
		if err := os.WriteFile(f, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rec := New(nil, []string{a, b}, nil, nil, nil, nil)
	tests := []struct {
		name      string
		given     []string
		change    string // a file to change before resuming
		wantFiles []string
		wantDiff  string
	}{
		{"none given: the recorded ones", nil, "", []string{a, b}, ""},
		{"the same given", []string{a, b}, "", []string{a, b}, ""},
		{"other order", []string{b, a}, "", nil, "scenarios: recorded"},
		{"changed content", nil, b, []string{a, b}, "scenario " + b + ": changed since the run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.change != "" {
				if err := os.WriteFile(tt.change, []byte("changed"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			files, diffs := rec.ScenarioFiles(tt.given)
			if !slices.Equal(files, tt.wantFiles) {
				t.Errorf("files = %v, want %v", files, tt.wantFiles)
			}
			if tt.wantDiff == "" && len(diffs) > 0 || tt.wantDiff != "" && (len(diffs) != 1 || !strings.HasPrefix(diffs[0], tt.wantDiff)) {
				t.Errorf("diffs = %q, want %q", diffs, tt.wantDiff)
			}
		})
	}
}

func TestDiffVars(t *testing.T) {
	tests := []struct {
		name     string
		was, now map[string]string
		want     []string
	}{
		{"same", map[string]string{"a": "1"}, map[string]string{"a": "1"}, nil},
		{"changed", map[string]string{"a": "1"}, map[string]string{"a": "2"}, []string{`--var a: recorded "1", given "2"`}},
		{"left out", map[string]string{"a": "1"}, nil, []string{`--var a: recorded "1", not given`}},
		{"new", nil, map[string]string{"b": "2"}, []string{`--var b: not recorded, given "2"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DiffVars(tt.was, tt.now); !slices.Equal(got, tt.want) {
				t.Errorf("DiffVars = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFinishedCases(t *testing.T) {
	rec := Record{Scenarios: []Scenario{{Path: "old/s.lua"}}}
	prev := &result.Report{Suites: []result.Suite{{File: "old/s.lua", Cases: []result.Case{
		{Name: "passed", Status: result.Passed},
		{Name: "failed", Status: result.Failed},
		{Name: "running", Status: result.Running},
		{Name: "interrupted", Status: result.Errored, Error: &result.Error{Message: "interrupted while running x"}},
		{Name: "interrupted run", Status: result.Failed, Runs: []result.Run{{Class: result.ExitInterrupted}}},
		{Name: "errored", Status: result.Errored, Error: &result.Error{Message: "boom"}},
	}}, {File: "other.lua", Cases: []result.Case{{Name: "elsewhere", Status: result.Passed}}}}}
	skip, kept := rec.FinishedCases(prev, []string{"new/s.lua"})
	var names []string
	for n := range skip["new/s.lua"] {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"errored", "failed", "passed"}; !slices.Equal(names, want) || kept != 3 || len(skip) != 1 {
		t.Errorf("kept %d %v of %d files, want %v under new/s.lua", kept, names, len(skip), want)
	}
}
