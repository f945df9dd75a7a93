package merge

import (
	"strings"

	"github.com/benchctl/benchctl/result"
)

// figures puts each number measured on more than one node side by side: every
// metric of every test, and the wall time of every pipeline run (as
// run.NAME.wall, lower is better, its spread the repeats' deviation). A
// figure's values follow the suites' order.
func figures(suites []result.Suite) []result.Figure {
	index := map[string]int{}
	var out []result.Figure
	add := func(suite, cas, name, unit string, better result.Direction, v result.NodeValue) {
		key := suite + "\x00" + cas + "\x00" + name
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, result.Figure{Suite: suite, Case: cas, Name: name, Unit: unit, Better: better})
		}
		out[i].Values = append(out[i].Values, v)
	}
	for _, s := range suites {
		if s.Node == "" {
			continue
		}
		suite := strings.TrimSuffix(s.Name, " @ "+s.Node)
		for _, c := range s.Cases {
			for _, m := range c.Metrics {
				add(suite, c.Name, m.Name, m.Unit, m.Better, result.NodeValue{Node: s.Node, Value: m.Value, Spread: m.Spread})
			}
			for _, r := range c.Runs {
				if r.Name == "" || r.Class != result.ExitOK {
					continue
				}
				v := result.NodeValue{Node: s.Node, Value: r.Seconds}
				if r.Repeat != nil && r.Repeat.Runs > 0 {
					v.Value, v.Spread = r.Repeat.Mean, r.Repeat.Stddev
				}
				add(suite, c.Name, "run."+r.Name+".wall", "s", result.LowerIsBetter, v)
			}
		}
	}
	kept := out[:0]
	for _, f := range out {
		if nodesIn(f) > 1 {
			kept = append(kept, f)
		}
	}
	return kept
}

func nodesIn(f result.Figure) int {
	seen := map[string]bool{}
	for _, v := range f.Values {
		seen[v.Node] = true
	}
	return len(seen)
}
