package trend

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/table"
)

// sparkRunes draw a series in one line of text.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkWidth is the most points a sparkline shows: the newest.
const sparkWidth = 60

// Text renders the trend for a terminal: per series a summary line, a
// sparkline of the newest runs and a table of its changes.
func Text(t *Trend) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "trend of %s%s: %d %s\n", t.Metric, selection(t), len(t.Lines), plural(len(t.Lines), "series", "series"))
	fmt.Fprintf(&b, "changes by %s\n", t.Method)
	for _, l := range t.Lines {
		fmt.Fprintf(&b, "\n%s (%s)\n", l.Key(), direction(l))
		fmt.Fprintf(&b, "  %d %s, median %s, min %s, max %s, last %s\n", len(l.Points), plural(len(l.Points), "run", "runs"), format.Value(l.Median, l.Unit),
			format.Value(l.Min, l.Unit), format.Value(l.Max, l.Unit), format.Value(l.Points[len(l.Points)-1].Value, l.Unit))
		fmt.Fprintf(&b, "  %s\n", spark(l))
		if len(l.Changes) == 0 {
			b.WriteString("  no change detected\n")
			continue
		}
		b.WriteString(changeTable(l).Text("  "))
	}
	return []byte(b.String())
}

// Markdown renders the trend as a Markdown section, one table per series.
func Markdown(t *Trend) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "## Trend of `%s`%s\n\nChanges by %s.\n", t.Metric, selection(t), t.Method)
	for _, l := range t.Lines {
		fmt.Fprintf(&b, "\n### %s\n\n%d runs (%s), median %s, min %s, max %s, last %s.\n\n", table.Escape(l.Key()), len(l.Points),
			direction(l), format.Value(l.Median, l.Unit), format.Value(l.Min, l.Unit), format.Value(l.Max, l.Unit),
			format.Value(l.Points[len(l.Points)-1].Value, l.Unit))
		if len(l.Changes) == 0 {
			b.WriteString("No change detected.\n")
			continue
		}
		b.WriteString(changeTable(l).Markdown())
	}
	return []byte(b.String())
}

// changeTable lists the changes of a line: where, from, to, how much, p.
func changeTable(l Line) table.Table {
	t := table.Table{Header: []string{"from run", "started", "before", "after", "change", "p", "verdict"},
		Align:  []table.Align{table.Right, table.Left, table.Right, table.Right, table.Right, table.Right, table.Left},
		Strong: func(row []string) bool { return row[len(row)-1] == "regression" }}
	for _, c := range l.Changes {
		p := l.Points[c.Index]
		t.Rows = append(t.Rows, []string{strconv.FormatInt(p.RunID, 10), p.StartedAt.UTC().Format("2006-01-02 15:04"),
			format.Value(c.Before, l.Unit), format.Value(c.After, l.Unit), signedPercent(c.Relative()),
			strconv.FormatFloat(c.PValue, 'g', 2, 64), Verdict(c, l.Better)})
	}
	return t
}

func spark(l Line) string {
	pts := l.Points
	if len(pts) > sparkWidth {
		pts = pts[len(pts)-sparkWidth:]
	}
	lo, hi := pts[0].Value, pts[0].Value
	for _, p := range pts {
		lo, hi = min(lo, p.Value), max(hi, p.Value)
	}
	r := make([]rune, len(pts))
	for i, p := range pts {
		k := 0
		if hi > lo {
			k = int((p.Value - lo) / (hi - lo) * float64(len(sparkRunes)-1))
		}
		r[i] = sparkRunes[k]
	}
	return string(r)
}

func signedPercent(f float64) string {
	return fmt.Sprintf("%+.1f%%", f*100)
}

func direction(l Line) string {
	if l.Better == "" {
		return "no direction"
	}
	return string(l.Better) + " is better"
}

func selection(t *Trend) string {
	if t.Selection == "" {
		return ""
	}
	return " (" + t.Selection + ")"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
