package outcome

import (
	"testing"
	"time"

	_ "github.com/benchctl/benchctl/internal/golden" // defines -update for go test ./reporters/... -update
	"github.com/benchctl/benchctl/reporters/internal/testfixture"
	"github.com/benchctl/benchctl/result"
)

func TestCount(t *testing.T) {
	got := Count(testfixture.Report())
	want := Totals{Passed: 2, Failed: 2, Skipped: 1, Errors: 2, Interrupted: 1}
	if got != want {
		t.Errorf("Count = %+v, want %+v", got, want)
	}
}

func TestTotalsString(t *testing.T) {
	tests := []struct {
		name string
		in   Totals
		want string
	}{
		{"zero", Totals{}, "0 passed, 0 failed, 0 skipped, 0 errors"},
		{"one error", Totals{Passed: 12, Failed: 1, Skipped: 2, Errors: 1}, "12 passed, 1 failed, 2 skipped, 1 error"},
		{"interrupted", Totals{Passed: 1, Interrupted: 2}, "1 passed, 0 failed, 0 skipped, 0 errors, 2 interrupted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		r    result.Report
		want string
	}{
		{"seconds", result.Report{Seconds: 192}, "0 passed, 0 failed, 0 skipped, 0 errors in 3m12s"},
		{"from start and finish", result.Report{StartedAt: start, FinishedAt: start.Add(450 * time.Millisecond)}, "0 passed, 0 failed, 0 skipped, 0 errors in 450ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(&tt.r); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCases(t *testing.T) {
	tests := []struct {
		name  string
		suite result.Suite
		want  []string
	}{
		{"no load error", result.Suite{Name: "s", File: "s.lua", Cases: []result.Case{{Name: "a"}}}, []string{"a"}},
		{"load error named after the file", result.Suite{Name: "s", File: "s.lua", Error: "boom"}, []string{"s.lua"}},
		{"load error without a file", result.Suite{Name: "s", Error: "boom", Cases: []result.Case{{Name: "a"}}}, []string{"s", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cases := Cases(tt.suite)
			var got []string
			for _, c := range cases {
				got = append(got, c.Name)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
			}
			if tt.suite.Error != "" && (cases[0].Status != result.Errored || cases[0].Error.Message != tt.suite.Error) {
				t.Errorf("load error case %+v", cases[0])
			}
		})
	}
}

func TestProblem(t *testing.T) {
	f := func(msg string) result.Failure { return result.Failure{Message: msg} }
	tests := []struct {
		name string
		c    result.Case
		want string
	}{
		{"passed", result.Case{Status: result.Passed}, ""},
		{"one failure", result.Case{Status: result.Failed, Failures: []result.Failure{f("x: 2, want <= 1")}}, "x: 2, want <= 1"},
		{"two failures", result.Case{Status: result.Failed, Failures: []result.Failure{f("a"), f("b")}}, "a (and 1 more)"},
		{"failure from parts", result.Case{Status: result.Failed, Failures: []result.Failure{{Label: "exit code", Value: "4", Op: "eq", Bound: "0"}}}, "exit code: 4 eq 0"},
		{"failed without failures", result.Case{Status: result.Failed}, "failed"},
		{"error with where", result.Case{Status: result.Errored, Error: &result.Error{Message: "boom", Where: "a.lua:3"}}, "a.lua:3: boom"},
		{"error already saying where", result.Case{Status: result.Errored, Error: &result.Error{Message: "a.lua:3: boom", Where: "a.lua:3"}}, "a.lua:3: boom"},
		{"error without details", result.Case{Status: result.Errored}, "error"},
		{"skipped", result.Case{Status: result.Skipped, SkipReason: "needs 4 GPUs"}, "needs 4 GPUs"},
		{"running", result.Case{Status: result.Running}, "interrupted"},
		{"unknown", result.Case{Status: "weird"}, `unknown status "weird"`},
		{"one line", result.Case{Status: result.Skipped, SkipReason: "a\nb"}, "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Problem(tt.c); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name string
		run  result.Run
		want string
	}{
		{"ok", result.Run{Name: "predict", Class: result.ExitOK, Seconds: 192}, "predict: ok (exit 0), 3m12s wall"},
		{"oom", result.Run{Argv: []string{"fakepipe"}, Class: result.ExitOOM, ExitCode: 4, Seconds: 1.5}, "fakepipe: oom (exit 4), 1.5s wall"},
		{"signal", result.Run{Class: result.ExitKilled, Signal: "SIGKILL", Seconds: 2}, "killed (SIGKILL), 2s wall"},
		{"not startable", result.Run{Name: "x", Class: result.ExitNotStartable, Error: "exec: \"nope\": not found"}, `x: not_startable: exec: "nope": not found, 0s wall`},
		{
			"gpu peaks", result.Run{Name: "p", Class: result.ExitOK, Seconds: 1, GPU: &result.GPUSummary{GPUs: []result.GPURun{
				{Index: 0, Stats: map[string]result.Stat{result.MemUsed: {Count: 1, Max: 1610612736}}},
				{Index: 1, Stats: map[string]result.Stat{}},
			}}},
			"p: ok (exit 0), 1s wall, peak GPU memory GPU0 1.5 GiB",
		},
		{
			"repeat", result.Run{Name: "r", Class: result.ExitOK, Seconds: 2.5, Repeat: &result.RepeatStats{Runs: 1, Mean: 2.5}},
			"r: ok (exit 0), 2.5s wall, mean 2.5s ± 0s over 1 run",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Run(tt.run); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMarker(t *testing.T) {
	tests := []struct {
		in   result.Status
		want string
	}{
		{result.Passed, "PASS"}, {result.Failed, "FAIL"}, {result.Errored, "ERROR"},
		{result.Skipped, "SKIP"}, {result.Running, "RUN"}, {"", "UNKNOWN"}, {"odd\x1b", "ODD\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Marker(tt.in); got != tt.want {
				t.Errorf("Marker(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
