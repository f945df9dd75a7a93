package markdown

import (
	"strings"
	"testing"

	"github.com/benchctl/benchctl/result"
)

func TestNodes(t *testing.T) {
	merged := &result.Report{
		SchemaVersion: result.SchemaVersion,
		Nodes:         []result.Node{{ID: "a100-1"}, {ID: "h100-1"}},
		Tasks: []result.Task{{ID: "7_0", State: result.TaskOK, Node: "a100-1"}, {ID: "7_1", State: result.TaskOK, Node: "h100-1"},
			{ID: "7_2", State: result.TaskTimeout, Scenario: "/s/peak.lua", Reason: "*** JOB 9 ON h100-2 CANCELLED AT 2026-11-30T09:23:54 DUE TO TIME LIMIT ***"}},
		Figures: []result.Figure{{Suite: "scaling", Case: "scales", Name: "speedup_4gpu", Unit: "x",
			Values: []result.NodeValue{{Node: "a100-1", Value: 3.1}, {Node: "h100-1", Value: 3.8}, {Node: "h100-1", Value: 3.6}}}},
	}
	tests := []struct {
		name   string
		report *result.Report
		want   []string
	}{
		{name: "merged", report: merged, want: []string{
			"### Nodes\n\n3 tasks on 2 nodes; 1 did not end well.",
			"| 7\\_2 | timeout |", "DUE TO TIME LIMIT \\*\\*\\*",
			"| Suite   | Test   | Figure        | a100-1 |   h100-1 |",
			"| scaling | scales | speedup\\_4gpu |  3.1 x | 3.7 x ×2 |",
		}},
		{name: "a single run", report: &result.Report{SchemaVersion: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := New().Render(tt.report)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("summary lacks %q:\n%s", w, out)
				}
			}
			if len(tt.want) == 0 && strings.Contains(string(out), "### Nodes") {
				t.Errorf("a single run got a Nodes section:\n%s", out)
			}
		})
	}
}
