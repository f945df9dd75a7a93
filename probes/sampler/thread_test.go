package sampler

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/benchctl/benchctl/probes"
)

// TestLoopKeepsToOneThread: every reading the sampling goroutine takes comes
// from one OS thread (the first, in Start, and the last, in Stop, run on
// their callers'), however the test's own goroutine, which advances the
// clock and waits for each reading, moves between threads.
func TestLoopKeepsToOneThread(t *testing.T) {
	const ticks = 50
	tids := make([]int, 0, ticks+2)
	sb := newScripted(1, func(k int) (probes.Snapshot, error) {
		tids = append(tids, unix.Gettid())
		return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, 0)}}, nil
	})
	h := start(t, sb, sb, Options{})
	h.ticks(ticks)
	h.s.Stop()
	loop := tids[1 : 1+ticks]
	for k, tid := range loop {
		if tid != loop[0] {
			t.Fatalf("tick %d read on thread %d, the first tick on %d: the loop left its thread", k+1, tid, loop[0])
		}
	}
}
