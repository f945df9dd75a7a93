// Package outcome reads what the reporters all need from a report in one way:
// which cases a suite counts (a suite that failed to load counts as one errored
// case named after its file), the totals line, the one-line reason a case did
// not pass and the one-line summary of a pipeline run. JUnit, Markdown and the
// console then agree on every count and every message.
package outcome

import (
	"fmt"
	"strings"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/text"
	"github.com/benchctl/benchctl/result"
)

// InterruptedMessage is the error message of a case that was still running
// when the report was written.
const InterruptedMessage = "interrupted"

// Cases returns the cases a suite reports. When the suite has a load error
// (Suite.Error), the first is an errored case named after the suite's file
// carrying that error; the suite's own cases follow.
func Cases(s result.Suite) []result.Case {
	if s.Error == "" {
		return s.Cases
	}
	cases := make([]result.Case, 0, len(s.Cases)+1)
	cases = append(cases, LoadErrorCase(s))
	return append(cases, s.Cases...)
}

// LoadErrorCase is the errored case that stands for a suite whose file could not
// be loaded: named after the file (or the suite when the file is unknown).
func LoadErrorCase(s result.Suite) result.Case {
	name := s.File
	if strings.TrimSpace(name) == "" {
		name = s.Name
	}
	return result.Case{
		Name:      name,
		Status:    result.Errored,
		StartedAt: s.StartedAt,
		Seconds:   s.Seconds,
		Error:     &result.Error{Message: s.Error, Where: s.File},
	}
}

// Totals counts the cases of a report by outcome.
type Totals struct {
	Passed, Failed, Skipped, Errors int
	// Interrupted counts cases still running when the report was written; JUnit
	// reports them as errors.
	Interrupted int
}

// Count returns the totals of a report, counting every suite's Cases.
func Count(r *result.Report) Totals {
	var t Totals
	for _, s := range r.Suites {
		for _, c := range Cases(s) {
			t.Add(c.Status)
		}
	}
	return t
}

// Add counts one case with status st. An unknown status counts as an error.
func (t *Totals) Add(st result.Status) {
	switch st {
	case result.Passed:
		t.Passed++
	case result.Failed:
		t.Failed++
	case result.Skipped:
		t.Skipped++
	case result.Running:
		t.Interrupted++
	default:
		t.Errors++
	}
}

// Total is the number of cases counted.
func (t Totals) Total() int {
	return t.Passed + t.Failed + t.Skipped + t.Errors + t.Interrupted
}

// String returns "12 passed, 1 failed, 2 skipped, 0 errors", with
// ", 1 interrupted" when a case was still running.
func (t Totals) String() string {
	s := fmt.Sprintf("%d passed, %d failed, %d skipped, %d %s",
		t.Passed, t.Failed, t.Skipped, t.Errors, plural(t.Errors, "error", "errors"))
	if t.Interrupted > 0 {
		s += fmt.Sprintf(", %d interrupted", t.Interrupted)
	}
	return s
}

// Line returns the totals line of a report: "12 passed, 1 failed, 2 skipped,
// 0 errors in 3m12s".
func Line(r *result.Report) string {
	return Count(r).String() + " in " + format.Duration(Seconds(r))
}

// Seconds is the wall time of a report: Report.Seconds, or the time between its
// start and finish when Seconds was not filled.
func Seconds(r *result.Report) float64 {
	if r.Seconds == 0 && !r.StartedAt.IsZero() && r.FinishedAt.After(r.StartedAt) {
		return r.FinishedAt.Sub(r.StartedAt).Seconds()
	}
	return r.Seconds
}

// Marker is the plain-text marker of a status: PASS, FAIL, ERROR, SKIP, RUN,
// or the status itself in upper case when it is unknown.
func Marker(st result.Status) string {
	switch st {
	case result.Passed:
		return "PASS"
	case result.Failed:
		return "FAIL"
	case result.Errored:
		return "ERROR"
	case result.Skipped:
		return "SKIP"
	case result.Running:
		return "RUN"
	case "":
		return "UNKNOWN"
	}
	return strings.ToUpper(text.OneLine(string(st)))
}

