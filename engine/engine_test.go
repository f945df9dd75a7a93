package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/proctree"
	"github.com/benchctl/benchctl/result"
)

func TestMain(m *testing.M) {
	_ = proctree.EnableSubreaper()
	os.Exit(m.Run())
}

func runFiles(t *testing.T, vars map[string]string, files ...string) (*result.Report, error) {
	t.Helper()
	e := New(Options{Vars: vars, ResultsDir: t.TempDir(), Backend: probes.None("test"), Log: zerolog.Nop()})
	rep := &result.Report{}
	err := e.Run(context.Background(), files, rep)
	return rep, err
}

func caseByName(t *testing.T, s result.Suite, name string) result.Case {
	t.Helper()
	for _, c := range s.Cases {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no case %q in %s", name, s.Name)
	return result.Case{}
}

func TestMixedOutcomes(t *testing.T) {
	rep, err := runFiles(t, map[string]string{"limit": "12"}, "testdata/mixed.lua")
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Suites[0]
	if s.Name != "mixed" || s.Status != result.Errored || len(s.Cases) != 4 {
		t.Fatalf("suite %s status %s with %d cases", s.Name, s.Status, len(s.Cases))
	}
	pass := caseByName(t, s, "passes")
	if pass.Status != result.Passed || len(pass.Metrics) != 1 || pass.Metrics[0].Better != result.HigherIsBetter || len(pass.Logs) != 1 {
		t.Errorf("passes: %+v", pass)
	}
	if pass.Logs[0].Message != "all good 42" {
		t.Errorf("log = %q", pass.Logs[0].Message)
	}
	wantChecks := []result.Check{
		{Label: "mean", Op: "eq", Value: "2", Bound: "2", Outcome: result.Passed},
		{Label: "double", Op: "between", Value: "8", Bound: "7 and 9", Outcome: result.Passed},
		{Label: "sum", Op: "near", Value: "0.3", Bound: "0.3 ± 1e-09", Outcome: result.Passed},
	}
	checkChecks(t, pass.Checks, wantChecks)
	fail := caseByName(t, s, "fails")
	if fail.Status != result.Failed || len(fail.Failures) != 3 {
		t.Fatalf("fails: %+v", fail)
	}
	if got := fail.Failures[0].Message; got != "memory increase: got 15 MB, want <= 12 MB" {
		t.Errorf("failure message %q", got)
	}
	if !strings.HasPrefix(fail.Failures[0].Where, "testdata/mixed.lua:") {
		t.Errorf("failure where %q", fail.Failures[0].Where)
	}
	if got := fail.Failures[1].Message; got != `exit class: got "oom", want == "ok"` {
		t.Errorf("failure message %q", got)
	}
	checkChecks(t, fail.Checks, []result.Check{
		{Label: "memory increase", Op: "le", Value: "15 MB", Bound: "12 MB", Unit: "MB", Outcome: result.Failed},
		{Label: "exit class", Op: "eq", Value: `"oom"`, Bound: `"ok"`, Outcome: result.Failed},
	})
	errc := caseByName(t, s, "errors")
	if errc.Status != result.Errored || errc.Error == nil || !strings.Contains(errc.Error.Message, "testdata/mixed.lua:26") {
		t.Fatalf("errors: %+v", errc.Error)
	}
	if errc.Error.Traceback == "" {
		t.Error("no traceback")
	}
	skip := caseByName(t, s, "skips")
	if skip.Status != result.Skipped || skip.SkipReason != "no GPU here" || len(skip.Failures) != 0 {
		t.Errorf("skips: %+v", skip)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		file, want string
		line       int
	}{
		{"testdata/syntax_error.lua", "syntax error", 5},
		{"testdata/header_error.lua", `--var count="not a number": not a number`, 3},
		{"testdata/toplevel_run.lua", "only be called inside a bench.test", 2},
		{"testdata/nonexistent.lua", "no such scenario file", 0},
		{"testdata", "is a directory", 0},
		{"testdata/../../go.sum", "syntax error", 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Load(context.Background(), tt.file, New(Options{Backend: probes.None("")}))
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not a LoadError", err)
			}
			if !strings.Contains(le.Msg, tt.want) || le.Line != tt.line || le.File != tt.file {
				t.Errorf("got %q (line %d), want %q at line %d", le.Error(), le.Line, tt.want, tt.line)
			}
		})
	}
}

