package html

import (
	"fmt"
	"strings"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/text"
	"github.com/benchctl/benchctl/result"
)

// nodesView is what a merged result adds to the page: its nodes and their
// machines, the tasks that did not end well, and a chart a figure with a bar
// a node.
type nodesView struct {
	Nodes    *grid
	TaskLine string
	Tasks    *grid
	Charts   []*barChart
}

// buildNodes returns the merged result's view, or nil for a single run.
func buildNodes(r *result.Report) *nodesView {
	if len(r.Nodes) == 0 && len(r.Tasks) == 0 {
		return nil
	}
	v := &nodesView{Nodes: &grid{Header: []string{"Node", "Host", "GPUs", "Backend", "CPUs", "Memory", "System", "benchctl"}}}
	for _, n := range r.Nodes {
		e := n.Environment
		gpus := fmt.Sprintf("%d", len(e.GPUs))
		if len(e.GPUs) > 0 {
			gpus += " × " + text.OneLine(e.GPUs[0].Name)
		}
		v.Nodes.Rows = append(v.Nodes.Rows, []cell{
			{Text: text.OneLine(n.ID), Class: "mono", Title: text.OneLine(strings.Join(n.GPUUUIDs, " "))}, {Text: text.OneLine(e.Hostname)},
			{Text: gpus}, {Text: text.OneLine(e.GPUBackend)}, {Text: fmt.Sprint(e.CPUs), Class: "num"},
			{Text: format.Bytes(e.MemoryMB << 20), Class: "num"}, {Text: text.OneLine(strings.Trim(e.OS+"/"+e.Arch+" "+e.Kernel, "/ "))},
			{Text: text.OneLine(e.Version)},
		})
	}
	v.TaskLine, v.Tasks = tasks(r.Tasks)
	for _, f := range r.Figures {
		if c := figureChart(f); c != nil {
			v.Charts = append(v.Charts, c)
		}
	}
	return v
}

// tasks counts the tasks by state and lists those that did not end well.
func tasks(ts []result.Task) (string, *grid) {
	counts := map[result.TaskState]int{}
	var order []result.TaskState
	g := &grid{Header: []string{"Task", "State", "Slurm", "Node", "Scenario", "Partition", "Reason"}}
	for _, t := range ts {
		if counts[t.State] == 0 {
			order = append(order, t.State)
		}
		counts[t.State]++
		if t.State == result.TaskOK {
			continue
		}
		g.Rows = append(g.Rows, []cell{
			{Text: text.OneLine(t.ID), Class: "mono"}, {Text: text.OneLine(string(t.State)), Class: "badge error"},
			{Text: text.OneLine(t.Slurm)}, {Text: text.OneLine(t.Node)}, {Text: text.OneLine(t.Scenario), Class: "mono"},
			{Text: text.OneLine(t.Partition)}, {Text: text.Clean(t.Reason), Class: "pre"},
		})
	}
	parts := make([]string, 0, len(order))
	for _, st := range order {
		parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
	}
	line := fmt.Sprintf("%d %s: %s.", len(ts), plural(len(ts), "task", "tasks"), strings.Join(parts, ", "))
	if len(g.Rows) == 0 {
		g = nil
	}
	return line, g
}

// figureChart draws one figure across nodes: a bar a node, speed-ups with
// their 1.0x line.
func figureChart(f result.Figure) *barChart {
	vals := make([]barValue, 0, len(f.Values))
	for _, v := range f.Values {
		if finite(v.Value) {
			vals = append(vals, barValue{name: v.Node, value: v.Value, spread: v.Spread})
		}
	}
	if len(vals) == 0 {
		return nil
	}
	c := newBarChart("nodes", vals, f.Unit, strings.HasPrefix(f.Name, SpeedupPrefix))
	c.Caption = text.OneLine(f.Suite) + " › " + text.OneLine(f.Case) + ": " + text.OneLine(f.Name)
	if f.Better != result.NoDirection {
		c.Caption += " (" + string(f.Better) + " is better)"
	}
	return c
}
