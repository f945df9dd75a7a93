package history

import (
	"math"
	"strings"
	"time"

	"github.com/benchctl/benchctl/result"
)

// kindOf is the command that made the report: "run" or "monitor".
func kindOf(rep *result.Report) string {
	if a := rep.Invocation.Args; len(a) > 0 && (a[0] == "monitor" || a[0] == "run") {
		return a[0]
	}
	return "run"
}

// pipelineOf is the pipeline command: the pipeline var of a run, else the
// command line of its first pipeline run.
func pipelineOf(rep *result.Report) string {
	if p := rep.Invocation.Vars["pipeline"]; p != "" {
		return p
	}
	for _, s := range rep.Suites {
		for _, c := range s.Cases {
			for _, r := range c.Runs {
				return strings.Join(r.Argv, " ")
			}
		}
	}
	return ""
}

// runStatus is the run's outcome: running while partial and not interrupted,
// else the worst of its suites (failed before error before passed before
// skipped); passed when it has none.
func runStatus(rep *result.Report) result.Status {
	if rep.Partial && !rep.Interrupted {
		return result.Running
	}
	rank := map[result.Status]int{result.Skipped: 1, result.Passed: 2, result.Errored: 3, result.Failed: 4, result.Running: 3}
	st := result.Passed
	if len(rep.Suites) > 0 {
		st = result.Skipped
	}
	for _, s := range rep.Suites {
		if rank[s.Status] > rank[st] {
			st = s.Status
		}
	}
	return st
}

// caseMessage is the one line that says why a case did not pass.
func caseMessage(c result.Case) string {
	switch {
	case c.Error != nil:
		return c.Error.Message
	case len(c.Failures) > 0:
		return c.Failures[0].Message
	}
	return c.SkipReason
}

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// finite stores a NaN or infinite spread as 0: no spread known.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func finiteSamples(xs []float64) []float64 {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			out = append(out, x)
		}
	}
	return out
}
