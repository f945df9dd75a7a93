package sim

import (
	"fmt"
	"math"
	"testing"
)

// TestGPM: SM activity is each process's utilization weighed by its SM
// efficiency (the default when it says none), clamped at 100; the other GPM
// figures follow; --sim-gpm=false leaves them out and says why.
func TestGPM(t *testing.T) {
	tests := []struct {
		name   string
		procs  []string // each process's gpu 0 usage, as JSON
		noGPM  bool
		wantSM float64
	}{
		{"default efficiency", []string{`{"used":1,"util":80,"mem_util":30}`}, false, 80 * DefaultSMEfficiency},
		{"launch-bound", []string{`{"used":1,"util":90,"mem_util":5,"sm_efficiency":0.02}`}, false, 1.8},
		{"two processes clamped", []string{`{"used":1,"util":90,"sm_efficiency":1}`, `{"used":1,"util":60,"sm_efficiency":1}`}, false, 100},
		{"no gpm", []string{`{"used":1,"util":80}`}, true, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := open(t, Config{GPUs: 1, NoGPM: tt.noGPM})
			for _, p := range tt.procs {
				writeProc(t, b.Dir(), sleeper(t).Process.Pid, fmt.Sprintf(`{"gpus":{"0":%s}}`, p))
			}
			snap, err := b.Sample()
			if err != nil || len(snap.Errors) > 0 {
				t.Fatal(err, snap.Errors)
			}
			g, info := snap.GPUs[0], b.Devices()[0]
			if tt.noGPM {
				if g.GPM || info.GPM || info.GPMWhy == "" {
					t.Errorf("gpm %v, info %v %q: want none, with a note", g.GPM, info.GPM, info.GPMWhy)
				}
				return
			}
			if !g.GPM || !info.GPM {
				t.Fatalf("gpm %v, info %v: want figures", g.GPM, info.GPM)
			}
			if math.Abs(g.SMActivity-tt.wantSM) > 1e-9 {
				t.Errorf("sm activity %v, want %v", g.SMActivity, tt.wantSM)
			}
			if g.SMOccupancy > g.SMActivity || g.TensorActivity > g.SMActivity || g.DRAMBandwidth != g.UtilMem {
				t.Errorf("occupancy %v, tensor %v, dram %v (mem util %v)", g.SMOccupancy, g.TensorActivity, g.DRAMBandwidth, g.UtilMem)
			}
		})
	}
}

// TestSetSMEfficiency: a process's efficiency reaches its proc file; a value
// out of range is refused.
func TestSetSMEfficiency(t *testing.T) {
	b := open(t, Config{GPUs: 1})
	p, err := Attach(b.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, bad := range []float64{-0.1, 1.5, math.NaN()} {
		if err := p.SetSMEfficiency(bad); err == nil {
			t.Errorf("efficiency %v accepted", bad)
		}
	}
	if err := p.SetSMEfficiency(0.1); err != nil {
		t.Fatal(err)
	}
	if err := p.Set(0, 1<<30, 50, 10); err != nil {
		t.Fatal(err)
	}
	snap, _ := b.Sample()
	if g := snap.GPUs[0]; math.Abs(g.SMActivity-5) > 1e-9 {
		t.Errorf("sm activity %v, want 5 (50%% at 0.1)", g.SMActivity)
	}
}
