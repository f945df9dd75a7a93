package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/benchctl/benchctl/history"
	"github.com/benchctl/benchctl/history/changepoint"
	"github.com/benchctl/benchctl/history/gate"
	"github.com/benchctl/benchctl/history/trend"
	"github.com/benchctl/benchctl/result"
)

type measure struct {
	name string
	run  func(b backend) (string, error)
}

func measures(runs int) []measure {
	return []measure{
		{"record a 10 h, 8-GPU result (its final record, after the partial one)", record10h},
		{"record a 2,000-test result as it goes (one record after each test; total)", recordAsItGoes},
		{"import a 2,000-test result (`history import`, one record)", import2000},
		{fmt.Sprintf("seed %d runs (one record each, 3 metrics a run)", runs), func(b backend) (string, error) { return seed(b, runs) }},
	}
}

var ctx = context.Background()

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func env(gpus int) result.Environment {
	e := result.Environment{Hostname: "gpu-node-1", OS: "linux", Arch: "amd64", CPUs: 64, GPUBackend: "nvml", Version: "bench"}
	for i := range gpus {
		e.GPUs = append(e.GPUs, result.GPUInfo{Index: i, UUID: fmt.Sprintf("GPU-%08d", i), Name: "NVIDIA H100 80GB HBM3",
			MemoryTotal: 80 << 30, Driver: "580.65.06", CUDA: "13.0", PowerLimitW: 700})
	}
	return e
}

// report10h is the result of a 10-hour typical run on 8 GPUs: the
// pipeline run's GPU summary with full 512-bucket timelines and four stages.
func report10h() *result.Report {
	rng := rand.New(rand.NewPCG(1, 2))
	stat := func() result.Stat {
		return result.Stat{Count: 3_600_000, Min: rng.Float64() * 10, Max: 70 + rng.Float64()*30, Mean: 50, P50: 50, P95: 90}
	}
	stats := func() map[string]result.Stat {
		m := map[string]result.Stat{}
		for _, k := range []string{result.MemUsed, result.MemReserved, result.UtilGPU, result.UtilMem, result.Temperature, result.Power, result.SMClock} {
			m[k] = stat()
		}
		return m
	}
	g := &result.GPUSummary{Backend: "nvml", IntervalSeconds: 0.01, Samples: 3_600_000 * 8}
	for i := range 8 {
		gr := result.GPURun{Index: i, MemoryTotal: 80 << 30, Stats: stats(), Stages: map[string]map[string]result.Stat{},
			EnergyJoules: 2.5e7}
		for _, s := range []string{"translation", "dnabert", "esm", "consensus"} {
			gr.Stages[s] = stats()
		}
		for k := range 512 {
			b := result.Bucket{Start: float64(k) * 70.3, End: float64(k+1) * 70.3, Min: map[string]float64{}, Max: map[string]float64{}}
			for _, m := range []string{result.MemUsed, result.UtilGPU, result.Power} {
				b.Min[m], b.Max[m] = rng.Float64()*1e9, rng.Float64()*8e10
			}
			gr.Timeline = append(gr.Timeline, b)
		}
		g.GPUs = append(g.GPUs, gr)
	}
	run := result.Run{Name: "typical", Argv: []string{"python", "-m", "virnucpro", "predict"}, Class: result.ExitOK, Seconds: 36000, GPU: g}
	c := result.Case{Name: "typical sample in under 10 hours", Status: result.Passed, Seconds: 36000, Runs: []result.Run{run},
		Metrics: []result.Metric{{Name: "projected_hours", Value: 9.1, Unit: "h", Better: result.LowerIsBetter},
			{Name: "sequences_per_hour", Value: 4945, Better: result.HigherIsBetter}}}
	return &result.Report{Tool: result.Tool{Version: "bench"}, StartedAt: t0, FinishedAt: t0.Add(10 * time.Hour), Seconds: 36000,
		Invocation:  result.Invocation{Args: []string{"run", "scenarios/typical_10h.lua"}, ResultsDir: "reports/10h", Labels: map[string]string{"branch": "main"}},
		Environment: env(8),
		Suites:      []result.Suite{{Name: "typical_10h", File: "scenarios/typical_10h.lua", Status: result.Passed, Cases: []result.Case{c}}}}
}

func record10h(b backend) (string, error) {
	t, size := b.fresh()
	s, err := open(t)
	if err != nil {
		return "", err
	}
	defer s.Close()
	rep := report10h()
	rec := s.NewRecorder()
	partial := *rep
	partial.Partial, partial.Suites = true, nil
	if _, err := rec.Record(ctx, &partial); err != nil {
		return "", err
	}
	tm := start()
	if _, err := rec.Record(ctx, rep); err != nil {
		return "", err
	}
	s.Close() // checkpoints the WAL into the file
	return tm.String() + " | " + mib(size()), nil
}

// report2000 is a run of 20 suites of 100 tests, each with three metrics,
// one of them with 10 samples, and one test in 50 failed.
func report2000() *result.Report {
	rep := &result.Report{Tool: result.Tool{Version: "bench"}, StartedAt: t0, FinishedAt: t0.Add(time.Hour), Seconds: 3600,
		Invocation:  result.Invocation{Args: []string{"run", "scenarios/*.lua"}, ResultsDir: "reports/2000"},
		Environment: env(4)}
	for s := range 20 {
		suite := result.Suite{Name: fmt.Sprintf("suite_%02d", s), File: fmt.Sprintf("s%02d.lua", s), Status: result.Passed}
		for c := range 100 {
			samples := make([]float64, 10)
			for i := range samples {
				samples[i] = 1 + float64(i)/100
			}
			tc := result.Case{Name: fmt.Sprintf("test %03d", c), Status: result.Passed, Seconds: 1.8, Metrics: []result.Metric{
				{Name: "wall", Value: 1.05, Unit: "s", Better: result.LowerIsBetter, Spread: 0.03, Samples: samples},
				{Name: "peak_memory", Value: 4e9, Unit: "B", Better: result.LowerIsBetter},
				{Name: "throughput", Value: 1200, Unit: "seq/s", Better: result.HigherIsBetter}}}
			if c%50 == 7 {
				tc.Status = result.Failed
				tc.Failures = []result.Failure{{Label: "wall", Op: "le", Value: "1.05 s", Bound: "1 s", Message: "wall: 1.05 s, want <= 1 s"}}
			}
			suite.Cases = append(suite.Cases, tc)
		}
		rep.Suites = append(rep.Suites, suite)
	}
	return rep
}

