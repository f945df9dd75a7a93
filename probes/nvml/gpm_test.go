package nvml

import (
	"math"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// h200 is two GPUs, the first with GPM (a Hopper part), the second without.
func h200GPM() fakeMachine {
	m := h100(2)
	m.GPUs[0].Name = "NVIDIA H200"
	m.GPUs[0].GPM = &fakeGPM{SMActivity: 94.7, SMOccupancy: 41.5, TensorActivity: 92, DRAMBandwidth: 18.25}
	return m
}

// TestGPMFigures reads SM activity, occupancy, tensor activity and DRAM
// bandwidth between two GPM samples, carries them between reads, and leaves a
// GPU without GPM with a note and no figures.
func TestGPMFigures(t *testing.T) {
	f := newFakeLib(h200GPM())
	b := f.open(t)
	start := time.Unix(1_700_000_000, 0)
	var at time.Duration
	b.now = func() time.Time { return start.Add(at) }

	infos := b.Devices()
	if !infos[0].GPM || infos[0].GPMWhy != "" {
		t.Errorf("gpu 0 gpm = %v %q, want available", infos[0].GPM, infos[0].GPMWhy)
	}
	if infos[1].GPM || infos[1].GPMWhy == "" {
		t.Errorf("gpu 1 gpm = %v %q, want unavailable with a note", infos[1].GPM, infos[1].GPMWhy)
	}

	steps := []struct {
		at      time.Duration
		wantGPM bool
		reads   int // GpmSampleGet calls so far
	}{
		{0, false, 1},                              // one sample: nothing to difference yet
		{10 * time.Millisecond, false, 1},          // within the period: no new read
		{gpmPeriod, true, 2},                       // second sample: figures
		{gpmPeriod + 50*time.Millisecond, true, 2}, // carried
		{2 * gpmPeriod, true, 3},
	}
	for _, st := range steps {
		at = st.at
		snap, err := b.Sample()
		if err != nil || len(snap.Errors) > 0 {
			t.Fatalf("at %v: %v %v", st.at, err, snap.Errors)
		}
		g := snap.GPUs[0]
		if g.GPM != st.wantGPM {
			t.Fatalf("at %v: GPM = %v, want %v", st.at, g.GPM, st.wantGPM)
		}
		if st.wantGPM && (g.SMActivity != 94.7 || g.SMOccupancy != 41.5 || g.TensorActivity != 92 || g.DRAMBandwidth != 18.25) {
			t.Errorf("at %v: figures %v %v %v %v", st.at, g.SMActivity, g.SMOccupancy, g.TensorActivity, g.DRAMBandwidth)
		}
		if snap.GPUs[1].GPM {
			t.Errorf("at %v: gpu 1 has gpm figures", st.at)
		}
		if n := len(f.GpmSampleGetCalls()); n != st.reads {
			t.Errorf("at %v: %d gpm reads, want %d", st.at, n, st.reads)
		}
	}
}

// TestGPMMetricUnsupported: a metric the GPU refuses is NaN, the others stand.
func TestGPMMetricUnsupported(t *testing.T) {
	f := newFakeLib(h200GPM())
	inner := f.GpmMetricsGetFunc
	f.GpmMetricsGetFunc = func(g *nvml.GpmMetricsGetType) nvml.Return {
		ret := inner(g)
		g.Metrics[2].NvmlReturn = uint32(nvml.ERROR_NOT_SUPPORTED)
		return ret
	}
	b := f.open(t)
	start := time.Unix(1_700_000_000, 0)
	var at time.Duration
	b.now = func() time.Time { return start.Add(at) }
	b.Sample()
	at = time.Second
	snap, _ := b.Sample()
	g := snap.GPUs[0]
	if !g.GPM || g.SMActivity != 94.7 || !math.IsNaN(g.TensorActivity) {
		t.Errorf("gpm %v sm %v tensor %v, want sm 94.7 and tensor NaN", g.GPM, g.SMActivity, g.TensorActivity)
	}
}

// TestGPMMissingFromLibrary: a driver without the GPM calls is never asked,
// and every GPU says why it has no figures.
func TestGPMMissingFromLibrary(t *testing.T) {
	m := h200GPM()
	m.Missing = []string{"nvmlGpmQueryDeviceSupport"}
	f := newFakeLib(m)
	b := f.open(t)
	for _, d := range b.Devices() {
		if d.GPM || d.GPMWhy == "" {
			t.Errorf("gpu %d: gpm %v %q, want a note", d.Index, d.GPM, d.GPMWhy)
		}
	}
	b.Sample()
	if n := len(f.GpmQueryDeviceSupportCalls()) + len(f.GpmSampleGetCalls()); n != 0 {
		t.Errorf("%d gpm calls on a library without them", n)
	}
}
