// Package testfixture builds the reports the reporters' tests render: one rich
// report that holds every kind of outcome and figure the result model can carry,
// including the hostile text a real pipeline prints (invalid UTF-8, control
// characters, terminal escapes, progress-bar carriage returns).
package testfixture

import (
	"time"

	"github.com/benchctl/benchctl/result"
)

// Start is when the fixture's run started.
var Start = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func at(seconds float64) time.Time {
	return Start.Add(time.Duration(seconds * float64(time.Second)))
}

// Hostile is process output that breaks naive XML and terminals: invalid UTF-8,
// NUL, BEL, a colour escape, a form feed, U+FFFF and a CDATA terminator.
const Hostile = "bad \xff\xfe bytes, NUL \x00, bell \a, \x1b[31mred\x1b[0m, ff \f, \uffff, ]]> & <tag>"

// Report returns a new rich report, safe to modify: three suites (one of which
// failed to load), cases that passed, failed, errored, were skipped and were
// still running, metrics with units, tables, pipeline runs with stages, tails,
// a two-GPU summary with per-stage stats, a timeline, exact and sampled process
// peaks and an XID event, and repeated runs.
func Report() *result.Report {
	return &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "benchctl", Version: "0.3.0"},
		StartedAt:     Start,
		FinishedAt:    at(192.5),
		Seconds:       192.5,
		Partial:       true,
		Interrupted:   true,
		Invocation: result.Invocation{
			Args:       []string{"benchctl", "run", "--gpu-backend", "sim", "scenarios/memory_stability.lua", "scenarios/throughput.lua", "scenarios/broken.lua"},
			Scenarios:  []result.ScenarioFile{{Path: "scenarios/memory_stability.lua", SHA256: "9f2c0a51e3b44d1f8e2a7c6b5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e"}, {Path: "scenarios/throughput.lua", SHA256: "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"}},
			Vars:       map[string]string{"preset": "medium", "leak_threshold_mb": "100", "pipeline": "python -m virnucpro"},
			Tags:       []string{"gpu", "memory"},
			GPUBackend: "sim",
			ResultsDir: "reports/20250301-100000",
		},
		Environment: result.Environment{
			Hostname:   "gpu-node-7",
			OS:         "linux",
			Arch:       "amd64",
			Kernel:     "6.8.0-45-generic",
			CPUModel:   "AMD EPYC 9454 48-Core Processor",
			CPUs:       16,
			MemoryMB:   131072,
			GoVersion:  "go1.26.8",
			Version:    "0.3.0",
			GPUBackend: "sim",
			GPUs: []result.GPUInfo{
				{Index: 0, UUID: "GPU-0b1c2d3e-0000-1111-2222-333344445555", Name: "NVIDIA H100 80GB HBM3", MemoryTotal: 85520809984, Driver: "580.65.06", CUDA: "13.0", AccountingOK: true},
				{Index: 1, UUID: "GPU-9a8b7c6d-0000-1111-2222-333344445555", Name: "NVIDIA H100 80GB HBM3", MemoryTotal: 85520809984, Driver: "580.65.06", CUDA: "13.0", AccountingWhy: "accounting mode is off (needs root)"},
			},
		},
		Suites: []result.Suite{memorySuite(), throughputSuite(), brokenSuite()},
	}
}

