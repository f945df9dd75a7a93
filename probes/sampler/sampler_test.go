package sampler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/probes/host"
	"github.com/benchctl/benchctl/proctree"
	"github.com/benchctl/benchctl/result"
)

// statWant is what a test checks of a result.Stat: count, min, max and mean
// exactly, and p50 within the sketch's bound.
type statWant struct {
	count          int64
	min, max, mean float64
	p50            float64
}

func checkStat(t *testing.T, label string, got result.Stat, want statWant) {
	t.Helper()
	if got.Count != want.count || !approx(got.Min, want.min) || !approx(got.Max, want.max) || !approx(got.Mean, want.mean) ||
		!withinBound(got.P50, want.p50) {
		t.Errorf("%s = %+v, want count %d min %v max %v mean %v p50 %v", label, got, want.count, want.min, want.max, want.mean, want.p50)
	}
}

func TestSamplerStatsStagesAndFigures(t *testing.T) {
	b := newScripted(2, func(k int) (probes.Snapshot, error) {
		var thr uint64
		switch k {
		case 3:
			thr = 0x4 | 0x1 // SwPowerCap, and GpuIdle which is not throttling
		case 5:
			thr = 0x40
		}
		return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, thr), gpuAt(1, k, 0)}}, nil
	})
	h := start(t, b, b, Options{})
	h.s.Stage("a")
	h.ticks(5) // readings 1..5
	h.s.Stage("b")
	h.ticks(3) // 6..8
	h.s.Stage("")
	h.ticks(2) // 9, 10
	gs, hs := h.s.Stop()
	// Reading 11 is the final one.

	if hs != nil {
		t.Errorf("host summary = %+v without a host probe, want nil", hs)
	}
	if gs.Backend != "fake" || gs.IntervalSeconds != 0.01 || gs.Samples != 12 || b.calls != 12 {
		t.Errorf("backend %q interval %v samples %d calls %d, want fake 0.01 12 12", gs.Backend, gs.IntervalSeconds, gs.Samples, b.calls)
	}
	if len(gs.GPUs) != 2 {
		t.Fatalf("%d GPUs, want 2", len(gs.GPUs))
	}
	tests := []struct {
		gpu      int
		throttle []string
	}{
		{0, []string{"SwPowerCap", "HwThermalSlowdown"}},
		{1, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("gpu", tt.gpu), func(t *testing.T) {
			g := gs.GPUs[tt.gpu]
			m := float64((tt.gpu + 1) * gib) // memory at reading k is (k+1)·m
			if g.Index != tt.gpu || g.UUID != fmt.Sprint("GPU-", tt.gpu) || g.MemoryTotal != 80*gib {
				t.Errorf("identity = %d %q %d", g.Index, g.UUID, g.MemoryTotal)
			}
			checkStat(t, "memory_used", g.Stats[result.MemUsed], statWant{12, m, 12 * m, 6.5 * m, 6 * m})
			checkStat(t, "utilization_gpu", g.Stats[result.UtilGPU], statWant{12, 0, 11, 5.5, 5})
			checkStat(t, "power", g.Stats[result.Power], statWant{12, 100, 111, 105.5, 105})
			checkStat(t, "temperature", g.Stats[result.Temperature], statWant{12, 50, 50, 50, 50})
			checkStat(t, "sm_clock", g.Stats[result.SMClock], statWant{12, 1980, 1980, 1980, 1980})
			checkStat(t, "utilization_memory", g.Stats[result.UtilMem], statWant{12, 0, 5.5, 2.75, 2.5})
			if _, ok := g.Stats[result.MemReserved]; ok {
				t.Errorf("memory_reserved reported though always 0")
			}
			if len(g.Stages) != 2 {
				t.Fatalf("stages = %v, want a and b", g.Stages)
			}
			checkStat(t, "stage a memory", g.Stages["a"][result.MemUsed], statWant{5, 2 * m, 6 * m, 4 * m, 4 * m})
			checkStat(t, "stage b memory", g.Stages["b"][result.MemUsed], statWant{3, 7 * m, 9 * m, 8 * m, 8 * m})
			checkStat(t, "stage b util", g.Stages["b"][result.UtilGPU], statWant{3, 6, 8, 7, 7})
			if g.Baseline != uint64(m) || g.After != uint64(12*m) {
				t.Errorf("baseline/after = %d/%d, want %v/%v", g.Baseline, g.After, m, 12*m)
			}
			if g.EnergyJoules != 110 {
				t.Errorf("energy = %v J, want 110", g.EnergyJoules)
			}
			if !slices.Equal(g.Throttle, tt.throttle) {
				t.Errorf("throttle = %v, want %v", g.Throttle, tt.throttle)
			}
			peak := 0.0
			for _, bk := range g.Timeline {
				peak = max(peak, bk.Max[result.MemUsed])
			}
			if len(g.Timeline) == 0 || peak != 12*m {
				t.Errorf("timeline of %d buckets peaks at %v, want %v", len(g.Timeline), peak, 12*m)
			}
			// The final reading shares the last tick's time, so the fit is a
			// little off the 1 GiB per 10 ms of the readings, the more so as
			// the fit keeps only the points above 90% of the median floor.
			if want := m / 0.01; math.Abs(g.FloorSlope-want) > 0.10*want {
				t.Errorf("floor slope = %v, want %v", g.FloorSlope, want)
			}
		})
	}
}

