package sampler

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
)

func TestFloorSlope(t *testing.T) {
	const mb = 1e6
	rng := rand.New(rand.NewPCG(7, 8))
	// sawtooth is a batch cycle: memory climbs by amp over period seconds,
	// then drops back to a floor that rises by rate bytes a second.
	sawtooth := func(rate, period, amp, noise float64) func(float64) float64 {
		return func(t float64) float64 {
			phase := math.Mod(t, period) / period
			return 20e9 + rate*t + amp*phase + noise*rng.Float64()
		}
	}
	tests := []struct {
		name    string
		seconds float64
		hz      float64
		f       func(t float64) float64
		want    float64
		tol     float64 // bytes a second
	}{
		{"rising sawtooth, 1 h", 3600, 100, sawtooth(1*mb, 10, 2e9, 0), 1 * mb, 0.03 * mb},
		{"rising sawtooth, 10 h", 36000, 10, sawtooth(1*mb, 30, 4e9, 10*mb), 1 * mb, 0.03 * mb},
		{"flat sawtooth", 3600, 100, sawtooth(0, 10, 2e9, 0), 0, 1},
		{"flat noisy sawtooth", 3600, 100, sawtooth(0, 10, 2e9, 10*mb), 0, 0.01 * mb},
		{"falling floor", 3600, 10, sawtooth(-0.5*mb, 20, 1e9, 0), -0.5 * mb, 0.03 * mb},
		{"steady leak, no cycle", 600, 100, func(t float64) float64 { return 1e9 + 2*mb*t }, 2 * mb, 0.001 * mb},
		{"constant", 600, 100, func(float64) float64 { return 5e9 }, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := NewTimeline(DefaultTimelineBuckets, 10*time.Millisecond, result.MemUsed)
			for i := 0; float64(i) < tt.seconds*tt.hz; i++ {
				ts := float64(i) / tt.hz
				tl.Add(ts, tt.f(ts))
			}
			got := FloorSlope(tl.Buckets(), result.MemUsed)
			t.Logf("FloorSlope = %.1f B/s over %d buckets", got, tl.Len())
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("FloorSlope = %.1f B/s, want %.1f ± %.1f", got, tt.want, tt.tol)
			}
		})
	}
}

func TestFloorSlopeTooFewPoints(t *testing.T) {
	one := []result.Bucket{{Start: 0, End: 1, Min: map[string]float64{result.MemUsed: 1}}}
	other := []result.Bucket{
		{Start: 0, End: 1, Min: map[string]float64{"x": 1}},
		{Start: 1, End: 2, Min: map[string]float64{"x": 5}},
	}
	tests := []struct {
		name    string
		buckets []result.Bucket
	}{
		{"none", nil},
		{"one", one},
		{"metric absent", other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FloorSlope(tt.buckets, result.MemUsed); got != 0 {
				t.Errorf("FloorSlope = %v, want 0", got)
			}
		})
	}
}

// A short run loads its models (a ramp from 0), works on a flat or leaking
// plateau, and frees everything at exit: only the plateau may count.
func TestFloorSlopeIgnoresLoadAndRelease(t *testing.T) {
	build := func(leakPerSec float64) []result.Bucket {
		var bs []result.Bucket
		for i := 0; i < 200; i++ {
			ts := float64(i) * 0.01
			v := 0.0
			switch {
			case i < 20: // loading: 0 -> 8 GB
				v = float64(i) / 20 * 8e9
			case i < 190: // working, with a sawtooth of batches
				v = 8e9 + leakPerSec*(ts-0.2) + float64(i%5)*1e8
			}
			bs = append(bs, result.Bucket{Start: ts, End: ts + 0.01,
				Min: map[string]float64{result.MemUsed: v}, Max: map[string]float64{result.MemUsed: v}})
		}
		return bs
	}
	if got := FloorSlope(build(0), result.MemUsed); math.Abs(got) > 1e8 {
		t.Errorf("flat plateau: slope %.3g B/s, want about 0", got)
	}
	if got := FloorSlope(build(1e9), result.MemUsed); got < 0.8e9 || got > 1.2e9 {
		t.Errorf("leaking plateau: slope %.3g B/s, want about 1e9", got)
	}
}
