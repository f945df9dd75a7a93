package main

import "testing"

// trace runs batches of one model's fixed-size batches on a device with no
// simulated GPU and returns what the GPU would see after each.
func trace(t *testing.T, o *options, batches int) []uint64 {
	t.Helper()
	dev, err := newDevice(nil, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	w := &gpuWork{opt: o, log: logger{w: discard{}}, dev: dev, modelBatches: map[string]int{}}
	if err := dev.setModels(1 << 30); err != nil {
		t.Fatal(err)
	}
	if err := w.enterStage(stESM); err != nil {
		t.Fatal(err)
	}
	out := make([]uint64, batches)
	for i := range out {
		if err := w.batch(esm2, 256<<20, 0); err != nil {
			t.Fatal(err)
		}
		out[i] = dev.used(0)
	}
	return out
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestMemoryShapes(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name  string
		knobs func(o *options)
		check func(t *testing.T, used []uint64)
	}{
		{"leak: the same rise after every batch", func(o *options) { o.leakPerBatch = 32 * mib }, func(t *testing.T, used []uint64) {
			for i := 2; i < len(used); i++ {
				if d := used[i] - used[i-1]; d != 32*mib {
					t.Fatalf("batch %d rose %d bytes, want 32 MiB", i+1, d)
				}
			}
		}},
		{"allocator growth: halving steps that flatten", func(o *options) { o.allocGrowth = 512 * mib }, func(t *testing.T, used []uint64) {
			n := len(used)
			total, late := used[n-1]-used[0], used[n-1]-used[n/2]
			// The first step, 256 MiB, comes with the first batch.
			if total < 128*mib || total > 256*mib {
				t.Errorf("grew %d MiB after the first of %d batches, want 128 to 256", total/mib, n)
			}
			if late > total/16 {
				t.Errorf("grew %d MiB over the second half, want at most a sixteenth of %d", late/mib, total/mib)
			}
		}},
		{"sawtooth: back to the same trough", func(o *options) { o.sawtooth, o.sawtoothBatches = 1<<30, 8 }, func(t *testing.T, used []uint64) {
			lo, hi := used[0], used[0]
			for i, u := range used {
				lo, hi = min(lo, u), max(hi, u)
				if (i+1)%8 == 0 && u != used[7] {
					t.Errorf("after batch %d: %d, want the trough %d", i+1, u, used[7])
				}
			}
			if hi-lo != 7<<30/8 {
				t.Errorf("tooth of %d bytes, want 7/8 GiB", hi-lo)
			}
		}},
		{"plain: flat", func(*options) {}, func(t *testing.T, used []uint64) {
			if used[0] != used[len(used)-1] {
				t.Errorf("moved from %d to %d", used[0], used[len(used)-1])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaults()
			o.sawtoothBatches = 8
			tt.knobs(o)
			tt.check(t, trace(t, o, 64))
		})
	}
}

// The stage working set steps between stages and is freed after them.
func TestStageWorkingSet(t *testing.T) {
	const set = 1 << 30
	dev, _ := newDevice(nil, 0, false)
	o := defaults()
	o.stageWorkingSet = set
	w := &gpuWork{opt: o, dev: dev, modelBatches: map[string]int{}}
	base := dev.used(0)
	for _, st := range []struct {
		key  string
		want uint64
	}{{stDNABERT, set}, {stESM, 2 * set}, {stMerge, set / 2}, {stPredict, set / 4}, {"", 0}} {
		if err := w.enterStage(st.key); err != nil {
			t.Fatal(err)
		}
		if got := dev.used(0) - base; got != st.want {
			t.Errorf("stage %q holds %d bytes, want %d", st.key, got, st.want)
		}
	}
}
