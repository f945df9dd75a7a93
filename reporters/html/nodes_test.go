package html

import (
	"strings"
	"testing"

	"github.com/benchctl/benchctl/merge"
	"github.com/benchctl/benchctl/result"
)

// merged is a two-node merged result with a task that timed out and left no
// result.
func merged() *result.Report {
	run := func(host string, speedup float64) *result.Report {
		return &result.Report{
			SchemaVersion: result.SchemaVersion,
			Environment: result.Environment{Hostname: host, CPUs: 8, GPUBackend: "sim",
				GPUs: []result.GPUInfo{{UUID: "GPU-" + host, Name: "Sim H100"}}},
			Suites: []result.Suite{{Name: "scaling", Status: result.Passed, Cases: []result.Case{{
				Name: "scales", Status: result.Passed,
				Metrics: []result.Metric{
					{Name: "speedup_4gpu", Value: speedup, Unit: "x", Better: result.HigherIsBetter},
					{Name: "throughput", Value: 100 * speedup, Unit: "seq/h"},
				},
			}}}},
		}
	}
	return merge.Merge([]merge.Input{
		{Task: result.Task{ID: "7_0"}, Report: run("a100-01", 3.1)},
		{Task: result.Task{ID: "7_1"}, Report: run("h100-01", 3.8)},
		{Task: result.Task{ID: "7_2", Scenario: "/s/peak.lua", Partition: "h100", State: result.TaskTimeout, Slurm: "TIMEOUT",
			Reason: "*** JOB 9 ON h100-02 CANCELLED AT 2026-11-30T09:23:54 DUE TO TIME LIMIT ***"}},
	}, merge.Options{})
}

func TestNodesSection(t *testing.T) {
	tests := []struct {
		name   string
		report *result.Report
		want   []string
		absent []string
	}{
		{
			name:   "merged result",
			report: merged(),
			want: []string{
				`<h2>Nodes</h2>`, `a100-01`, `h100-01`, `3 tasks: 2 ok, 1 timeout.`, `DUE TO TIME LIMIT`,
				`scaling › scales: speedup_4gpu (higher is better)`, `scaling › scales: throughput`, `data-source="nodes"`,
				`scaling @ a100-01`, `peak @ h100`,
			},
		},
		{
			name:   "a single run has no nodes section",
			report: &result.Report{SchemaVersion: 1, Suites: []result.Suite{{Name: "s", Status: result.Passed}}},
			absent: []string{`<h2>Nodes</h2>`, `data-source="nodes"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := New().Render(tt.report)
			if err != nil {
				t.Fatal(err)
			}
			page := string(out)
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(page, a) {
					t.Errorf("page has %q", a)
				}
			}
			if n := strings.Count(page, `data-source="nodes"`); tt.absent == nil && n != len(tt.report.Figures) {
				t.Errorf("%d node charts for %d figures", n, len(tt.report.Figures))
			}
		})
	}
}