func memorySuite() result.Suite {
	return result.Suite{
		Name:        "memory_stability",
		File:        "scenarios/memory_stability.lua",
		Description: "GPU memory returns to its baseline after a full pipeline run",
		Tags:        []string{"gpu", "memory"},
		Status:      result.Failed,
		StartedAt:   Start,
		Seconds:     140.25,
		Cases: []result.Case{
			baselineCase(),
			{
				Name:      "peak under budget | strict",
				Status:    result.Failed,
				StartedAt: at(132.4),
				Seconds:   3.1,
				Failures: []result.Failure{
					{Label: "peak memory on GPU 0", Op: "le", Value: "71.2 GiB", Bound: "64 GiB", Message: "peak memory on GPU 0: 71.2 GiB, want <= 64 GiB", Where: "scenarios/memory_stability.lua:42"},
					{Label: "peak memory on GPU 1", Op: "le", Value: "70.9 GiB", Bound: "64 GiB", Where: "scenarios/memory_stability.lua:43"},
				},
				Checks: []result.Check{
					{Label: "peak memory on GPU 0", Op: "le", Value: "71.2 GiB", Bound: "64 GiB", Unit: "GiB", Outcome: result.Failed, Where: "scenarios/memory_stability.lua:42"},
					{Label: "peak memory on GPU 1", Op: "le", Value: "70.9 GiB", Bound: "64 GiB", Unit: "GiB", Outcome: result.Failed, Where: "scenarios/memory_stability.lua:43"},
					{Label: "stages seen", Op: "between", Value: "4", Bound: "3 and 5", Outcome: result.Passed, Where: "scenarios/memory_stability.lua:44"},
				},
				Metrics: []result.Metric{{Name: "peak_gpu0_gib", Value: 71.2, Unit: "GiB", Better: result.LowerIsBetter}},
			},
			{
				Name:      "lua error case",
				Status:    result.Errored,
				StartedAt: at(135.5),
				Seconds:   0.004,
				Error: &result.Error{
					Message:   "scenarios/memory_stability.lua:57: attempt to index a nil value (local 'run')",
					Where:     "scenarios/memory_stability.lua:57",
					Traceback: "stack traceback:\n\t[G]: in function 'error'\n\tscenarios/memory_stability.lua:57: in function <scenarios/memory_stability.lua:50>",
				},
			},
			{
				Name:       "needs 4 GPUs",
				Status:     result.Skipped,
				StartedAt:  at(135.6),
				SkipReason: "requires 4 GPUs, 2 present",
			},
		},
	}
}

// baselineCase is a passing case with logs, metrics of every unit kind and
// the predict run.
func baselineCase() result.Case {
	return result.Case{
		Name:      "memory returns to baseline",
		Tags:      []string{"gpu"},
		Status:    result.Passed,
		StartedAt: Start,
		Seconds:   132.4,
		Logs: []result.Log{
			{Seconds: 0.512, Message: "baseline settled: 1.2 GiB on GPU 0"},
			{Seconds: 131.9, Message: "after: 1.21 GiB on GPU 0\nafter: 1.19 GiB on GPU 1"},
		},
		Metrics: []result.Metric{
			{Name: "memory_increase_mb", Value: 12.5, Unit: "MB", Better: result.LowerIsBetter},
			{Name: "peak_memory", Value: 64424509440, Unit: "B", Better: result.LowerIsBetter},
			{Name: "throughput", Value: 4500.25, Unit: "seq/h", Better: result.HigherIsBetter, Spread: 120.5, Samples: []float64{4400, 4500.25, 4620.5}},
			{Name: "gpu_utilization", Value: 87.5, Unit: "%"},
			{Name: "wall", Value: 128.3, Unit: "s"},
			{Name: "sequences", Value: 45000},
		},
		Checks: []result.Check{
			{Label: "pipeline exit class", Op: "eq", Value: `"ok"`, Bound: `"ok"`, Outcome: result.Passed, Where: "scenarios/memory_stability.lua:30"},
			{Label: "memory increase after the run", Op: "le", Value: "12.5 MB", Bound: "100 MB", Unit: "MB", Outcome: result.Passed, Where: "scenarios/memory_stability.lua:34"},
		},
		Runs:    []result.Run{predictRun()},
		Workdir: "reports/20250301-100000/memory_stability/memory_returns_to_baseline",
	}
}

func predictRun() result.Run {
	return result.Run{
		Name:      "predict",
		Argv:      []string{"python", "-m", "virnucpro", "predict", "input.fa", "-o", "out", "--parallel", "--gpus", "0,1"},
		Cwd:       "reports/20250301-100000/memory_stability/memory_returns_to_baseline",
		StartedAt: at(1),
		Seconds:   128.3,
		ExitCode:  0,
		Class:     result.ExitOK,
		PID:       41234,
		Stages: []result.Stage{
			{Name: "translation", Start: 0.5, End: 4.25},
			{Name: "dnabert", Start: 4.25, End: 40},
			{Name: "esm", Start: 40, End: 127.5},
		},
		StdoutTail: []string{
			"Translating 45000 sequences",
			"DNABERT-S embeddings done",
			" 10%|#         | 4500/45000\r 50%|#####     | 22500/45000\r100%|##########| 45000/45000\r",
			Hostile,
		},
		StderrTail: []string{
			"\x1b[33mwarning:\x1b[0m expandable segments on",
			"tab\tseparated\tfields",
		},
		StdoutLog: "reports/20250301-100000/memory_stability/memory_returns_to_baseline/stdout.log",
		StderrLog: "reports/20250301-100000/memory_stability/memory_returns_to_baseline/stderr.log",
		GPU:       predictGPU(),
		Host:      predictHost(),
	}
}

