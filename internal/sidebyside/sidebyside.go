// Package sidebyside lays out the figures of a merged result as a table: a
// row a figure, a column a node. `benchctl merge` prints it and the Markdown
// summary shows it, so both agree on every cell.
package sidebyside

import (
	"fmt"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/result"
)

// Table returns the node columns, in the order the nodes first appear, and
// one row a figure: suite, test, figure name, then a cell a node. A node
// that did not measure the figure shows "-"; one that measured it in several
// tasks shows their mean and how many ("41.2 GiB ×3").
func Table(figs []result.Figure) (nodes []string, rows [][]string) {
	seen := map[string]bool{}
	for _, f := range figs {
		for _, v := range f.Values {
			if !seen[v.Node] {
				seen[v.Node] = true
				nodes = append(nodes, v.Node)
			}
		}
	}
	for _, f := range figs {
		sum := map[string]float64{}
		count := map[string]int{}
		for _, v := range f.Values {
			sum[v.Node] += v.Value
			count[v.Node]++
		}
		row := []string{f.Suite, f.Case, f.Name}
		for _, n := range nodes {
			switch count[n] {
			case 0:
				row = append(row, "-")
			case 1:
				row = append(row, format.Value(sum[n], f.Unit))
			default:
				row = append(row, fmt.Sprintf("%s ×%d", format.Value(sum[n]/float64(count[n]), f.Unit), count[n]))
			}
		}
		rows = append(rows, row)
	}
	return nodes, rows
}
