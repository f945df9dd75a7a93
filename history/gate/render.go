package gate

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/table"
)

// Text renders the gate for a terminal: what was compared with what, the
// method, the metrics that moved or could not be judged, and the summary.
func Text(r *Result) []byte {
	var b strings.Builder
	b.WriteString(header(r))
	if t := r.metricTable(false); len(t.Rows) > 0 {
		b.WriteString(t.Text("  "))
	}
	for _, tv := range r.Tests {
		fmt.Fprintf(&b, "  test %s / %s: %s in the latest baseline run, %s now: regressed\n", tv.Suite, tv.Test, tv.Before, tv.Now)
	}
	b.WriteString(Summary(r) + "\n")
	return []byte(b.String())
}

// Markdown renders the gate as a Markdown section with every metric.
func Markdown(r *Result) []byte {
	var b strings.Builder
	b.WriteString("## Against the history\n\n")
	b.WriteString(header(r) + "\n")
	b.WriteString(r.metricTable(true).Markdown())
	for _, tv := range r.Tests {
		fmt.Fprintf(&b, "\n- **regressed**: test %s / %s was %s in the latest baseline run, %s now\n",
			table.Escape(tv.Suite), table.Escape(tv.Test), tv.Before, tv.Now)
	}
	b.WriteString("\n" + Summary(r) + "\n")
	return []byte(b.String())
}

// JSON renders the whole result.
func JSON(r *Result) ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode gate result: %w", err)
	}
	return append(data, '\n'), nil
}

func header(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s against %d baseline %s of the history", strings.Join(r.New, ", "), len(r.BaselineRuns), plural(len(r.BaselineRuns)))
	if r.Selection != "" {
		fmt.Fprintf(&b, " (%s)", r.Selection)
	}
	b.WriteString("\n")
	for _, n := range r.EnvNotes {
		fmt.Fprintf(&b, "  environments differ, allowed: %s\n", n)
	}
	if m := r.method(); m != "" {
		fmt.Fprintf(&b, "  method: %s\n", m)
	}
	return b.String()
}

// method names the statistics used, with confidence and band.
func (r *Result) method() string {
	for _, m := range r.Metrics {
		if s := m.Stats; s != nil {
			return fmt.Sprintf("%s, %.0f%% confidence, no difference within ±%.0f%%", s.Method, s.Confidence*100, s.Band*100)
		}
	}
	return ""
}

// metricTable lists the metrics; all of them, or only those worth a look
// (anything but unchanged and no-direction) for the terminal.
func (r *Result) metricTable(all bool) table.Table {
	t := table.Table{Header: []string{"suite / test / metric", "baseline median", "runs", "new", "ratio", "interval", "outcome"},
		Align:  []table.Align{table.Left, table.Right, table.Right, table.Right, table.Right, table.Left, table.Left},
		Strong: func(row []string) bool { return row[len(row)-1] == string(Regressed) }}
	for _, m := range r.Metrics {
		if !all && (m.Outcome == Unchanged || m.Outcome == NotJudged && m.Reason == "no direction") {
			continue
		}
		row := []string{m.Suite + " / " + m.Test + " / " + m.Metric, median(m.Baseline, m.Unit), fmt.Sprint(len(m.Baseline)),
			values(m.New, m.Unit), "", "", string(m.Outcome)}
		if s := m.Stats; s != nil {
			row[4] = fmt.Sprintf("%.3f", s.Ratio)
			row[5] = interval(s.Low, s.High)
		} else if m.Reason != "" {
			row[6] += ": " + m.Reason
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// Summary is the one line that closes the output.
func Summary(r *Result) string {
	c := r.Counts
	verdict := "no regression"
	if r.Regressed() {
		verdict = fmt.Sprintf("%d regressed", c[Regressed])
	}
	return fmt.Sprintf("%s against the history (%d improved, %d unchanged, %d inconclusive, %d not judged)",
		verdict, c[Improved], c[Unchanged], c[Inconclusive], c[NotJudged])
}

func median(xs []float64, unit string) string {
	if len(xs) == 0 {
		return "-"
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return format.Value(m, unit)
}

func values(xs []float64, unit string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = format.Value(x, unit)
	}
	return strings.Join(parts, ", ")
}

func interval(lo, hi float64) string {
	h := "inf"
	if !math.IsInf(hi, 1) {
		h = fmt.Sprintf("%.3f", hi)
	}
	return fmt.Sprintf("[%.3f, %s]", lo, h)
}