func TestSamplerDriverSamples(t *testing.T) {
	const ms = time.Millisecond
	sb := newScripted(2, func(k int) (probes.Snapshot, error) {
		g0, g1 := gpuAt(0, k, 0), gpuAt(1, k, 0)
		g0.UtilGPU, g0.PowerW, g1.UtilGPU, g1.PowerW = 99, 999, 99, 999
		return probes.Snapshot{GPUs: []probes.GPUSample{g0, g1}}, nil
	})
	nan := math.NaN()
	// Call k (k >= 1) returns, for GPU 0, three samples with utilization and
	// power, plus the last sample of call k-1 again; for GPU 1 one power-only
	// sample; and one sample of a GPU the sampler does not know.
	at := func(k int, d time.Duration) time.Time { return t0.Add(time.Duration(k-1)*iv + d) }
	b := &driverBackend{scriptedBackend: sb, drv: func(k int, since time.Time) ([]probes.DriverSample, error) {
		if k == 0 {
			return nil, nil
		}
		var out []probes.DriverSample
		if k > 1 {
			out = append(out, probes.DriverSample{GPU: 0, Time: at(k-1, 3*ms), UtilGPU: 30, PowerW: 220})
		}
		for j, v := range []float64{10, 20, 30} {
			out = append(out, probes.DriverSample{GPU: 0, Time: at(k, time.Duration(j+1)*ms), UtilGPU: v, PowerW: 200 + v - 10})
		}
		out = append(out,
			probes.DriverSample{GPU: 1, Time: at(k, ms/2), UtilGPU: nan, PowerW: 150},
			probes.DriverSample{GPU: 7, Time: at(k, ms), UtilGPU: 1, PowerW: 1},
		)
		return out, nil
	}}
	h := start(t, b, sb, Options{DriverPeriod: time.Nanosecond}) // every tick
	h.s.Stage("s")
	h.ticks(10)
	gs, _ := h.s.Stop()
	calls := b.dcalls // 12: the first reading, 10 ticks, the final reading
	if calls != 12 {
		t.Fatalf("DriverSamples called %d times, want 12", calls)
	}
	n := int64(calls - 1)

	g0, g1 := gs.GPUs[0], gs.GPUs[1]
	checkStat(t, "gpu0 util (driver only)", g0.Stats[result.UtilGPU], statWant{3 * n, 10, 30, 20, 20})
	checkStat(t, "gpu0 power (driver only)", g0.Stats[result.Power], statWant{3 * n, 200, 220, 210, 210})
	checkStat(t, "gpu0 stage util", g0.Stages["s"][result.UtilGPU], statWant{3 * n, 10, 30, 20, 20})
	if g0.DriverSamples != 3*n {
		t.Errorf("gpu0 driver samples = %d, want %d (duplicates dropped)", g0.DriverSamples, 3*n)
	}
	checkStat(t, "gpu1 util (ticks: no driver utilization)", g1.Stats[result.UtilGPU], statWant{12, 99, 99, 99, 99})
	checkStat(t, "gpu1 power (driver)", g1.Stats[result.Power], statWant{n, 150, 150, 150, 150})
	if g1.DriverSamples != n {
		t.Errorf("gpu1 driver samples = %d, want %d", g1.DriverSamples, n)
	}
	// since holds back at GPU 1's power, the oldest metric's newest sample.
	for k := 2; k < calls; k++ {
		if want := at(k-1, ms/2); !b.sinces[k].Equal(want) {
			t.Errorf("since of call %d = %v, want %v", k, b.sinces[k].Sub(t0), want.Sub(t0))
		}
	}
	if !b.sinces[0].Equal(t0) {
		t.Errorf("first since = %v, want the start", b.sinces[0])
	}

	t.Run("unavailable stops the calls", func(t *testing.T) {
		sb := newScripted(1, func(k int) (probes.Snapshot, error) {
			return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, 0)}}, nil
		})
		b := &driverBackend{scriptedBackend: sb, drv: func(int, time.Time) ([]probes.DriverSample, error) {
			return nil, fmt.Errorf("samples: %w", probes.ErrUnavailable)
		}}
		h := start(t, b, sb, Options{})
		h.ticks(3)
		gs, _ := h.s.Stop()
		if b.dcalls != 1 || gs.SampleErrors != 0 {
			t.Errorf("calls %d, sample errors %d; want 1 and 0", b.dcalls, gs.SampleErrors)
		}
		checkStat(t, "util from ticks", gs.GPUs[0].Stats[result.UtilGPU], statWant{5, 0, 4, 2, 2})
	})
}

