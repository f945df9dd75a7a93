// Package synthetic makes results of the size and shape a real task of a
// campaign writes, for benchmarks of what reads many of them (benchctl
// merge at 1,000 tasks). They are deterministic: result i is the same on
// every call.
package synthetic

import (
	"fmt"
	"math"
	"time"

	"github.com/benchctl/benchctl/result"
)

// Shape of one synthetic result, after peak_memory_per_stage on four GPUs: a
// run with a per-GPU timeline of 120 buckets and four stages, 16 metrics.
const (
	GPUs     = 4
	Buckets  = 120
	Stages   = 4
	Metrics  = 16
	Scenario = "peak_memory_per_stage"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// Report is task i of a campaign spread over nodes nodes: it ran on node
// "node-(i mod nodes)" with that node's four GPUs.
func Report(i, nodes int) *result.Report {
	host := fmt.Sprintf("node-%03d", i%nodes)
	env := result.Environment{Hostname: host, OS: "linux", Arch: "amd64", CPUs: 64, MemoryMB: 512 << 10,
		GoVersion: "go1.26", Version: "synthetic", GPUBackend: "sim"}
	for g := range GPUs {
		env.GPUs = append(env.GPUs, result.GPUInfo{Index: g, UUID: fmt.Sprintf("GPU-%s-%d", host, g), Name: "H100 80GB HBM3",
			MemoryTotal: 80 << 30, Driver: "550.54", CUDA: "12.4", AccountingOK: true})
	}
	start := t0.Add(time.Duration(i) * time.Second)
	c := result.Case{Name: "every stage peak below 95% of GPU memory", Status: result.Passed, StartedAt: start, Seconds: 60}
	for m := range Metrics {
		c.Metrics = append(c.Metrics, result.Metric{Name: fmt.Sprintf("peak_stage%d_gpu%d", m%Stages, m/Stages),
			Value: float64(30+m+i%7) * (1 << 30), Unit: "bytes", Better: result.LowerIsBetter})
	}
	c.Runs = []result.Run{run(i, start)}
	return &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "benchctl", Version: "synthetic"},
		StartedAt:     start, FinishedAt: start.Add(time.Minute), Seconds: 60,
		Invocation:  result.Invocation{Vars: map[string]string{"preset": "quick"}, GPUBackend: "sim"},
		Environment: env,
		Suites: []result.Suite{{Name: Scenario, File: "scenarios/" + Scenario + ".lua", Status: result.Passed,
			StartedAt: start, Seconds: 60, Cases: []result.Case{c}}},
	}
}

func run(i int, start time.Time) result.Run {
	r := result.Run{Name: "stages", Argv: []string{"python", "-m", "pipeline", "--input", "data.fa"}, StartedAt: start,
		Seconds: 58 + float64(i%5), Class: result.ExitOK, PID: 1000 + i}
	names := []string{"translation", "dnabert", "esm", "merge"}
	for s := range Stages {
		r.Stages = append(r.Stages, result.Stage{Name: names[s], Start: float64(s) * 14, End: float64(s+1) * 14})
	}
	gs := &result.GPUSummary{Backend: "sim", IntervalSeconds: 0.01, Samples: 6000}
	for g := range GPUs {
		gr := result.GPURun{Index: g, Name: "H100 80GB HBM3", MemoryTotal: 80 << 30, Stats: map[string]result.Stat{},
			Stages: map[string]map[string]result.Stat{}}
		for _, m := range []string{result.MemUsed, result.UtilGPU, result.UtilMem, result.Temperature, result.Power, result.SMClock} {
			gr.Stats[m] = result.Stat{Count: 6000, Min: 1, Max: 100, Mean: 50, P50: 50, P95: 95}
		}
		for _, n := range names {
			gr.Stages[n] = map[string]result.Stat{result.MemUsed: {Count: 1500, Min: 1, Max: 9e10, Mean: 4e10, P50: 4e10, P95: 8e10}}
		}
		for b := range Buckets {
			v := 50 + 40*math.Sin(float64(b+i)/20)
			gr.Timeline = append(gr.Timeline, result.Bucket{Start: float64(b) / 6, End: float64(b+1) / 6,
				Min: map[string]float64{result.MemUsed: v * 1e9, result.UtilGPU: v - 5},
				Max: map[string]float64{result.MemUsed: v * 1.1e9, result.UtilGPU: v + 5}})
		}
		gs.GPUs = append(gs.GPUs, gr)
	}
	r.GPU = gs
	r.Host = &result.HostSummary{CPUSeconds: 120, PeakRSSBytes: 8 << 30, MaxProcesses: 12}
	return r
}
