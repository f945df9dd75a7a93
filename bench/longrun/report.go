package main

import (
	"time"

	"github.com/benchctl/benchctl/engine/runner"
	"github.com/benchctl/benchctl/result"
)

// buildReport is the report `benchctl run` would write for one scenario whose
// one test ran the pipeline for total under the sampler: one suite, one case,
// one run holding the GPU and host summaries.
func buildReport(start time.Time, total time.Duration, gs *result.GPUSummary, hs *result.HostSummary,
	stages []result.Stage, b *synthBackend) *result.Report {
	end := start.Add(total)
	secs := total.Seconds()
	var peak float64
	for _, g := range gs.GPUs {
		peak = max(peak, g.Stats[result.MemUsed].Max)
	}
	run := result.Run{
		Name:      "predict",
		Argv:      []string{"python", "-m", "virnucpro", "predict", "sample.fa", "-o", "out", "--parallel", "--persistent-models"},
		StartedAt: start, Seconds: secs, Class: result.ExitOK, PID: rootPID,
		Stages:     stages,
		StdoutTail: []string{"Translating 45000 sequences", "DNABERT-S embeddings", "ESM-2 embeddings", "Consensus written to out/prediction_results.txt"},
		GPU:        gs, Host: hs,
	}
	env := runner.Environment("longrun", b)
	env.Hostname = "longrun"
	return &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "benchctl", Version: "longrun"},
		StartedAt:     start, FinishedAt: end, Seconds: secs,
		Invocation: result.Invocation{
			Args:       []string{"benchctl", "run", "--gpu-backend", "synthetic", "scenarios/typical_10h.lua"},
			GPUBackend: b.Name(),
		},
		Environment: env,
		Suites: []result.Suite{{
			Name: "typical_10h", File: "scenarios/typical_10h.lua", Status: result.Passed,
			Description: "one typical sample in under 10 hours on all GPUs",
			StartedAt:   start, Seconds: secs,
			Cases: []result.Case{{
				Name: "full sample", Status: result.Passed, StartedAt: start, Seconds: secs,
				Metrics: []result.Metric{
					{Name: "wall", Value: secs, Unit: "s", Better: result.LowerIsBetter},
					{Name: "peak_memory", Value: peak, Unit: "B", Better: result.LowerIsBetter},
				},
				Runs: []result.Run{run},
			}},
		}},
	}
}
