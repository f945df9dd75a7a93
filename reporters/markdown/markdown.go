// Package markdown renders a compact summary of a report as GitHub-flavoured
// Markdown, for $GITHUB_STEP_SUMMARY or a pull-request comment: the totals, a
// pass/fail table, what failed and why, key metrics per suite, the tables the
// scenarios recorded, and one line per pipeline run. Every piece of report text
// is escaped (table.Escape), so pipes, newlines and HTML in names or process
// output cannot break the layout.
package markdown

import (
	"errors"
	"fmt"
	"strings"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/table"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/reporters/internal/outcome"
	"github.com/benchctl/benchctl/result"
)

func init() {
	reporters.Register(New())
}

// Reporter writes the Markdown summary.
type Reporter struct{}

var _ reporters.Reporter = (*Reporter)(nil)

// New returns the Markdown reporter.
func New() *Reporter { return &Reporter{} }

// Name returns "markdown".
func (*Reporter) Name() string { return "markdown" }

var esc = table.Escape

// Render returns the Markdown summary of a report.
func (*Reporter) Render(r *result.Report) ([]byte, error) {
	if r == nil {
		return nil, errors.New("render markdown: nil report")
	}
	var b strings.Builder
	writeHeader(&b, r)
	writeStatus(&b, r)
	writeProblems(&b, r)
	writeNodes(&b, r)
	writeChecks(&b, r)
	writeMetrics(&b, r)
	writeTables(&b, r)
	writeRuns(&b, r)
	return []byte(b.String()), nil
}

func writeHeader(b *strings.Builder, r *result.Report) {
	title := "benchctl"
	if r.Tool.Version != "" {
		title += " " + r.Tool.Version
	}
	fmt.Fprintf(b, "## %s: %s\n\n", esc(title), esc(outcome.Line(r)))
	if line := machine(r.Environment); line != "" {
		b.WriteString(esc(line) + "\n\n")
	}
	switch {
	case r.Interrupted:
		b.WriteString("**Interrupted:** the run was stopped before every test finished.\n\n")
	case r.Partial:
		b.WriteString("**Partial report:** the run was still going when this was written.\n\n")
	}
}

// machine describes where the run happened: "gpu-node-7, linux/amd64, 2 x NVIDIA
// H100 80GB HBM3 (sim backend)".
func machine(e result.Environment) string {
	var parts []string
	if e.Hostname != "" {
		parts = append(parts, e.Hostname)
	}
	if e.OS != "" || e.Arch != "" {
		parts = append(parts, e.OS+"/"+e.Arch)
	}
	gpus := map[string]int{}
	var names []string
	for _, g := range e.GPUs {
		if gpus[g.Name] == 0 {
			names = append(names, g.Name)
		}
		gpus[g.Name]++
	}
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%d x %s", gpus[n], n))
	}
	if len(e.GPUs) == 0 && e.GPUNote != "" {
		parts = append(parts, "no GPU: "+e.GPUNote)
	}
	if e.GPUBackend != "" {
		parts = append(parts, e.GPUBackend+" backend")
	}
	return strings.Join(parts, ", ")
}

func writeStatus(b *strings.Builder, r *result.Report) {
	t := table.Table{Header: []string{"Suite", "Test", "Status", "Time"}, Align: []table.Align{table.Left, table.Left, table.Left, table.Right}}
	for _, s := range r.Suites {
		for _, c := range outcome.Cases(s) {
			t.Rows = append(t.Rows, []string{s.Name, c.Name, outcome.Marker(c.Status), format.Duration(c.Seconds)})
		}
	}
	if len(t.Rows) == 0 {
		b.WriteString("No tests ran.\n\n")
		return
	}
	b.WriteString(t.Markdown() + "\n")
}

// writeProblems lists every case that did not pass with its messages: every
// failure of a failed case, the error, the skip reason.
func writeProblems(b *strings.Builder, r *result.Report) {
	var lines []string
	for _, s := range r.Suites {
		for _, c := range outcome.Cases(s) {
			if c.Status == result.Passed {
				continue
			}
			head := fmt.Sprintf("- **%s / %s** %s", esc(s.Name), esc(c.Name), outcome.Marker(c.Status))
			msgs := messages(c)
			if len(msgs) == 1 {
				lines = append(lines, head+": "+esc(msgs[0]))
				continue
			}
			lines = append(lines, head)
			for _, m := range msgs {
				lines = append(lines, "  - "+esc(m))
			}
		}
	}
	if len(lines) > 0 {
		b.WriteString("### Failures, errors and skips\n\n" + strings.Join(lines, "\n") + "\n\n")
	}
}

func messages(c result.Case) []string {
	if c.Status == result.Failed && len(c.Failures) > 0 {
		msgs := make([]string, 0, len(c.Failures))
		for _, f := range c.Failures {
			m := outcome.FailureText(f)
			if f.Where != "" {
				m += " (" + f.Where + ")"
			}
			msgs = append(msgs, m)
		}
		return msgs
	}
	return []string{outcome.Problem(c)}
}

// writeChecks lists every check of every test with its mark, as k6 lists
// its thresholds: one table per suite.
func writeChecks(b *strings.Builder, r *result.Report) {
	for _, s := range r.Suites {
		t := table.Table{Header: []string{"Test", "", "Check", "Value", "Want"}}
		for _, c := range s.Cases {
			for _, ch := range c.Checks {
				want := outcome.OpSymbol(ch.Op)
				if ch.Bound != "" {
					want += " " + ch.Bound
				}
				t.Rows = append(t.Rows, []string{c.Name, outcome.CheckMark(ch), ch.Label, ch.Value, want})
			}
		}
		if len(t.Rows) > 0 {
			fmt.Fprintf(b, "### Checks: %s\n\n%s\n", esc(s.Name), t.Markdown())
		}
	}
}

func writeMetrics(b *strings.Builder, r *result.Report) {
	for _, s := range r.Suites {
		t := table.Table{Header: []string{"Test", "Metric", "Value"}, Align: []table.Align{table.Left, table.Left, table.Right}}
		for _, c := range s.Cases {
			for _, m := range c.Metrics {
				t.Rows = append(t.Rows, []string{c.Name, m.Name, format.Spread(m.Value, m.Spread, m.Unit)})
			}
		}
		if len(t.Rows) > 0 {
			fmt.Fprintf(b, "### Metrics: %s\n\n%s\n", esc(s.Name), t.Markdown())
		}
	}
}

func writeTables(b *strings.Builder, r *result.Report) {
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			for _, tb := range c.Tables {
				t := table.Table{Header: tb.Columns, Rows: tb.Rows}
				if len(t.Header) == 0 {
					continue
				}
				fmt.Fprintf(b, "### %s (%s / %s)\n\n%s\n", esc(tb.Name), esc(s.Name), esc(c.Name), t.Markdown())
			}
		}
	}
}

func writeRuns(b *strings.Builder, r *result.Report) {
	var lines []string
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			for _, run := range c.Runs {
				lines = append(lines, fmt.Sprintf("- %s / %s / %s", esc(s.Name), esc(c.Name), esc(outcome.Run(run))))
			}
		}
	}
	if len(lines) > 0 {
		b.WriteString("### Pipeline runs\n\n" + strings.Join(lines, "\n") + "\n")
	}
}
