// Package console renders the summary printed on the terminal at the end of a
// run: per suite, a table of its cases with status, time and the first failure
// or error (or, for a case without one, its key metrics), then the totals line
// "12 passed, 1 failed, 2 skipped, 0 errors in 3m12s". It is plain text with
// aligned columns and no colour codes; escape sequences and control characters
// from the report are removed, so printing it cannot disturb the terminal.
package console

import (
	"errors"
	"strings"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/table"
	"github.com/benchctl/benchctl/internal/text"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/reporters/internal/outcome"
	"github.com/benchctl/benchctl/result"
)

func init() {
	reporters.Register(New())
}

// KeyMetrics is how many of a case's metrics the summary shows, in the order
// the scenario recorded them.
const KeyMetrics = 4

// detailWidth caps the detail column so a long message keeps a row on one line
// of a wide terminal; the full text is in the other reports.
const detailWidth = 120

// Reporter writes the terminal summary.
type Reporter struct {
	// Runs adds, under each suite's table, every run's exit and what the
	// probes saw of it (host, per GPU, processes, orphans, events): the
	// summary of benchctl monitor. The registered reporter leaves it off.
	Runs bool
}

var _ reporters.Reporter = (*Reporter)(nil)

// New returns the console reporter.
func New() *Reporter { return &Reporter{} }

// Name returns "console".
func (*Reporter) Name() string { return "console" }

// Render returns the terminal summary of a report.
func (rp *Reporter) Render(r *result.Report) ([]byte, error) {
	if r == nil {
		return nil, errors.New("render console: nil report")
	}
	var b strings.Builder
	for _, s := range r.Suites {
		writeSuite(&b, s)
		if rp.Runs {
			for _, c := range s.Cases {
				writeRuns(&b, c)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(outcome.Line(r) + "\n")
	switch {
	case r.Interrupted:
		b.WriteString("interrupted: the run was stopped before every test finished\n")
	case r.Partial:
		b.WriteString("partial report: the run is still going\n")
	}
	return []byte(b.String()), nil
}

func writeSuite(b *strings.Builder, s result.Suite) {
	var t outcome.Totals
	cases := outcome.Cases(s)
	for _, c := range cases {
		t.Add(c.Status)
	}
	head := []string{s.Name, outcome.Marker(s.Status), format.Duration(s.Seconds), t.String()}
	if s.File != "" && s.File != s.Name {
		head = append(head, s.File)
	}
	b.WriteString(text.OneLine(strings.Join(head, "  ")) + "\n")

	tb := table.Table{Align: []table.Align{table.Left, table.Left, table.Right, table.Left}}
	tb.Header = []string{"STATUS", "TEST", "TIME", "DETAIL"}
	for _, c := range cases {
		tb.Rows = append(tb.Rows, caseRows(c)...)
	}
	if len(tb.Rows) > 0 {
		b.WriteString(tb.Text("  "))
	}
}

// caseRows are a case's rows: its status, name, time and why it did not pass
// (or its key metrics), then every check with its mark, value and bound, and
// every t:fail, one a row.
func caseRows(c result.Case) [][]string {
	problem, metrics := outcome.Problem(c), keyMetrics(c)
	if n := outcome.ChecksFailed(c.Checks); c.Status == result.Failed && n != "" {
		problem = n // the checks are listed below, each with its mark
	}
	first := problem
	if first == "" {
		first, metrics = metrics, ""
	}
	rows := [][]string{{outcome.Marker(c.Status), c.Name, format.Duration(c.Seconds), text.Truncate(first, detailWidth)}}
	detail := func(s string) { rows = append(rows, []string{"", "", "", text.Truncate(s, detailWidth)}) }
	if metrics != "" {
		detail(metrics)
	}
	for _, ch := range c.Checks {
		detail(outcome.CheckMark(ch) + " " + outcome.CheckText(ch))
	}
	if len(c.Checks) > 0 || c.Status != result.Failed {
		for _, f := range c.Failures {
			if f.Op == "fail" {
				detail("✗ " + outcome.FailureText(f))
			}
		}
	}
	return rows
}

// keyMetrics lists a case's first KeyMetrics metrics: "name=12.5 MB, ...".
func keyMetrics(c result.Case) string {
	var parts []string
	for i, m := range c.Metrics {
		if i == KeyMetrics {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, text.OneLine(m.Name)+"="+format.Value(m.Value, m.Unit))
	}
	return strings.Join(parts, ", ")
}