func TestSamplerErrors(t *testing.T) {
	lost := errGPU{0, fmt.Errorf("power: %w", probes.ErrGPULost)}
	b := newScripted(1, func(k int) (probes.Snapshot, error) {
		snap := probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, 0)}}
		switch k {
		case 3, 4, 5:
			return probes.Snapshot{}, fmt.Errorf("read gpus: %w", errBoom)
		case 6, 7:
			snap.Errors = []error{lost}
		case 8:
			snap.Errors = []error{errGPU{1, errors.New("temperature: not supported")}}
		}
		return snap, nil
	})
	h := start(t, b, b, Options{})
	h.ticks(10)
	gs, _ := h.s.Stop()
	if gs.Samples != 9 || gs.SampleErrors != 6 {
		t.Errorf("samples %d, errors %d; want 9 and 6", gs.Samples, gs.SampleErrors)
	}
	if gs.LastError != "gpu 1: temperature: not supported" {
		t.Errorf("last error = %q", gs.LastError)
	}
	checkStat(t, "memory after errors", gs.GPUs[0].Stats[result.MemUsed], statWant{9, gib, 12 * gib, 7 * gib, 8 * gib})
	want := []result.Event{
		{Seconds: 0.03, GPU: -1, Kind: "sample_error", Message: "read gpus: boom"},
		{Seconds: 0.06, GPU: 0, Kind: "gpu_lost", Message: "gpu 0: power: gpu lost"},
		{Seconds: 0.08, GPU: 1, Kind: "sample_error", Message: "gpu 1: temperature: not supported"},
	}
	if len(gs.Events) != len(want) {
		t.Fatalf("events = %+v, want %+v", gs.Events, want)
	}
	for i, w := range want {
		g := gs.Events[i]
		if !approx(g.Seconds, w.Seconds) || g.GPU != w.GPU || g.Kind != w.Kind || g.Message != w.Message {
			t.Errorf("event %d = %+v, want %+v", i, g, w)
		}
	}

	t.Run("distinct errors are bounded", func(t *testing.T) {
		b := newScripted(1, func(k int) (probes.Snapshot, error) {
			return probes.Snapshot{}, fmt.Errorf("failure %d", k)
		})
		h := start(t, b, b, Options{})
		h.ticks(300)
		gs, _ := h.s.Stop()
		if gs.SampleErrors != 302 || len(gs.Events) != maxErrorEvents {
			t.Errorf("errors %d, events %d; want 302 and %d", gs.SampleErrors, len(gs.Events), maxErrorEvents)
		}
		if gs.Samples != 0 || len(gs.GPUs) != 1 || len(gs.GPUs[0].Stats) != 0 {
			t.Errorf("samples %d, gpus %+v; want nothing sampled", gs.Samples, gs.GPUs)
		}
	})
}