// predictGPU is what the probes saw of two GPUs during the predict run.
func predictGPU() *result.GPUSummary {
	return &result.GPUSummary{
		Backend:         "sim",
		IntervalSeconds: 0.01,
		Samples:         12840,
		SampleErrors:    2,
		LastError:       "nvml: timeout",
		GPUs:            predictGPURuns(),
		Processes: []result.ProcessPeak{
			{PID: 41240, GPU: 0, PeakBytes: 63350767616, Exact: true, Source: "accounting"},
			{PID: 41241, GPU: 1, PeakBytes: 61203283968, Exact: false, Source: "sampled"},
		},
		Events: []result.Event{
			{Seconds: 97.25, GPU: 1, Kind: "xid", Data: 79, Message: "GPU has fallen off the bus"},
		},
		XID:     true,
		Orphans: []result.Orphan{{PID: 41250, GPU: 0, Bytes: 536870912, Killed: true}},
	}
}

// predictGPURuns are the two GPUs' figures: the first busy, throttled and with
// a timeline, the second with its floor falling.
func predictGPURuns() []result.GPURun {
	return []result.GPURun{
		{
			Index:       0,
			UUID:        "GPU-0b1c2d3e-0000-1111-2222-333344445555",
			Name:        "NVIDIA H100 80GB HBM3",
			MemoryTotal: 85520809984,
			Stats: map[string]result.Stat{
				result.MemUsed:        memUsed(48e9, 64424509440),
				result.UtilGPU:        {Count: 12840, Min: 0, Max: 100, Mean: 87.5, P50: 92, P95: 99},
				result.SMActivity:     {Count: 640, Min: 0, Max: 97.5, Mean: 71.25, P50: 80, P95: 95},
				result.TensorActivity: {Count: 640, Min: 0, Max: 91, Mean: 62.5, P50: 70, P95: 88},
				result.Temperature:    {Count: 12840, Min: 34, Max: 71, Mean: 62.5, P50: 63, P95: 70},
				result.Power:          {Count: 12840, Min: 70.5, Max: 690.25, Mean: 512.75, P50: 530, P95: 680},
			},
			Stages: map[string]map[string]result.Stat{
				"esm":     {result.MemUsed: memUsed(60e9, 64424509440), result.UtilGPU: {Count: 8750, Min: 40, Max: 100, Mean: 95.5, P50: 97, P95: 100}},
				"dnabert": {result.MemUsed: memUsed(20e9, 24e9)},
			},
			EnergyJoules:  65785.5,
			DriverSamples: 640,
			FloorSlope:    1024.5,
			Throttle:      []string{"sw_power_cap"},
			Timeline: []result.Bucket{
				{Start: 0, End: 40, Min: map[string]float64{result.MemUsed: 1.2e9, result.UtilGPU: 0}, Max: map[string]float64{result.MemUsed: 24e9, result.UtilGPU: 100}},
				{Start: 40, End: 80, Min: map[string]float64{result.MemUsed: 50e9, result.UtilGPU: 40}, Max: map[string]float64{result.MemUsed: 64424509440, result.UtilGPU: 100}},
				{Start: 80, End: 128.3, Min: map[string]float64{result.MemUsed: 1.21e9, result.UtilGPU: 0}, Max: map[string]float64{result.MemUsed: 62e9, result.UtilGPU: 100}},
			},
			Baseline: 1288490188,
			After:    1299227607,
		},
		{
			Index:       1,
			UUID:        "GPU-9a8b7c6d-0000-1111-2222-333344445555",
			Name:        "NVIDIA H100 80GB HBM3",
			MemoryTotal: 85520809984,
			Stats: map[string]result.Stat{
				result.MemUsed: memUsed(47e9, 62491774976),
				result.UtilGPU: {Count: 12840, Min: 0, Max: 100, Mean: 85.25, P50: 90, P95: 99},
			},
			FloorSlope: -3.5,
			Baseline:   1277752770,
			After:      1277752770,
		},
	}
}

