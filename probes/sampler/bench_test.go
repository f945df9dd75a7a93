package sampler

import (
	"fmt"
	"testing"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/probes/host"
	"github.com/benchctl/benchctl/result"
)

// steadyBackend returns the same snapshot buffers every time, with readings
// that change from call to call as real ones do; it allocates nothing.
type steadyBackend struct {
	devices []result.GPUInfo
	snap    probes.Snapshot
	k       int
	spikeAt int // the call whose GPU 0 reading is a one-sample peak of 79 GiB
}

func newSteady(gpus, procsPerGPU int) *steadyBackend {
	b := &steadyBackend{}
	for g := range gpus {
		b.devices = append(b.devices, result.GPUInfo{Index: g, UUID: fmt.Sprint("GPU-", g), MemoryTotal: 80 * gib})
		s := gpuAt(g, 0, 0x4)
		for p := range procsPerGPU {
			s.Processes = append(s.Processes, probes.ProcessMem{PID: 1000 + p, Used: gib})
		}
		b.snap.GPUs = append(b.snap.GPUs, s)
	}
	return b
}

func (b *steadyBackend) Name() string              { return "steady" }
func (b *steadyBackend) Devices() []result.GPUInfo { return b.devices }
func (b *steadyBackend) Close() error              { return nil }
func (b *steadyBackend) Sample() (probes.Snapshot, error) {
	b.k++
	for i := range b.snap.GPUs {
		g := &b.snap.GPUs[i]
		g.MemUsed = uint64(20*gib + (b.k%977)*(1<<22) + i)
		g.UtilGPU = float64((b.k * 7) % 101)
		g.UtilMem = float64((b.k * 3) % 101)
		g.PowerW = 300 + float64(b.k%200)
		g.TempC = 60 + float64(b.k%10)
		g.EnergyMJ += 3000
		for p := range g.Processes {
			g.Processes[p].Used = g.MemUsed / uint64(len(g.Processes))
		}
	}
	if b.k == b.spikeAt {
		b.snap.GPUs[0].MemUsed = 79 * gib
	}
	return b.snap, nil
}

// steadyHost is a HostProbe that returns a fixed tree without allocating.
type steadyHost struct{ ts host.TreeSample }

func (h *steadyHost) Sample(int) (host.TreeSample, error) {
	h.ts.CPUSeconds += 0.05
	return h.ts, nil
}

// newBenchSampler is a sampler with no goroutine, for calling tick directly.
func newBenchSampler(gpus int) *Sampler {
	b := newSteady(gpus, 4)
	hp := &steadyHost{ts: host.TreeSample{PIDs: []int{999, 1000, 1001, 1002, 1003}, RSSBytes: 8 * gib}}
	s := newSampler(b, Options{Clock: NewFakeClock(t0), Host: hp})
	s.SetRoot(999)
	s.Stage("esm")
	return s
}

// BenchmarkTick measures one sampler tick: one reading of every GPU folded into
// the run's and the stage's Stats, the timeline, the process peaks, and every
// tenth tick a tree reading (from a fake host probe).
func BenchmarkTick(b *testing.B) {
	for _, gpus := range []int{1, 8} {
		b.Run(fmt.Sprintf("gpus=%d", gpus), func(b *testing.B) {
			s := newBenchSampler(gpus)
			now := t0
			b.ReportAllocs()
			for b.Loop() {
				now = now.Add(iv)
				s.tick(now, false)
			}
		})
	}
}

// TestTickAllocs pins the steady-state allocations of a tick at zero.
func TestTickAllocs(t *testing.T) {
	s := newBenchSampler(8)
	now := t0
	for range 1000 { // let the Stats and maps reach their size
		now = now.Add(iv)
		s.tick(now, false)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		now = now.Add(iv)
		s.tick(now, false)
	})
	if allocs > 0 {
		t.Errorf("a tick allocates %v times, want 0", allocs)
	}
}
