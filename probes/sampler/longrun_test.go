package sampler

import (
	"runtime"
	"testing"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/probes/host"
	"github.com/benchctl/benchctl/result"
)

// TestLongRunMemoryBounded drives the whole tick path, without the goroutine
// hand-off, through 10 hours at 100 Hz on 8 GPUs (15 minutes with -short or
// -race), and checks the heap does not grow once every stage exists, the
// timelines stay within capacity and a one-sample peak survives.
func TestLongRunMemoryBounded(t *testing.T) {
	const hz = 100
	total := 10 * 3600 * hz
	if testing.Short() || raceEnabled {
		total = 15 * 60 * hz
	}
	b := newSteady(8, 4)
	b.spikeAt = total/2 + 17
	hp := &steadyHost{ts: host.TreeSample{PIDs: []int{999, 1000, 1001, 1002, 1003}, RSSBytes: 8 * gib}}
	s := newSampler(b, Options{Clock: NewFakeClock(t0), Host: hp})
	s.SetRoot(999)
	stages := []string{"translate", "dnabert", "esm", "classify"}
	now := t0
	stageTicks := total / 16
	done := 0
	run := func(ticks int) {
		for range ticks {
			if done%stageTicks == 0 {
				s.Stage(stages[(done/stageTicks)%len(stages)])
			}
			s.tick(now, false)
			now = now.Add(10 * time.Millisecond)
			done++
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// Every stage exists after 4/16 of the run; from then on nothing may grow.
	first := 5 * stageTicks
	run(first)
	before := heap()
	run(total - first)
	after := heap()
	if after > before+16<<10 {
		t.Errorf("heap grew from %d to %d bytes between %d and %d ticks", before, after, first, total)
	}
	t.Logf("heap after %d ticks: %d bytes; after %d ticks: %d bytes", first, before, total, after)

	gs, hs := s.Stop()
	if gs.Samples != int64(total+1) {
		t.Errorf("samples = %d, want %d", gs.Samples, total+1)
	}
	for _, g := range gs.GPUs {
		if len(g.Timeline) > DefaultTimelineBuckets {
			t.Errorf("gpu %d: %d timeline buckets", g.Index, len(g.Timeline))
		}
		if c := g.Stats[result.MemUsed].Count; c != gs.Samples {
			t.Errorf("gpu %d: %d memory readings, want %d", g.Index, c, gs.Samples)
		}
		if len(g.Stages) != len(stages) {
			t.Errorf("gpu %d: %d stages, want %d", g.Index, len(g.Stages), len(stages))
		}
	}
	peak := 0.0
	for _, bk := range gs.GPUs[0].Timeline {
		peak = max(peak, bk.Max[result.MemUsed])
	}
	if peak != 79*gib || gs.GPUs[0].Stats[result.MemUsed].Max != 79*gib {
		t.Errorf("gpu 0 peak: timeline %v, stat %v; want the one-sample spike %v", peak, gs.GPUs[0].Stats[result.MemUsed].Max, 79*gib)
	}
	if len(gs.Processes) != 4*8 || hs == nil || hs.MaxProcesses != 5 {
		t.Errorf("%d process peaks, host %+v", len(gs.Processes), hs)
	}
}

// TestSamplerGoroutineRun runs the Sampler itself, goroutine and fake clock,
// for a simulated minute at 100 Hz on 8 GPUs.
func TestSamplerGoroutineRun(t *testing.T) {
	const ticks = 6000
	steady := newSteady(8, 2)
	steady.spikeAt = ticks / 3
	b := newScripted(0, nil)
	b.devices = steady.devices
	b.script = func(int) (probes.Snapshot, error) { return steady.Sample() }
	h := start(t, b, b, Options{})
	h.ticks(ticks)
	gs, _ := h.s.Stop()
	if gs.Samples != int64(ticks+2) {
		t.Errorf("samples = %d, want %d", gs.Samples, ticks+2)
	}
	for _, g := range gs.GPUs {
		if n := len(g.Timeline); n == 0 || n > DefaultTimelineBuckets {
			t.Errorf("gpu %d: %d timeline buckets", g.Index, n)
		}
	}
	if got := gs.GPUs[0].Stats[result.MemUsed].Max; got != 79*gib {
		t.Errorf("gpu 0 peak = %v, want %v", got, 79*gib)
	}
}