// FailureText is the sentence of a failed expectation: its Message, or when
// that is empty "label: value op bound" from its parts.
func FailureText(f result.Failure) string {
	if f.Message != "" {
		return f.Message
	}
	parts := []string{}
	for _, p := range []string{f.Value, f.Op, f.Bound} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	msg := strings.Join(parts, " ")
	switch {
	case f.Label == "":
		return msg
	case msg == "":
		return f.Label
	}
	return f.Label + ": " + msg
}

// ErrorText is an error's message prefixed with where it happened, unless the
// message already says so (Lua errors start with file:line).
func ErrorText(e *result.Error) string {
	if e == nil {
		return "error"
	}
	if e.Where != "" && !strings.Contains(e.Message, e.Where) {
		return e.Where + ": " + e.Message
	}
	if e.Message == "" {
		return "error"
	}
	return e.Message
}

// Problem is the one-line reason a case did not pass: its first failure (with
// a count of the others), its error, its skip reason, "interrupted" for a case
// still running, or "" for a passed case.
func Problem(c result.Case) string {
	var s string
	switch c.Status {
	case result.Passed:
		return ""
	case result.Failed:
		switch len(c.Failures) {
		case 0:
			s = "failed"
			if c.Error != nil {
				s = ErrorText(c.Error)
			}
		case 1:
			s = FailureText(c.Failures[0])
		default:
			s = fmt.Sprintf("%s (and %d more)", FailureText(c.Failures[0]), len(c.Failures)-1)
		}
	case result.Skipped:
		s = c.SkipReason
	case result.Running:
		s = InterruptedMessage
	case result.Errored:
		s = ErrorText(c.Error)
	default:
		s = fmt.Sprintf("unknown status %q", string(c.Status))
	}
	return text.OneLine(s)
}

// Run is the one-line summary of a pipeline run: its name, how it ended, its
// wall time, the repeat statistics and the peak GPU memory of each GPU:
// "predict: ok (exit 0), 3m12s wall, peak GPU memory GPU0 60 GiB, GPU1 58.2 GiB".
func Run(run result.Run) string {
	var b strings.Builder
	name := run.Name
	if name == "" && len(run.Argv) > 0 {
		name = run.Argv[0]
	}
	if name != "" {
		b.WriteString(name + ": ")
	}
	b.WriteString(exit(run))
	b.WriteString(", " + format.Duration(run.Seconds) + " wall")
	if rs := run.Repeat; rs != nil && rs.Runs > 0 {
		fmt.Fprintf(&b, ", mean %s ± %s over %d %s", format.Duration(rs.Mean),
			format.Duration(rs.Stddev), rs.Runs, plural(rs.Runs, "run", "runs"))
	}
	if peaks := PeakGPUMemory(run.GPU); peaks != "" {
		b.WriteString(", peak GPU memory " + peaks)
	}
	if run.GPU != nil && run.GPU.XID {
		b.WriteString(", XID error")
	}
	return text.OneLine(b.String())
}

// PeakGPUMemory lists the peak memory used on each GPU of a run, in the order
// of the summary: "GPU0 60 GiB, GPU1 58.2 GiB". It is "" without GPU figures.
func PeakGPUMemory(g *result.GPUSummary) string {
	if g == nil {
		return ""
	}
	var parts []string
	for _, gpu := range g.GPUs {
		st, ok := gpu.Stats[result.MemUsed]
		if !ok || st.Count == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("GPU%d %s", gpu.Index, format.SignedBytes(st.Max)))
	}
	return strings.Join(parts, ", ")
}

// exit says how a run ended: "ok (exit 0)", "oom (exit 4)", "killed (SIGKILL)",
// "not_startable: exec: no such file".
func exit(run result.Run) string {
	class := string(run.Class)
	if class == "" {
		class = "unknown"
	}
	switch {
	case run.Class == result.ExitNotStartable:
		if run.Error != "" {
			return class + ": " + run.Error
		}
		return class
	case run.Signal != "":
		return fmt.Sprintf("%s (%s)", class, run.Signal)
	}
	return fmt.Sprintf("%s (exit %d)", class, run.ExitCode)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
