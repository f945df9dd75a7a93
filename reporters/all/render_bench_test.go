package all

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/result"
)

// BenchmarkRender10h renders, in every registered format, the report of a
// 10-hour pipeline run on 8 GPUs sampled at 100 Hz: full 512-bucket timelines
// (the most the sampler keeps; a real 10-hour run fills 440 of them), the run's
// and four stages' Stats per GPU, process peaks and host figures. This is what
// a user waits for at the end of a long run, and again after every test while
// the partial report is rewritten. It reports the size of each report as
// report-bytes.
func BenchmarkRender10h(b *testing.B) {
	rep := longRunReport(8, 10*time.Hour, 512)
	for _, name := range reporters.Names() {
		b.Run(name, func(b *testing.B) {
			r, err := reporters.Get(name)
			if err != nil {
				b.Fatal(err)
			}
			var size int
			b.ReportAllocs()
			for b.Loop() {
				out, err := r.Render(rep)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.SetBytes(int64(size))
			b.ReportMetric(float64(size), "report-bytes")
		})
	}
}

// longRunReport is a report shaped as the sampler's summaries of a run of
// length d on gpus GPUs at 100 Hz, with timelines of the given number of
// buckets, in one suite, one case and one run.
func longRunReport(gpus int, d time.Duration, buckets int) *result.Report {
	start := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	secs := d.Seconds()
	samples := int64(secs * 100)
	rng := rand.New(rand.NewPCG(7, 11))
	stages := []result.Stage{
		{Name: "translation", Start: 0, End: 0.03 * secs},
		{Name: "dnabert", Start: 0.03 * secs, End: 0.18 * secs},
		{Name: "esm", Start: 0.18 * secs, End: 0.97 * secs},
		{Name: "consensus", Start: 0.97 * secs, End: secs},
	}
	stat := func(count int64, lo, hi float64) result.Stat {
		mean := lo + (hi-lo)*(0.4+0.2*rng.Float64())
		return result.Stat{Count: count, Min: lo, Max: hi, Mean: mean, P50: mean * 1.01, P95: hi * 0.97}
	}
	stats := func(count int64) map[string]result.Stat {
		return map[string]result.Stat{
			result.MemUsed:     stat(count, 2.1e9, 4.5e10+1e9*rng.Float64()),
			result.UtilGPU:     stat(count*5/2, 0, 100),
			result.UtilMem:     stat(count, 0, 50),
			result.Temperature: stat(count, 31, 70),
			result.Power:       stat(count*5/2, 70.5, 690.25+rng.Float64()),
			result.SMClock:     stat(count, 1980, 1980),
		}
	}
	var envGPUs []result.GPUInfo
	gs := &result.GPUSummary{Backend: "nvml", IntervalSeconds: 0.01, Samples: samples + 2}
	for g := range gpus {
		info, run := longRunGPU(g, secs, samples, buckets, stages, stats, rng)
		envGPUs = append(envGPUs, info)
		gs.GPUs = append(gs.GPUs, run)
		gs.Processes = append(gs.Processes, result.ProcessPeak{PID: 2000 + g, GPU: g, PeakBytes: 4.5e10, Source: "sampled"})
	}
	gs.Processes = append(gs.Processes, result.ProcessPeak{PID: 1000, GPU: 0, PeakBytes: 524288000, Source: "sampled"})
	host := &result.HostSummary{
		CPUSeconds: secs * float64(gpus), PeakRSSBytes: 3.2e10, MaxProcesses: gpus + 1,
		Stats: map[string]result.Stat{result.RSS: stat(int64(secs*10), 2.6e10, 3.2e10), result.CPUPercent: stat(int64(secs*10), 0, 100*float64(gpus))},
	}
	run := result.Run{
		Name: "predict", Argv: []string{"python", "-m", "virnucpro", "predict", "sample.fa", "-o", "out", "--parallel", "--persistent-models"},
		StartedAt: start, Seconds: secs, Class: result.ExitOK, PID: 1000, Stages: stages,
		StdoutTail: []string{"Translating 45000 sequences", "DNABERT-S embeddings", "ESM-2 embeddings", "Consensus written to out/prediction_results.txt"},
		GPU:        gs, Host: host,
	}
	return &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "benchctl", Version: "bench"},
		StartedAt:     start, FinishedAt: start.Add(d), Seconds: secs,
		Invocation: result.Invocation{Args: []string{"benchctl", "run", "scenarios/typical_10h.lua"}, GPUBackend: "nvml"},
		Environment: result.Environment{
			Hostname: "gpu-node", OS: "linux", Arch: "amd64", CPUModel: "AMD EPYC 9454 48-Core Processor", CPUs: 64,
			GoVersion: "go1.26", Version: "bench", GPUBackend: "nvml", GPUs: envGPUs,
		},
		Suites: []result.Suite{{
			Name: "typical_10h", File: "scenarios/typical_10h.lua", Status: result.Passed, StartedAt: start, Seconds: secs,
			Cases: []result.Case{{
				Name: "full sample", Status: result.Passed, StartedAt: start, Seconds: secs,
				Metrics: []result.Metric{{Name: "wall", Value: secs, Unit: "s", Better: result.LowerIsBetter}},
				Runs:    []result.Run{run},
			}},
		}},
	}
}

// longRunGPU is one GPU of longRunReport: its description, and its run with
// per-stage stats and a timeline of buckets.
func longRunGPU(g int, secs float64, samples int64, buckets int, stages []result.Stage,
	stats func(count int64) map[string]result.Stat, rng *rand.Rand) (result.GPUInfo, result.GPURun) {
	info := result.GPUInfo{
		Index: g, UUID: fmt.Sprintf("GPU-%08x-5a1e-4c0d-9e11-0000000000%02d", g, g),
		Name: "NVIDIA H100 80GB HBM3", MemoryTotal: 85520809984, Driver: "580.65.06", CUDA: "13.0",
	}
	run := result.GPURun{
		Index: g, UUID: info.UUID, Name: info.Name, MemoryTotal: info.MemoryTotal,
		Stats: stats(samples), Stages: map[string]map[string]result.Stat{},
		EnergyJoules: 1.4e7 + rng.Float64()*1e6, DriverSamples: samples * 5 / 2,
		FloorSlope: rng.Float64() * 10, Baseline: 524288000, After: 524288000,
	}
	for _, st := range stages {
		run.Stages[st.Name] = stats(int64((st.End - st.Start) * 100))
	}
	width := secs / float64(buckets)
	// Readings as NVML gives them: bytes, whole percent and degrees,
	// milliwatts.
	for i := range buckets {
		mem := float64(2<<30 + rng.Int64N(43<<30))
		util := float64(rng.IntN(101))
		mw := func(w float64) float64 { return math.Round(w*1000) / 1000 }
		run.Timeline = append(run.Timeline, result.Bucket{
			Start: float64(i) * width, End: float64(i+1) * width,
			Min: map[string]float64{result.MemUsed: mem, result.UtilGPU: math.Floor(util / 3), result.Power: mw(70 + 2.0001*util), result.Temperature: 31 + math.Floor(0.3*util)},
			Max: map[string]float64{result.MemUsed: mem + 8<<30, result.UtilGPU: util, result.Power: mw(70 + 6.0001*util), result.Temperature: 31 + math.Floor(0.4*util)},
		})
	}
	return info, run
}