func recordAsItGoes(b backend) (string, error) {
	t, size := b.fresh()
	s, err := open(t)
	if err != nil {
		return "", err
	}
	defer s.Close()
	full := report2000()
	rec := s.NewRecorder()
	tm := start()
	part := *full
	part.Partial = true
	part.Suites = nil
	for _, suite := range full.Suites {
		part.Suites = append(part.Suites, result.Suite{Name: suite.Name, File: suite.File, Status: result.Running})
		cur := &part.Suites[len(part.Suites)-1]
		for _, c := range suite.Cases {
			cur.Cases = append(cur.Cases, c)
			if _, err := rec.Record(ctx, &part); err != nil {
				return "", err
			}
		}
		cur.Status = suite.Status
	}
	if _, err := rec.Record(ctx, full); err != nil {
		return "", err
	}
	took := fmt.Sprintf("%s (%.2f ms a test)", tm.String(), time.Since(tm.wall).Seconds()*1000/2000)
	s.Close() // checkpoints the WAL into the file
	return took + " | " + mib(size()), nil
}

func import2000(b backend) (string, error) {
	t, size := b.fresh()
	s, err := open(t)
	if err != nil {
		return "", err
	}
	defer s.Close()
	rep := report2000()
	tm := start()
	if _, err := s.Record(ctx, rep); err != nil {
		return "", err
	}
	s.Close() // checkpoints the WAL into the file
	return tm.String() + " | " + mib(size()), nil
}

// seed records n runs of one test with three metrics (a wall time that
// steps up 8% two thirds of the way), then measures the reading commands
// over them. Its row holds the seeding; the reads print rows of their own.
func seed(b backend, n int) (string, error) {
	t, size := b.fresh()
	s, err := open(t)
	if err != nil {
		return "", err
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(5, 6))
	tm := start()
	for i := range n {
		level := 10.0
		if i >= 2*n/3 {
			level = 10.8
		}
		wall := level * math.Exp(0.02*rng.NormFloat64())
		at := t0.Add(time.Duration(i) * time.Hour)
		rep := &result.Report{Tool: result.Tool{Version: "bench"}, StartedAt: at, FinishedAt: at.Add(time.Minute), Seconds: 60,
			Invocation:  result.Invocation{Args: []string{"run", "speed.lua"}, ResultsDir: fmt.Sprintf("r/%d", i), Labels: map[string]string{"branch": "main", "commit": fmt.Sprintf("c%05d", i)}},
			Environment: env(4),
			Suites: []result.Suite{{Name: "speed", File: "speed.lua", Status: result.Passed, Cases: []result.Case{{Name: "wall", Status: result.Passed,
				Metrics: []result.Metric{{Name: "wall", Value: wall, Unit: "s", Better: result.LowerIsBetter},
					{Name: "peak_memory", Value: 4e9, Unit: "B", Better: result.LowerIsBetter},
					{Name: "throughput", Value: 1000 / wall, Unit: "seq/s", Better: result.HigherIsBetter}}}}}}}
		if _, err := s.Record(ctx, rep); err != nil {
			return "", err
		}
	}
	took := fmt.Sprintf("%s (%.2f ms a run)", tm.String(), time.Since(tm.wall).Seconds()*1000/float64(n))
	rows := reads(s, b.name, n)
	s.Close() // checkpoints the WAL into the file
	return took + " | " + mib(size()) + rows, nil
}

// reads times the reading commands over the seeded store; they print as
// further rows of the table.
func reads(s *history.Store, name string, n int) string {
	var out string
	// Each row closes the one before it; main closes the last.
	add := func(what string, f func() error) {
		tm := start()
		took := ""
		if err := f(); err != nil {
			took = "error: " + err.Error()
		} else {
			took = tm.String()
		}
		out += fmt.Sprintf(" |\n| %s | %s | %s |", name, what, took)
	}
	var series []history.Series
	var tr *trend.Trend
	add(fmt.Sprintf("`history trend wall`: read %d points", n), func() (err error) {
		series, err = s.Series(ctx, "wall", history.Filter{})
		return err
	})
	add("`history trend wall`: E-divisive over them", func() error {
		tr = trend.Build("wall", "", series, changepoint.Options{}, time.Now())
		if len(tr.Lines) != 1 || len(tr.Lines[0].Changes) == 0 {
			return fmt.Errorf("the step at run %d was not found", 2*n/3)
		}
		return nil
	})
	add("`history trend wall --format html`: render", func() error { _, err := trend.HTML(tr); return err })
	add("`history list --last 20`", func() error { _, err := s.List(ctx, history.Filter{Last: 20}); return err })
	add("`compare --baseline history --label branch=main`: load the last 10 runs", func() error {
		_, err := gate.Load(ctx, s, history.Filter{Last: 10, Labels: map[string]string{"branch": "main"}}, nil)
		return err
	})
	return out
}