func TestRunRecordsBadScenarioAndGoesOn(t *testing.T) {
	rep, err := runFiles(t, nil, "testdata/syntax_error.lua", "testdata/loop.lua")
	if !errors.Is(err, ErrBadScenario) {
		t.Fatalf("err = %v", err)
	}
	if len(rep.Suites) != 2 || rep.Suites[0].Error == "" || len(rep.Suites[1].Cases) != 2 {
		t.Fatalf("suites = %+v", rep.Suites)
	}
}

func TestSandbox(t *testing.T) {
	rep, err := runFiles(t, nil, "testdata/escape.lua")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/tmp/benchctl-escaped"); err == nil {
		t.Fatal("a scenario escaped the sandbox")
	}
	want := map[string]string{
		"os.execute":      "os.execute is not available",
		"io.popen":        "io.popen is not available",
		"io.open":         "io.open is not available",
		"dofile":          "attempt to call a non-function",
		"loadfile":        "attempt to call a non-function",
		"require os path": "not a module name",
		"require missing": `module "lib.nothing_here" not found`,
	}
	for _, c := range rep.Suites[0].Cases {
		if c.Status != result.Errored || c.Error == nil || !strings.Contains(c.Error.Message, want[c.Name]) {
			t.Errorf("%s: status %s error %+v, want %q", c.Name, c.Status, c.Error, want[c.Name])
		}
	}
}

func TestDeadlineEndsRunawayTest(t *testing.T) {
	rep, err := runFiles(t, nil, "testdata/loop.lua")
	if err != nil {
		t.Fatal(err)
	}
	spin := caseByName(t, rep.Suites[0], "spins")
	if spin.Status != result.Errored || !strings.Contains(spin.Error.Message, "exceeded its timeout of 300ms") {
		t.Errorf("spins: %s %+v", spin.Status, spin.Error)
	}
	if after := caseByName(t, rep.Suites[0], "after the loop"); after.Status != result.Passed {
		t.Errorf("the next test did not run: %s", after.Status)
	}
}

func TestPipelineFromLua(t *testing.T) {
	var logged strings.Builder
	e := New(Options{ResultsDir: t.TempDir(), Backend: probes.None("test"), Log: zerolog.New(&logged)})
	rep := &result.Report{}
	if err := e.Run(context.Background(), []string{"testdata/pipeline.lua"}, rep); err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Suites[0].Cases {
		if c.Status != result.Passed {
			t.Errorf("%s: %s %v %+v", c.Name, c.Status, c.Failures, c.Error)
		}
	}
	runs := caseByName(t, rep.Suites[0], "oom and repeat").Runs
	if len(runs) != 4 || runs[1].Repeat == nil || runs[1].Repeat.Runs != 3 {
		t.Errorf("runs = %+v", runs)
	}
	for _, w := range []string{"option repeat is deprecated (repeat is a Lua keyword): use runs", "result field repeat is deprecated (repeat is a Lua keyword): use repeats"} {
		if strings.Count(logged.String(), w) != 1 {
			t.Errorf("want one warning with %q, got:\n%s", w, logged.String())
		}
	}
}

func TestInterruptMarksRunningTest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var seenRunning bool
	e := New(Options{ResultsDir: t.TempDir(), Backend: probes.None("test"), Log: zerolog.Nop(),
		CaseDone: func(r *result.Report) {
			s := r.Suites[len(r.Suites)-1]
			if len(s.Cases) > 0 && s.Cases[len(s.Cases)-1].Status == result.Running {
				seenRunning = true
				cancel()
			}
		}})
	rep := &result.Report{}
	if err := e.Run(ctx, []string{"testdata/loop.lua"}, rep); err != nil {
		t.Fatal(err)
	}
	if !seenRunning || !rep.Interrupted {
		t.Fatalf("running=%v interrupted=%v", seenRunning, rep.Interrupted)
	}
	c := rep.Suites[0].Cases
	if len(c) != 1 || c[0].Status != result.Errored || !strings.Contains(c[0].Error.Message, "interrupted") {
		t.Errorf("cases = %+v", c)
	}
}