func TestSamplerEvents(t *testing.T) {
	unix := float64(t0.UnixNano()) / 1e9
	many := make([]result.Event, 300)
	for i := range many {
		many[i] = result.Event{Seconds: unix + float64(i), Kind: "xid", Data: 79}
	}
	tests := []struct {
		name      string
		events    []result.Event
		err       error
		wantXID   bool
		wantKinds []string
		wantTimes []float64
		wantErrs  int64
	}{
		{
			name: "xid and ecc",
			events: []result.Event{
				{Seconds: unix + 1.5, GPU: 0, Kind: "xid", Data: 79, Message: "GPU has fallen off the bus"},
				{Seconds: unix + 0.25, GPU: 1, Kind: "ecc_double", Data: 1},
			},
			wantXID:   true,
			wantKinds: []string{"ecc_double", "xid"},
			wantTimes: []float64{0.25, 1.5},
		},
		{
			name:      "ecc only",
			events:    []result.Event{{Seconds: unix + 2, Kind: "ecc_single"}},
			wantKinds: []string{"ecc_single"},
			wantTimes: []float64{2},
		},
		{
			name:      "bounded",
			events:    many,
			wantXID:   true,
			wantKinds: slices.Repeat([]string{"xid"}, maxEvents),
		},
		{
			name:      "watch fails",
			err:       errors.New("register events: insufficient permissions"),
			wantKinds: []string{"sample_error"},
			wantTimes: []float64{0},
			wantErrs:  1,
		},
		{
			name: "watch unavailable",
			err:  fmt.Errorf("events: %w", probes.ErrUnavailable),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := newScripted(2, func(k int) (probes.Snapshot, error) {
				return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, 0), gpuAt(1, k, 0)}}, nil
			})
			b := &eventBackend{scriptedBackend: sb, events: tt.events, err: tt.err, sent: make(chan struct{})}
			h := start(t, b, sb, Options{})
			<-b.sent
			h.ticks(2)
			gs, _ := h.s.Stop()
			if gs.XID != tt.wantXID || gs.SampleErrors != tt.wantErrs {
				t.Errorf("XID %v, sample errors %d; want %v, %d", gs.XID, gs.SampleErrors, tt.wantXID, tt.wantErrs)
			}
			var kinds []string
			for i, ev := range gs.Events {
				kinds = append(kinds, ev.Kind)
				if i < len(tt.wantTimes) && !approx(ev.Seconds, tt.wantTimes[i]) {
					t.Errorf("event %d at %v s, want %v", i, ev.Seconds, tt.wantTimes[i])
				}
			}
			if !slices.Equal(kinds, tt.wantKinds) {
				t.Errorf("event kinds = %v, want %v", kinds, tt.wantKinds)
			}
		})
	}
}