// memUsed is a memory-used summary over the predict run's samples.
func memUsed(mean, peak float64) result.Stat {
	return result.Stat{Count: 12840, Min: 1.2e9, Max: peak, Mean: mean, P50: mean, P95: peak * 0.98}
}

// predictHost is the predict run's process tree on the host.
func predictHost() *result.HostSummary {
	return &result.HostSummary{
		CPUSeconds:   812.5,
		PeakRSSBytes: 17179869184,
		Stats: map[string]result.Stat{
			result.CPUPercent: {Count: 1283, Min: 2, Max: 1580, Mean: 633.5, P50: 640, P95: 1500},
			result.RSS:        {Count: 1283, Min: 1e9, Max: 17179869184, Mean: 12e9, P50: 12e9, P95: 16e9},
		},
		MaxProcesses: 5,
	}
}

func throughputSuite() result.Suite {
	return result.Suite{
		Name:      "throughput",
		File:      "scenarios/throughput.lua",
		Status:    result.Failed,
		StartedAt: at(140.25),
		Seconds:   52.25,
		Cases: []result.Case{
			sweepCase(),
			{
				Name:      "oom recovery",
				Status:    result.Failed,
				StartedAt: at(170.75),
				Seconds:   12.5,
				Failures:  []result.Failure{{Label: "pipeline exit code", Op: "eq", Value: "4", Bound: "0", Message: "pipeline exit code: 4, want 0", Where: "scenarios/throughput.lua:30"}},
				Runs: []result.Run{{
					Name:       "predict-oom",
					Argv:       []string{"fakepipe", "--oom-at", "esm"},
					StartedAt:  at(171),
					Seconds:    12.25,
					ExitCode:   4,
					Class:      result.ExitOOM,
					OOMLine:    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
					StderrTail: []string{"torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"},
				}},
			},
			{
				Name:      "long run",
				Status:    result.Running,
				StartedAt: at(183.25),
				Seconds:   9.25,
				Logs:      []result.Log{{Seconds: 0.25, Message: "starting the 45,000-sequence run"}},
				Runs: []result.Run{{
					Name:      "predict-long",
					Argv:      []string{"fakepipe", "--seconds-per-seq", "0.5"},
					StartedAt: at(183.5),
					Seconds:   9,
					ExitCode:  -1,
					Signal:    "SIGTERM",
					Class:     result.ExitInterrupted,
					Error:     "benchctl was interrupted",
				}},
			},
		},
	}
}

// sweepCase is a passing case with a recorded table and a repeated run.
func sweepCase() result.Case {
	return result.Case{
		Name:      "esm batch sweep",
		Status:    result.Passed,
		StartedAt: at(140.25),
		Seconds:   30.5,
		Metrics: []result.Metric{
			{Name: "best_batch", Value: 3072, Unit: "tokens"},
			{Name: "latency p95", Value: 0.000125, Unit: "s", Better: result.LowerIsBetter},
		},
		Tables: []result.Table{{
			Name:    "batch size sweep",
			Columns: []string{"batch", "seq/h", "peak | GPU0"},
			Rows: [][]string{
				{"1024", "3100", "41.2 GiB"},
				{"2048", "4050", "55.8 GiB"},
				{"3072", "4500", "60.0 GiB\n(limit)"},
			},
		}},
		Runs: []result.Run{{
			Name:      "sweep",
			Argv:      []string{"fakepipe", "--esm-batch-size", "3072"},
			StartedAt: at(141),
			Seconds:   2.5,
			Class:     result.ExitOK,
			Repeat: &result.RepeatStats{
				Warmup: 1, Runs: 5,
				Times: []float64{2.45, 2.5, 2.48, 2.52, 3.9},
				Min:   2.45, Max: 3.9, Mean: 2.77, Median: 2.5, Stddev: 0.62,
				Outliers: []int{4},
			},
		}},
	}
}

func brokenSuite() result.Suite {
	return result.Suite{
		Name:      "broken",
		File:      "scenarios/broken.lua",
		Status:    result.Errored,
		StartedAt: at(192.5),
		Error:     "scenarios/broken.lua:3: attempt to call a nil value (field 'suitee')",
	}
}
