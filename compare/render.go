package compare

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/benchctl/benchctl/reporters/console"
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
	b.WriteString("base: " + clean(describe(r.Base)) + "\n")
	b.WriteString("new:  " + clean(describe(r.New)) + "\n")
	b.WriteString(rule(r.Threshold) + "\n")
	if len(r.Tests) > 0 {
		b.WriteString("\nTests whose status changed:\n")
		writeAligned(&b, testRows(r))
	}
	if len(r.Metrics) > 0 {
		b.WriteString("\nMetrics:\n")
		writeAligned(&b, metricRows(r))
	}
	b.WriteString("\n" + Summary(r) + "\n")
	return []byte(b.String())
}

// RenderMarkdown returns the comparison as GitHub-flavoured Markdown, for a
// pull-request comment or $GITHUB_STEP_SUMMARY.
func RenderMarkdown(r *Result) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "## benchctl compare: %s\n\n", esc(Summary(r)))
	fmt.Fprintf(&b, "- Base: %s\n- New: %s\n- %s\n", esc(describe(r.Base)), esc(describe(r.New)), esc(rule(r.Threshold)))
	if len(r.Tests) > 0 {
		b.WriteString("\n### Tests whose status changed\n\n")
		writeMarkdown(&b, testRows(r), 0)
	}
	if len(r.Metrics) > 0 {
		b.WriteString("\n### Metrics\n\n")
		writeMarkdown(&b, metricRows(r), 4)
	}
	return []byte(b.String())
}

// Summary is the counts line: "1 regressed, 2 improved, 10 unchanged,
// 0 changed, 1 new, 0 missing".
func Summary(r *Result) string {
	c := r.Counts
	return fmt.Sprintf("%d regressed, %d improved, %d unchanged, %d changed, %d new, %d missing",
		c.Regressed, c.Improved, c.Unchanged, c.Changed, c.New, c.Missing)
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
		"; a change counts when it is beyond the threshold and beyond the noise, 2*sqrt(sb^2 + sn^2) of the two spreads"
}

func testRows(r *Result) [][]string {
	rows := [][]string{{"VERDICT", "SUITE", "TEST", "BASE", "NEW"}}
	for _, t := range r.Tests {
		rows = append(rows, []string{string(t.Verdict), t.Suite, t.Case, status(string(t.Base)), status(string(t.New))})
	}
	return rows
}

func metricRows(r *Result) [][]string {
	rows := [][]string{{"VERDICT", "SUITE", "TEST", "METRIC", "BASE", "NEW", "CHANGE", "NOISE", "NOTE"}}
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
			noise = "±" + console.FormatValue(m.Noise, m.Unit)
		}
		rows = append(rows, []string{
			string(m.Verdict), m.Suite, m.Case, m.Metric,
			figure(m.Base, m.BaseSpread, m.Unit), figure(m.New, m.NewSpread, m.Unit),
			change, noise, m.Reason,
		})
	}
	return rows
}

func figure(v *float64, spread float64, unit string) string {
	if v == nil {
		return "-"
	}
	s := console.FormatValue(*v, unit)
	if spread > 0 {
		s += " ± " + console.FormatValue(spread, unit)
	}
	return s
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

// writeAligned writes rows as columns two spaces apart, each line indented
// by two spaces and without trailing spaces.
func writeAligned(b *strings.Builder, rows [][]string) {
	var buf bytes.Buffer
	w := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = strings.ReplaceAll(clean(c), "\t", " ")
		}
		fmt.Fprintln(w, "  "+strings.Join(cells, "\t"))
	}
	w.Flush()
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		b.WriteString(strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			b.WriteString("\n")
		}
	}
}

// writeMarkdown writes rows as a Markdown table, the first row the header,
// with the columns from right on aligned right (numbers).
func writeMarkdown(b *strings.Builder, rows [][]string, right int) {
	for i, row := range rows {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = esc(c)
			if i > 0 && j == 0 && row[0] == string(Regressed) {
				cells[j] = "**" + cells[j] + "**"
			}
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		if i == 0 {
			seps := make([]string, len(row))
			for j := range seps {
				seps[j] = "---"
				if right > 0 && j >= right && j < right+4 {
					seps[j] = "---:"
				}
			}
			b.WriteString("| " + strings.Join(seps, " | ") + " |\n")
		}
	}
}

// clean makes report text safe on one line of a terminal: invalid UTF-8 and
// control characters (escape sequences included) become U+FFFD, line breaks
// a space. (reporters/internal/text does this for the reporters; Go's internal
// rule keeps it from this package.)
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}

// esc makes text safe in a Markdown table cell: cleaned, Markdown and HTML
// punctuation escaped.
func esc(s string) string {
	var b strings.Builder
	for _, r := range clean(s) {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
