package sampler

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/benchctl/benchctl/result"
)

// exactQuantile is the sample Stat's quantile estimates: rank ⌊p·(n-1)⌋.
func exactQuantile(sorted []float64, p float64) float64 {
	return sorted[int(math.Floor(p*float64(len(sorted)-1)))]
}

// withinBound reports whether got is within RelativeError of want (plus a
// hair for the rounding of the logarithm at bucket edges).
func withinBound(got, want float64) bool {
	if want == 0 || math.Abs(want) < zeroThreshold {
		return math.Abs(got) < zeroThreshold
	}
	return math.Abs(got-want) <= RelativeError*(1+1e-9)*math.Abs(want)
}

func TestStatQuantilesWithinBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name string
		n    int
		gen  func() float64
	}{
		{"uniform percent", 10000, func() float64 { return rng.Float64() * 100 }},
		{"lognormal bytes", 20000, func() float64 { return math.Exp(rng.NormFloat64()*2 + 22) }},
		{"exponential watts", 5000, func() float64 { return rng.ExpFloat64() * 300 }},
		{"idle then busy", 8000, func() float64 {
			if rng.IntN(3) == 0 {
				return 0
			}
			return 50 + rng.Float64()*50
		}},
		{"few distinct values", 3000, func() float64 { return float64(1+rng.IntN(4)) * (1 << 30) }},
		{"negative and positive", 6000, func() float64 { return rng.NormFloat64() * 1e6 }},
		{"all negative", 2000, func() float64 { return -rng.Float64()*10 - 1 }},
		{"constant", 1000, func() float64 { return 42 }},
		{"single", 1, func() float64 { return 7.5 }},
		{"two", 2, func() float64 { return rng.Float64() }},
		{"wide range", 20000, func() float64 { return math.Pow(10, rng.Float64()*16-6) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Stat
			vals := make([]float64, tt.n)
			sum := 0.0
			for i := range vals {
				vals[i] = tt.gen()
				sum += vals[i]
				s.Add(vals[i])
			}
			slices.Sort(vals)
			r := s.Result()
			if r.Count != int64(tt.n) || r.Min != vals[0] || r.Max != vals[len(vals)-1] {
				t.Errorf("count/min/max = %d/%v/%v, want %d/%v/%v", r.Count, r.Min, r.Max, tt.n, vals[0], vals[len(vals)-1])
			}
			mean := sum / float64(tt.n)
			if math.Abs(r.Mean-mean) > 1e-9*math.Max(1, math.Abs(mean)) {
				t.Errorf("mean = %v, want %v", r.Mean, mean)
			}
			for _, p := range []float64{0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1} {
				want := exactQuantile(vals, p)
				if got := s.Quantile(p); !withinBound(got, want) {
					t.Errorf("Quantile(%v) = %v, want %v ± %v%%", p, got, want, 100*RelativeError)
				}
			}
			if !withinBound(r.P50, exactQuantile(vals, 0.5)) || !withinBound(r.P95, exactQuantile(vals, 0.95)) {
				t.Errorf("P50/P95 = %v/%v, want %v/%v", r.P50, r.P95, exactQuantile(vals, 0.5), exactQuantile(vals, 0.95))
			}
		})
	}
}

func TestStatIgnoresNonFinite(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want result.Stat
	}{
		{"empty", nil, result.Stat{}},
		{"only NaN", []float64{math.NaN(), math.NaN()}, result.Stat{}},
		{"NaN and Inf among values", []float64{math.NaN(), 2, math.Inf(1), 4, math.Inf(-1)},
			result.Stat{Count: 2, Min: 2, Max: 4, Mean: 3, P50: 2, P95: 2}},
		{"zeros", []float64{0, 0, 0}, result.Stat{Count: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Stat
			for _, v := range tt.in {
				s.Add(v)
			}
			got := s.Result()
			if got.Count != tt.want.Count || got.Min != tt.want.Min || got.Max != tt.want.Max || got.Mean != tt.want.Mean ||
				!withinBound(got.P50, tt.want.P50) || !withinBound(got.P95, tt.want.P95) {
				t.Errorf("Result() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestStatMemoryBounded(t *testing.T) {
	var s Stat
	rng := rand.New(rand.NewPCG(3, 4))
	// Magnitudes from 1e-8 to 1e300: far wider than the window, so the lowest
	// buckets are collapsed and the store stays at its cap.
	const n = 50000
	for range n {
		s.Add(math.Pow(10, rng.Float64()*308-8))
	}
	if n := len(s.pos.counts); n > maxStatBuckets {
		t.Errorf("positive store holds %d buckets, cap %d", n, maxStatBuckets)
	}
	if s.pos.total != s.count {
		t.Errorf("store total %d != count %d: a value was lost in a collapse", s.pos.total, s.count)
	}
	// High quantiles stay within the bound: only the lowest magnitudes merge.
	var vals []float64
	rng = rand.New(rand.NewPCG(3, 4))
	for range n {
		vals = append(vals, math.Pow(10, rng.Float64()*308-8))
	}
	slices.Sort(vals)
	if got, want := s.Quantile(0.95), exactQuantile(vals, 0.95); !withinBound(got, want) {
		t.Errorf("p95 after collapse = %v, want %v", got, want)
	}

	// A typical metric uses a few hundred buckets however long the run.
	var mem Stat
	for i := range 100_000 {
		mem.Add(float64(1<<30 + (i%1000)*(1<<26)))
	}
	if n := len(mem.pos.counts); n > 512 {
		t.Errorf("memory stat holds %d buckets for a 1 GiB..64 GiB range", n)
	}
}

func BenchmarkStatAdd(b *testing.B) {
	var s Stat
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Add(float64(i%100) + 0.5)
		i++
	}
}