func TestSamplerProcessesAndAccounting(t *testing.T) {
	const mb = 1 << 20
	proc := func(pid int, used uint64) probes.ProcessMem { return probes.ProcessMem{PID: pid, Used: used} }
	script := func(k int) (probes.Snapshot, error) {
		p101 := uint64(5 * mb)
		if k == 4 {
			p101 = 50 * mb
		}
		g0 := gpuAt(0, k, 0, proc(100, uint64(k+1)*mb), proc(101, p101), proc(999, 70*gib))
		g1 := gpuAt(1, k, 0, proc(101, 5*mb))
		if k == 3 || k == 4 {
			// A short-lived worker, gone before the tree's regular reading.
			g1.Processes = append(g1.Processes, proc(102, 7*mb))
		}
		return probes.Snapshot{GPUs: []probes.GPUSample{g0, g1}}, nil
	}
	sampled := []result.ProcessPeak{
		{PID: 100, GPU: 0, PeakBytes: 10 * mb, Source: "sampled"}, // reading 9, the final one
		{PID: 101, GPU: 0, PeakBytes: 50 * mb, Source: "sampled"},
		{PID: 101, GPU: 1, PeakBytes: 5 * mb, Source: "sampled"},
		{PID: 102, GPU: 1, PeakBytes: 7 * mb, Source: "sampled"},
	}
	exact := slices.Clone(sampled)
	exact[1] = result.ProcessPeak{PID: 101, GPU: 0, PeakBytes: 60 * mb, Exact: true, Source: "accounting"}

	tests := []struct {
		name        string
		accounting  bool
		startErr    error
		peaksErr    error
		want        []result.ProcessPeak
		wantStarted int
		wantRestore int
		wantErr     error
	}{
		{name: "exact peaks replace sampled ones", accounting: true, want: exact, wantStarted: 1, wantRestore: 1},
		{name: "accounting off", want: sampled},
		{name: "accounting unavailable", accounting: true, startErr: fmt.Errorf("not root: %w", probes.ErrUnavailable),
			want: sampled, wantStarted: 1, wantErr: probes.ErrUnavailable},
		{name: "peaks fail", accounting: true, peaksErr: errBoom, want: sampled, wantStarted: 1, wantRestore: 1, wantErr: errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := newScripted(2, script)
			b := &acctBackend{scriptedBackend: sb, startErr: tt.startErr, peaksErr: tt.peaksErr}
			if tt.peaksErr == nil {
				b.peaks = []result.ProcessPeak{{PID: 101, GPU: 0, PeakBytes: 60 * mb}}
			}
			hp := &fakeHost{script: func(k, root int) (host.TreeSample, error) {
				if root != 100 {
					return host.TreeSample{}, fmt.Errorf("root %d: %w", root, proctree.ErrNoProcess)
				}
				if k == 0 {
					return host.TreeSample{PIDs: []int{100, 101}}, nil
				}
				return host.TreeSample{PIDs: []int{100, 101, 102}}, nil
			}}
			h := start(t, b, sb, Options{Accounting: tt.accounting, Host: hp})
			h.s.SetRoot(100)
			h.ticks(8)
			gs, _ := h.s.Stop()

			if !slices.Equal(gs.Processes, tt.want) {
				t.Errorf("processes =\n %+v, want\n %+v", gs.Processes, tt.want)
			}
			if got := h.s.TreePIDs(); !slices.Equal(got, []int{100, 101, 102}) {
				t.Errorf("TreePIDs = %v", got)
			}
			// Reads: tick 1 (root set), tick 3 (pid 102 unknown), the final one.
			if hp.Calls() != 3 {
				t.Errorf("tree read %d times, want 3", hp.Calls())
			}
			if b.started != tt.wantStarted || b.restored != tt.wantRestore {
				t.Errorf("accounting started %d, restored %d; want %d, %d", b.started, b.restored, tt.wantStarted, tt.wantRestore)
			}
			if tt.wantStarted > 0 && tt.startErr == nil && !slices.Equal(b.askedPIDs, []int{100, 101, 102}) {
				t.Errorf("AccountedPeaks asked for %v", b.askedPIDs)
			}
			if err := h.s.AccountingErr(); !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("AccountingErr = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestSamplerHost(t *testing.T) {
	const mb = 1 << 20
	type reading struct {
		cpu, child float64
		rss        uint64
		procs      int
	}
	// Tree reads at ticks 1 (root set), 10, 20, 30 and the final one, at
	// 0.01, 0.10, 0.20, 0.30 and 0.30 s.
	readings := []reading{
		{0.005, 0, 10 * mb, 1},
		{0.03, 0.02, 20 * mb, 3},
		{0.05, 0.05, 50 * mb, 2},
		{0.10, 0.05, 30 * mb, 2},
		{0.12, 0, 5 * mb, 1}, // a worker exited: its time left /proc
	}
	tests := []struct {
		name string
		host HostProbe
		want *result.HostSummary
	}{
		{
			name: "figures",
			host: &fakeHost{script: func(k, root int) (host.TreeSample, error) {
				r := readings[k]
				return host.TreeSample{PIDs: make([]int, r.procs), CPUSeconds: r.cpu, ChildCPUSeconds: r.child, RSSBytes: r.rss}, nil
			}},
			want: &result.HostSummary{
				CPUSeconds:   0.15,
				PeakRSSBytes: 50 * mb,
				MaxProcesses: 3,
				Stats: map[string]result.Stat{
					result.CPUPercent: {Count: 3, Min: 50, Max: 50, Mean: 50, P50: 50, P95: 50},
					result.RSS:        {Count: 5, Min: 5 * mb, Max: 50 * mb, Mean: 23 * mb, P50: 20 * mb, P95: 30 * mb},
				},
			},
		},
		{
			name: "every read fails",
			host: &fakeHost{script: func(k, root int) (host.TreeSample, error) {
				return host.TreeSample{}, fmt.Errorf("process %d: %w", root, proctree.ErrNoProcess)
			}},
		},
		{name: "no host probe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newScripted(1, func(k int) (probes.Snapshot, error) {
				return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, 0)}}, nil
			})
			h := start(t, b, b, Options{Host: tt.host, HostPeriod: 100 * time.Millisecond})
			h.s.SetRoot(4242)
			h.ticks(30)
			_, hs := h.s.Stop()
			if tt.want == nil {
				if hs != nil {
					t.Errorf("host summary = %+v, want nil", hs)
				}
				return
			}
			if hs == nil {
				t.Fatal("host summary is nil")
			}
			if !approx(hs.CPUSeconds, tt.want.CPUSeconds) || hs.PeakRSSBytes != tt.want.PeakRSSBytes || hs.MaxProcesses != tt.want.MaxProcesses {
				t.Errorf("host = %+v, want %+v", hs, tt.want)
			}
			for name, w := range tt.want.Stats {
				checkStat(t, name, hs.Stats[name], statWant{w.Count, w.Min, w.Max, w.Mean, w.P50})
			}
			if fh := tt.host.(*fakeHost); fh.Calls() != len(readings) {
				t.Errorf("tree read %d times, want %d", fh.Calls(), len(readings))
			}
		})
	}
}

