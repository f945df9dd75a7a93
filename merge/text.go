package merge

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/benchctl/benchctl/internal/sidebyside"
	"github.com/benchctl/benchctl/result"
)

// Summary is the one line that says what a merged result holds: its tasks by
// state, its nodes, its suites.
func Summary(r *result.Report) string {
	counts := map[result.TaskState]int{}
	var order []result.TaskState
	for _, t := range r.Tasks {
		if counts[t.State] == 0 {
			order = append(order, t.State)
		}
		counts[t.State]++
	}
	var parts []string
	for _, st := range order {
		parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
	}
	return fmt.Sprintf("merged %d %s (%s) from %d %s: %d %s", len(r.Tasks), plural(len(r.Tasks), "task", "tasks"),
		strings.Join(parts, ", "), len(r.Nodes), plural(len(r.Nodes), "node", "nodes"), len(r.Suites), plural(len(r.Suites), "suite", "suites"))
}

// TasksText lists the tasks that did not end well, one a line with the reason.
func TasksText(r *result.Report) string {
	var b strings.Builder
	for _, t := range r.Tasks {
		if t.State == result.TaskOK {
			continue
		}
		fmt.Fprintf(&b, "task %s %s", t.ID, t.State)
		if t.Scenario != "" {
			fmt.Fprintf(&b, " (%s)", t.Scenario)
		}
		if t.Reason != "" {
			fmt.Fprintf(&b, ": %s", t.Reason)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// FiguresText is the figures side by side (internal/sidebyside): a row a
// figure, a column a node.
func FiguresText(r *result.Report) string {
	if len(r.Figures) == 0 {
		return ""
	}
	nodes, rows := sidebyside.Table(r.Figures)
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "suite\ttest\tfigure\t%s\t\n", strings.Join(nodes, "\t"))
	for _, row := range rows {
		for i := range row {
			row[i] = clean(row[i])
		}
		fmt.Fprintf(w, "%s\t\n", strings.Join(row, "\t"))
	}
	w.Flush()
	return b.String()
}

// clean keeps a name on one line and out of the table's columns.
func clean(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\t", " ")), " ")
}