func TestStatsFromLua(t *testing.T) {
	rep, err := runFiles(t, nil, "testdata/stats.lua")
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Suites[0]
	for _, name := range []string{"compare", "interleave"} {
		if c := caseByName(t, s, name); c.Status != result.Passed {
			t.Errorf("%s: %s %+v %+v", name, c.Status, c.Failures, c.Error)
		}
	}
	for name, want := range map[string]string{
		"bad times":   "element 2 is not a number",
		"bad band":    "band 2 must lie between 0 and 1",
		"bad configs": "at least two configurations",
	} {
		c := caseByName(t, s, name)
		if c.Status != result.Errored || c.Error == nil || !strings.Contains(c.Error.Message, want) {
			t.Errorf("%s: %s %+v, want an error saying %q", name, c.Status, c.Error, want)
		}
	}
}

// checkChecks compares the recorded checks with want, every field but Where,
// which must name the scenario's file.
func checkChecks(t *testing.T, got, want []result.Check) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("checks = %+v, want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i].Where, "testdata/mixed.lua:") {
			t.Errorf("check %d where %q", i, got[i].Where)
		}
		got[i].Where = ""
		if got[i] != want[i] {
			t.Errorf("check %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestTyposNameTheClosest: a mistyped API name is an error naming it and
// the closest name, at the scenario's line.
func TestTyposNameTheClosest(t *testing.T) {
	rep, err := runFiles(t, nil, "testdata/typos.lua")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"x": "testdata/typos.lua:4: t:expct is not a function; did you mean t:expect?",
		"y": "testdata/typos.lua:7: t:expect(...):lte is not a function; did you mean t:expect(...):le?",
		"z": "testdata/typos.lua:10: bench.gpu.devcies is not a function; did you mean bench.gpu.devices?",
		"w": "testdata/typos.lua:13: t.nmae is not a field; did you mean t.name?",
	}
	for name, msg := range want {
		t.Run(name, func(t *testing.T) {
			c := caseByName(t, rep.Suites[0], name)
			if c.Status != result.Errored || c.Error == nil || !strings.Contains(c.Error.Message, msg) {
				t.Errorf("%s: %+v, want an error with %q", c.Status, c.Error, msg)
			}
		})
	}
	_, err = runFiles(t, nil, "testdata/typo_header.lua")
	if err == nil || !strings.Contains(err.Error(), "typo_header.lua:3: bench.tset is not a function; did you mean bench.test?") {
		t.Errorf("header typo: %v", err)
	}
}

// TestStagesEndFromLua: bench.pipeline.run's stages_end ends the running
// stage at its line, before the process exits, and a pattern that does not
// compile is the test's error, naming the option.
func TestStagesEndFromLua(t *testing.T) {
	rep, err := runFiles(t, nil, "testdata/stages_end.lua")
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Suites[0]
	if c := caseByName(t, s, "the end line ends the stage before the exit"); c.Status != result.Passed {
		t.Errorf("%s %+v %+v", c.Status, c.Failures, c.Error)
	}
	c := caseByName(t, s, "bad regexp")
	if want := "stages_end"; c.Status != result.Errored || c.Error == nil || !strings.Contains(c.Error.Message, want) {
		t.Errorf("bad regexp: %s %+v, want an error naming %q", c.Status, c.Error, want)
	}
}

func TestProgressFromLua(t *testing.T) {
	rep, err := runFiles(t, nil, "testdata/progress.lua")
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Suites[0]
	for _, name := range []string{"two sources summed", "lua pattern, one capture", "no progress option"} {
		if c := caseByName(t, s, name); c.Status != result.Passed {
			t.Errorf("%s: %s %+v %+v", name, c.Status, c.Failures, c.Error)
		}
	}
	for name, want := range map[string]string{
		"three captures": "want one capture (the count) or two (source, count), got 3",
		"bad regexp":     "progress: bad regular expression",
	} {
		c := caseByName(t, s, name)
		if c.Status != result.Errored || c.Error == nil || !strings.Contains(c.Error.Message, want) {
			t.Errorf("%s: %s %+v, want an error saying %q", name, c.Status, c.Error, want)
		}
	}
}
