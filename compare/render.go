package compare

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/table"
	"github.com/benchctl/benchctl/internal/text"
)

// JSONKind and JSONVersion head the JSON form of a comparison, so a reader
// knows what it holds: it is not a result.Report.
const (
	JSONKind    = "benchctl-compare"
	JSONVersion = 1
)

// RenderJSON returns the comparison as indented JSON, ending with a newline.
func RenderJSON(r *Result) ([]byte, error) {
	if r == nil {
		return nil, errors.New("render compare json: nil result")
	}
	doc := struct {
		Kind    string `json:"kind"`
		Version int    `json:"version"`
		*Result
	}{JSONKind, JSONVersion, r}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("render compare json: %w", err)
	}
	return buf.Bytes(), nil
}

// RenderText returns the comparison as aligned text for a terminal: the two
// reports, the rule, the tests whose status changed, every metric, and the
// counts.
func RenderText(r *Result) []byte {
	var b strings.Builder
	b.WriteString("base: " + text.OneLine(describe(r.Base)) + "\n")
	b.WriteString("new:  " + text.OneLine(describe(r.New)) + "\n")
	b.WriteString(rule(r.Threshold) + "\n")
	if len(r.Tests) > 0 {
		b.WriteString("\nTests whose status changed:\n")
		b.WriteString(testTable(r).Text("  "))
	}
	if len(r.Metrics) > 0 {
		b.WriteString("\nMetrics:\n")
		b.WriteString(metricTable(r).Text("  "))
	}
	b.WriteString("\n" + Summary(r) + "\n")
	return []byte(b.String())
}

// RenderMarkdown returns the comparison as GitHub-flavoured Markdown, for a
// pull-request comment or $GITHUB_STEP_SUMMARY.
func RenderMarkdown(r *Result) []byte {
	var b strings.Builder
	esc := table.Escape
	fmt.Fprintf(&b, "## benchctl compare: %s\n\n", esc(Summary(r)))
	fmt.Fprintf(&b, "- Base: %s\n- New: %s\n- %s\n", esc(describe(r.Base)), esc(describe(r.New)), esc(rule(r.Threshold)))
	if len(r.Tests) > 0 {
		b.WriteString("\n### Tests whose status changed\n\n")
		b.WriteString(testTable(r).Markdown())
	}
	if len(r.Metrics) > 0 {
		b.WriteString("\n### Metrics\n\n")
		b.WriteString(metricTable(r).Markdown())
	}
	return []byte(b.String())
}

// Summary is the counts line: "1 regressed, 2 improved, 10 unchanged,
// 0 changed, 1 new, 0 missing", and ", 2 inconclusive" when there are some.
func Summary(r *Result) string {
	c := r.Counts
	line := fmt.Sprintf("%d regressed, %d improved, %d unchanged, %d changed, %d new, %d missing",
		c.Regressed, c.Improved, c.Unchanged, c.Changed, c.New, c.Missing)
	if c.Inconclusive > 0 {
		line += fmt.Sprintf(", %d inconclusive", c.Inconclusive)
	}
	return line
}

// ParseThreshold reads a threshold written "10%" or "0.1" (a fraction from 0
// to 1); both are 0.1.
func ParseThreshold(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
		return 0, fmt.Errorf("threshold %q: want a percentage such as 10%% or a fraction such as 0.1", s)
	case pct:
		return v / 100, nil
	case v > 1:
		return 0, fmt.Errorf("threshold %q: a fraction is at most 1; write %s%% for a percentage", s, t)
	}
	return v, nil
}

func describe(s Side) string {
	var parts []string
	if s.Version != "" {
		parts = append(parts, "benchctl "+s.Version)
	}
	if !s.StartedAt.IsZero() {
		parts = append(parts, s.StartedAt.UTC().Format(time.DateTime+" UTC"))
	}
	if s.Host != "" {
		parts = append(parts, s.Host)
	}
	label := s.Label
	if label == "" {
		label = "(unnamed)"
	}
	if len(parts) == 0 {
		return label
	}
	return label + " (" + strings.Join(parts, ", ") + ")"
}

func rule(threshold float64) string {
	return "threshold " + percent(threshold) +
		"; a change counts when it is beyond the threshold and beyond the noise, 2*sqrt(sb^2 + sn^2) of the two spreads, or, with four or more samples a side, when their 95% interval lies wholly on one side"
}

// regressed picks the rows whose verdict (the first cell) is a regression; the
// Markdown form sets it in bold.
func regressed(row []string) bool { return row[0] == string(Regressed) }

func testTable(r *Result) table.Table {
	t := table.Table{Header: []string{"VERDICT", "SUITE", "TEST", "BASE", "NEW"}, Strong: regressed}
	for _, c := range r.Tests {
		t.Rows = append(t.Rows, []string{string(c.Verdict), c.Suite, c.Case, status(string(c.Base)), status(string(c.New))})
	}
	return t
}

// metricTable lists every metric; the figures (base, new, change, noise) are
// aligned right.
func metricTable(r *Result) table.Table {
	l, rt := table.Left, table.Right
	t := table.Table{
		Header: []string{"VERDICT", "SUITE", "TEST", "METRIC", "BASE", "NEW", "CHANGE", "NOISE", "NOTE"},
		Align:  []table.Align{l, l, l, l, rt, rt, rt, rt, l},
		Strong: regressed,
	}
	for _, m := range r.Metrics {
		change := ""
		switch {
		case m.Change != nil:
			change = signedPercent(*m.Change)
		case m.Base != nil && m.New != nil && *m.New != *m.Base:
			change = "n/a" // from 0: no relative change
		}
		noise := ""
		if m.Noise > 0 {
			noise = "±" + format.Value(m.Noise, m.Unit)
		}
		t.Rows = append(t.Rows, []string{
			string(m.Verdict), m.Suite, m.Case, m.Metric,
			figure(m.Base, m.BaseSpread, m.Unit), figure(m.New, m.NewSpread, m.Unit),
			change, noise, m.Reason,
		})
	}
	return t
}

func figure(v *float64, spread float64, unit string) string {
	if v == nil {
		return "-"
	}
	if spread > 0 {
		return format.Spread(*v, spread, unit)
	}
	return format.Value(*v, unit)
}

func status(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func percent(f float64) string {
	return strconv.FormatFloat(f*100, 'f', -1, 64) + "%"
}

func signedPercent(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
	if f >= 0 {
		s = "+" + s
	}
	return s
}
