package sampler

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
)

// mb is a megabyte; gib (fake_test.go) a gibibyte.
const mb = 1e6

// shape is memory in bytes at t seconds.
type shape func(t float64) float64

// sawtooth is a batch cycle: memory climbs by amp over period seconds, then
// drops back to a floor at base that rises by rate bytes a second.
func sawtooth(base, rate, period, amp float64) shape {
	return func(t float64) float64 {
		return base + rate*t + amp*math.Mod(t, period)/period
	}
}

// stages steps between working sets: each stage holds its level for its
// share of the run, in turn.
func stages(seconds float64, levels ...float64) shape {
	return func(t float64) float64 {
		i := min(int(t/seconds*float64(len(levels))), len(levels)-1)
		return levels[i]
	}
}

// loaded is a run that loads its models (a ramp from 0 over load seconds),
// works with memory f, and frees everything over its last free seconds.
func loaded(seconds, load, free float64, f shape) shape {
	return func(t float64) float64 {
		switch {
		case t < load:
			return f(load) * t / load
		case t > seconds-free:
			return 0
		}
		return f(t)
	}
}

// noisy adds uniform noise of amp bytes.
func noisy(f shape, amp float64, seed uint64) shape {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	return func(t float64) float64 { return f(t) + amp*rng.Float64() }
}

// plus adds two shapes.
func plus(f, g shape) shape { return func(t float64) float64 { return f(t) + g(t) } }

func linear(base, rate float64) shape { return func(t float64) float64 { return base + rate*t } }

func TestFloorSlope(t *testing.T) {
	tests := []struct {
		name    string
		seconds float64
		hz      float64
		f       shape
		want    float64
		tol     float64 // bytes a second
	}{
		// The line `make run` read as 18,505 MiB/s: a flat working set,
		// loaded at the start and freed at exit, in a run of seconds.
		{"flat 11.4 GiB, short run", 3, 50, loaded(3, 0.3, 0.1, linear(11.4*gib, 0)), 0, 1},
		{"constant", 600, 100, linear(5e9, 0), 0, 0},
		{"flat, noisy", 600, 50, noisy(linear(5e9, 0), 20*mb, 1), 0, 0.05 * mb},
		{"stages step up and down", 60, 50, loaded(60, 2, 1, stages(57, 8*gib, 14*gib, 10*gib, 20*gib, 9*gib)), 0, 1},
		{"stages step, noisy", 60, 50, noisy(stages(60, 8*gib, 14*gib, 10*gib, 20*gib, 9*gib), 10*mb, 2), 0, 0.5 * mb},
		{"ramp of loading, then flat", 120, 50, loaded(120, 30, 0, linear(12*gib, 0)), 0, 1},
		{"ramp over the whole run", 600, 20, linear(1e9, 3*mb), 3 * mb, 0.001 * mb},
		{"flat sawtooth", 3600, 100, sawtooth(20e9, 0, 10, 2e9), 0, 1},
		{"flat sawtooth, short run", 20, 50, sawtooth(20e9, 0, 0.5, 2e9), 0, 1},
		{"flat noisy sawtooth", 3600, 100, noisy(sawtooth(20e9, 0, 10, 2e9), 10*mb, 3), 0, 0.01 * mb},
		{"leak", 600, 100, linear(1e9, 2*mb), 2 * mb, 0.001 * mb},
		{"leak under a sawtooth, 1 h", 3600, 100, sawtooth(20e9, 1*mb, 10, 2e9), 1 * mb, 0.03 * mb},
		{"leak under a sawtooth, 10 h", 36000, 10, noisy(sawtooth(20e9, 1*mb, 30, 4e9), 10*mb, 4), 1 * mb, 0.03 * mb},
		{"leak through stages that step", 60, 50, plus(stages(60, 8*gib, 14*gib, 10*gib), linear(0, 20*mb)), 20 * mb, 0.5 * mb},
		{"leak in a loaded run", 30, 50, loaded(30, 3, 1, linear(12*gib, 64*mb)), 64 * mb, 1 * mb},
		{"falling floor", 3600, 10, sawtooth(20e9, -0.5*mb, 20, 1e9), -0.5 * mb, 0.03 * mb},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := NewTimeline(DefaultTimelineBuckets, 10*time.Millisecond, result.MemUsed)
			for i := 0; float64(i) < tt.seconds*tt.hz; i++ {
				ts := float64(i) / tt.hz
				tl.Add(ts, tt.f(ts))
			}
			got := FloorSlope(tl.Buckets(), result.MemUsed)
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("FloorSlope = %.4g B/s over %d buckets, want %.4g ± %.2g", got, tl.Len(), tt.want, tt.tol)
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
	nan := []result.Bucket{
		{Start: 0, End: 1, Min: map[string]float64{result.MemUsed: math.NaN()}},
		{Start: 1, End: 2, Min: map[string]float64{result.MemUsed: 5}},
	}
	tests := []struct {
		name    string
		buckets []result.Bucket
	}{
		{"none", nil},
		{"one", one},
		{"metric absent", other},
		{"one not a number", nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FloorSlope(tt.buckets, result.MemUsed); got != 0 {
				t.Errorf("FloorSlope = %v, want 0", got)
			}
		})
	}
}

// Two points fix a slope: a floor that rose by 4 from one bucket to the next.
func TestFloorSlopeTwoPoints(t *testing.T) {
	bs := []result.Bucket{
		{Start: 0, End: 1, Min: map[string]float64{result.MemUsed: 10}},
		{Start: 1, End: 2, Min: map[string]float64{result.MemUsed: 14}},
	}
	if got := FloorSlope(bs, result.MemUsed); got != 4 {
		t.Errorf("FloorSlope = %v, want 4", got)
	}
}
