package sampler

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// hangingBackend is a one-GPU backend whose third reading hangs until
// release is closed and then fails, as an NVML call that times out.
type hangingBackend struct {
	calls    atomic.Int64
	inFlight atomic.Int64
	maxIn    atomic.Int64
	hung     chan struct{} // closed when the hanging call starts
	release  chan struct{}
}

var _ probes.Backend = (*hangingBackend)(nil)

var errTimedOut = errors.New("gpu 0: memory info: ERROR_TIMEOUT")

func (b *hangingBackend) Name() string { return "hanging" }
func (b *hangingBackend) Devices() []result.GPUInfo {
	return []result.GPUInfo{{Index: 0, UUID: "GPU-0", MemoryTotal: 80 * gib}}
}
func (b *hangingBackend) Close() error { return nil }

func (b *hangingBackend) Sample() (probes.Snapshot, error) {
	n := b.inFlight.Add(1)
	defer b.inFlight.Add(-1)
	for {
		m := b.maxIn.Load()
		if n <= m || b.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	if k := b.calls.Add(1) - 1; k == 2 {
		close(b.hung)
		<-b.release
		return probes.Snapshot{}, errTimedOut
	}
	return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, 0, 0)}}, nil
}

// TestHungCallMidRun: a backend call that hangs for many intervals and then
// fails (an NVML call timing out) holds only its own tick. Calls never
// overlap, the ticks it missed are dropped rather than queued behind it, the
// run's end (its context, then Stop) waits for it, and the summary counts
// every reading: those before, the failed one, and the final one.
func TestHungCallMidRun(t *testing.T) {
	b := &hangingBackend{hung: make(chan struct{}), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	s := Start(ctx, b, Options{Interval: time.Millisecond})
	select {
	case <-b.hung:
	case <-time.After(time.Minute): // a hang, not a timing assumption
		t.Fatal("the sampler never reached its third reading")
	}
	time.Sleep(50 * time.Millisecond) // ~50 ticks fall due while the call hangs
	cancel()                          // the run ends while the call hangs
	close(b.release)
	gs, _ := s.Stop()
	calls := b.calls.Load()
	if m := b.maxIn.Load(); m != 1 {
		t.Errorf("%d calls at once, want 1", m)
	}
	// Before: 2; the hung one; the tick the ticker held, and any that fall
	// due before the loop sees the context end (a random select); the final
	// reading of Stop. The ~50 ticks missed, queued, would make dozens.
	if calls < 4 || calls > 10 {
		t.Errorf("%d calls, want 4 to 10: missed ticks were queued", calls)
	}
	if gs.SampleErrors != 1 || gs.LastError != errTimedOut.Error() || gs.Samples != calls-1 {
		t.Errorf("samples %d, errors %d (%q) of %d calls", gs.Samples, gs.SampleErrors, gs.LastError, calls)
	}
	if len(gs.Events) != 1 || gs.Events[0].Kind != "sample_error" {
		t.Errorf("events %+v", gs.Events)
	}
}
