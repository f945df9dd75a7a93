package sampler

import (
	"testing"

	"github.com/benchctl/benchctl/probes"
)

// TestSampleNow: a reading asked for between two ticks is taken at once by
// the sampling goroutine (the backend's call count says so, with the clock
// stopped), counts in the summary, and after Stop the last reading comes back
// without a new call.
func TestSampleNow(t *testing.T) {
	sb := newScripted(1, func(k int) (probes.Snapshot, error) {
		return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, 0)}}, nil
	})
	h := start(t, sb, sb, Options{})
	tests := []struct {
		name    string
		stopped bool
		wantMem uint64 // (k+1) GiB at the k-th call
	}{
		{"first, between ticks", false, 2 * gib},
		{"second, between ticks", false, 3 * gib},
		{"after stop", true, 4 * gib}, // Stop's final reading
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.stopped {
				h.s.Stop()
			}
			snap := h.s.SampleNow()
			if len(snap.GPUs) != 1 || snap.GPUs[0].MemUsed != tt.wantMem {
				t.Fatalf("SampleNow = %+v, want memory %d", snap.GPUs, tt.wantMem)
			}
		})
	}
	gs, _ := h.s.Stop()
	if gs.Samples != 4 {
		t.Errorf("%d samples in the summary, want 4 (first, two asked for, final)", gs.Samples)
	}
}
