package markdown

import (
	"fmt"
	"strings"

	"github.com/benchctl/benchctl/internal/sidebyside"
	"github.com/benchctl/benchctl/internal/table"
	"github.com/benchctl/benchctl/result"
)

// writeNodes adds what a merged result holds beyond a single run: the tasks
// that did not end well, with their reasons, and the figures side by side, a
// column a node. A single run has neither and writes nothing.
func writeNodes(b *strings.Builder, r *result.Report) {
	if len(r.Tasks) == 0 {
		return
	}
	var bad table.Table
	bad.Header = []string{"Task", "State", "Node", "Scenario", "Reason"}
	for _, t := range r.Tasks {
		if t.State != result.TaskOK {
			bad.Rows = append(bad.Rows, []string{t.ID, string(t.State), t.Node, t.Scenario, t.Reason})
		}
	}
	fmt.Fprintf(b, "### Nodes\n\n%d %s on %d %s; %d did not end well.\n\n", len(r.Tasks), plural(len(r.Tasks), "task", "tasks"), len(r.Nodes), plural(len(r.Nodes), "node", "nodes"), len(bad.Rows))
	if len(bad.Rows) > 0 {
		b.WriteString(bad.Markdown())
		b.WriteString("\n")
	}
	if len(r.Figures) == 0 {
		return
	}
	nodes, rows := sidebyside.Table(r.Figures)
	fig := table.Table{Header: append([]string{"Suite", "Test", "Figure"}, nodes...), Rows: rows}
	fig.Align = []table.Align{table.Left, table.Left, table.Left}
	for range nodes {
		fig.Align = append(fig.Align, table.Right)
	}
	b.WriteString("#### Figures side by side\n\n")
	b.WriteString(fig.Markdown())
	b.WriteString("\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
