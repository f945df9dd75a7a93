package html

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/benchctl/benchctl/reporters/internal/testfixture"
	"github.com/benchctl/benchctl/result"
)

// buckets is how many timeline buckets the probes keep per GPU.
const buckets = 512

// longReport is a 10-hour run on 8 GPUs with full 512-bucket timelines, a
// 2-second run on one GPU, and the speed-up metrics and tables that get bar
// charts: the shapes the page must stay readable for.
func longReport() *result.Report {
	r := testfixture.Report()
	r.Partial, r.Interrupted = false, false
	r.Environment.GPUs = nil
	for i := range 8 {
		r.Environment.GPUs = append(r.Environment.GPUs, result.GPUInfo{
			Index: i, UUID: fmt.Sprintf("GPU-%08d-0000-1111-2222-333344445555", i), Name: "NVIDIA H200",
			MemoryTotal: 150754820096, Driver: "580.65.06", CUDA: "13.0", AccountingOK: true,
		})
	}
	r.Suites = []result.Suite{{
		Name: "typical_10h", File: "scenarios/typical_10h.lua", Status: result.Passed,
		StartedAt: testfixture.Start, Seconds: 36010,
		Description: "one typical sample in under 10 hours on all GPUs",
		Cases: []result.Case{
			{Name: "full sample on 8 GPUs", Status: result.Passed, StartedAt: testfixture.Start, Seconds: 36005,
				Metrics: []result.Metric{{Name: "wall", Value: 36000, Unit: "s", Better: result.LowerIsBetter}},
				Runs:    []result.Run{longRun(8, 36000)}},
			{Name: "smoke run", Status: result.Passed, StartedAt: testfixture.Start, Seconds: 2.2,
				Runs: []result.Run{longRun(1, 2)}},
			optimizationCase(),
		},
	}}
	return r
}

func longRun(gpus int, seconds float64) result.Run {
	stages := []result.Stage{
		{Name: "translation", Start: 0.01 * seconds, End: 0.04 * seconds},
		{Name: "dnabert", Start: 0.04 * seconds, End: 0.18 * seconds},
		{Name: "esm", Start: 0.18 * seconds, End: 0.97 * seconds},
		{Name: "consensus", Start: 0.97 * seconds, End: 0.995 * seconds},
	}
	run := result.Run{
		Name: "predict", Argv: []string{"python", "-m", "virnucpro", "predict", "sample.fa", "--parallel"},
		StartedAt: testfixture.Start, Seconds: seconds, Class: result.ExitOK, Stages: stages,
		GPU: &result.GPUSummary{Backend: "nvml", IntervalSeconds: 0.01, Samples: int64(seconds * 100)},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for g := range gpus {
		gr := result.GPURun{Index: g, Name: "NVIDIA H200", MemoryTotal: 150754820096, Stats: map[string]result.Stat{}}
		peak := 0.0
		for i := range buckets {
			t0, t1 := seconds*float64(i)/buckets, seconds*float64(i+1)/buckets
			base := memoryAt(t0/seconds, stages, seconds) * (1 + 0.02*float64(g))
			lo, hi := base*(0.8+0.1*rng.Float64()), base*(1+0.05*rng.Float64())
			if i == 300+g*7 { // a short spike that only the max keeps
				hi = 141e9
			}
			util := 60 + 35*rng.Float64()
			gr.Timeline = append(gr.Timeline, result.Bucket{
				Start: t0, End: t1,
				Min: map[string]float64{result.MemUsed: lo, result.UtilGPU: util - 30*rng.Float64()},
				Max: map[string]float64{result.MemUsed: hi, result.UtilGPU: math.Min(100, util+20*rng.Float64())},
			})
			peak = math.Max(peak, hi)
		}
		gr.Stats[result.MemUsed] = result.Stat{Count: run.GPU.Samples, Min: 1e9, Max: peak, Mean: 80e9}
		gr.Stats[result.UtilGPU] = result.Stat{Count: run.GPU.Samples, Min: 0, Max: 100, Mean: 78.5}
		gr.Stages = map[string]map[string]result.Stat{
			"esm": {result.MemUsed: {Count: 10, Max: peak, Mean: 100e9}, result.UtilGPU: {Count: 10, Max: 100, Mean: 91}},
		}
		run.GPU.GPUs = append(run.GPU.GPUs, gr)
	}
	return run
}

// memoryAt is the memory a VirNucPro-shaped pipeline holds at fraction f of
// its run: little while translating, DNABERT-S, then ESM-2 3B with its batches.
func memoryAt(f float64, stages []result.Stage, seconds float64) float64 {
	t := f * seconds
	switch {
	case t < stages[0].End:
		return 2e9
	case t < stages[1].End:
		return 24e9
	case t < stages[2].End:
		return 96e9 + 10e9*math.Sin(f*40)
	}
	return 6e9
}

func optimizationCase() result.Case {
	return result.Case{
		Name: "every optimization is at least as fast as the baseline", Status: result.Failed,
		StartedAt: testfixture.Start.Add(time.Hour), Seconds: 812,
		Failures: []result.Failure{{Label: "speed-up of cuda_streams against baseline", Op: "ge", Value: "0.97x", Bound: "1x",
			Message: "speed-up of cuda_streams against baseline: 0.97x, want >= 1x"}},
		Metrics: []result.Metric{
			{Name: "speedup_cuda_streams", Value: 0.97, Unit: "x", Better: result.HigherIsBetter, Spread: 0.04, Samples: []float64{101, 99, 104}},
			{Name: "speedup_persistent_models", Value: 1.62, Unit: "x", Better: result.HigherIsBetter, Spread: 0.08},
			{Name: "speedup_all", Value: 2.31, Unit: "x", Better: result.HigherIsBetter},
		},
		Tables: []result.Table{
			{Name: "optimization matrix", Columns: []string{"configuration", "median seconds", "speed-up", "spread", "runs"}, Rows: [][]string{
				{"baseline", "100.2", "1.00x", "± 0.03", "3"},
				{"cuda_streams", "103.3", "0.97x", "± 0.04", "3"},
				{"persistent_models", "61.8", "1.62x", "± 0.08", "3"},
				{"all", "43.4", "2.31x", "± 0.00", "3"},
			}},
			{Name: "persistent models", Columns: []string{"configuration", "seconds", "peak memory"}, Rows: [][]string{
				{"fresh models per file", "100.20", "61.2 GiB"},
				{"persistent models", "61.80", "88.4 GiB"},
			}},
		},
	}
}