func TestSamplerStopIdempotentAndLatest(t *testing.T) {
	b := newScripted(1, func(k int) (probes.Snapshot, error) {
		return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, 0, probes.ProcessMem{PID: 1, Used: 1})}}, nil
	})
	h := start(t, b, b, Options{})
	h.ticks(3)
	h.ticks(1) // reading 3 is done once reading 4 has started
	latest := h.s.Latest()
	if len(latest.GPUs) != 1 || latest.GPUs[0].MemUsed < 4*gib {
		t.Fatalf("Latest = %+v, want reading 3 or later", latest)
	}
	latest.GPUs[0].Processes[0].Used = 12345 // a copy: the sampler's stays
	if h.s.Latest().GPUs[0].Processes[0].Used == 12345 {
		t.Error("Latest returned the sampler's own snapshot")
	}

	var wg sync.WaitGroup
	results := make([]*result.GPUSummary, 4)
	for i := range results {
		wg.Go(func() { results[i], _ = h.s.Stop() })
	}
	wg.Wait()
	for _, r := range results[1:] {
		if r != results[0] {
			t.Fatal("concurrent Stops returned different summaries")
		}
	}
	calls := b.calls
	again, _ := h.s.Stop()
	if again != results[0] || b.calls != calls || again.Samples != 6 {
		t.Errorf("Stop again: same %v, calls %d -> %d, samples %d (want 6)", again == results[0], calls, b.calls, again.Samples)
	}
	h.clock.Advance(time.Second) // no ticker left: returns at once
	if latest := h.s.Latest(); latest.GPUs[0].MemUsed != 6*gib {
		t.Errorf("Latest after Stop = %d, want the final reading", latest.GPUs[0].MemUsed)
	}
}

func TestSamplerContextCanceled(t *testing.T) {
	b := newScripted(1, func(k int) (probes.Snapshot, error) {
		return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, 0)}}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	clock := NewFakeClock(t0)
	s := Start(ctx, b, Options{Clock: clock})
	cancel()
	clock.Advance(time.Second) // the loop may take a tick or end first
	gs, _ := s.Stop()
	if gs.Samples < 2 || gs.Samples != int64(b.calls) {
		t.Errorf("samples %d, calls %d; want first and final readings at least", gs.Samples, b.calls)
	}
}

func TestSamplerNilBackendAndDefaults(t *testing.T) {
	s := Start(context.Background(), nil, Options{Clock: NewFakeClock(t0)})
	gs, hs := s.Stop()
	if gs.Backend != "none" || len(gs.GPUs) != 0 || gs.IntervalSeconds != DefaultInterval.Seconds() || hs != nil {
		t.Errorf("summary = %+v, %+v", gs, hs)
	}
	if s.hostEvery != 25 || s.opts.TimelineBuckets != DefaultTimelineBuckets {
		t.Errorf("defaults: host every %d ticks, %d buckets", s.hostEvery, s.opts.TimelineBuckets)
	}
}

func TestThrottleReasons(t *testing.T) {
	tests := []struct {
		mask uint64
		want []string
	}{
		{0, nil},
		{0x1, nil},
		{0x4, []string{"SwPowerCap"}},
		{0x1ff, []string{"ApplicationsClocksSetting", "SwPowerCap", "HwSlowdown", "SyncBoost",
			"SwThermalSlowdown", "HwThermalSlowdown", "HwPowerBrakeSlowdown", "DisplayClockSetting"}},
		{0x41 | 0x800, []string{"HwThermalSlowdown", "0x800"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%#x", tt.mask), func(t *testing.T) {
			if got := ThrottleReasons(tt.mask); !slices.Equal(got, tt.want) {
				t.Errorf("ThrottleReasons(%#x) = %v, want %v", tt.mask, got, tt.want)
			}
		})
	}
}
