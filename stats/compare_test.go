package stats

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// bruteCDF enumerates every split of n+m ranks to count U exactly.
func bruteCDF(n, m int) []float64 {
	counts := make([]float64, n*m+1)
	total := 0.0
	for mask := 0; mask < 1<<(n+m); mask++ {
		if popcount(mask) != n {
			continue
		}
		u, seen := 0, 0
		for i := 0; i < n+m; i++ { // rank order, low to high
			if mask&(1<<i) != 0 {
				u += i - seen // members of the other sample below this one
				seen++
			}
		}
		counts[u]++
		total++
	}
	acc := 0.0
	for i := range counts {
		acc += counts[i]
		counts[i] = acc / total
	}
	return counts
}

func popcount(x int) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

func TestRanksumCDF(t *testing.T) {
	known := []struct {
		n, m, u int
		want    float64
	}{
		{4, 4, 0, 1.0 / 70}, {4, 4, 1, 2.0 / 70}, {4, 4, 2, 4.0 / 70},
		{5, 5, 2, 4.0 / 252}, {5, 5, 3, 7.0 / 252},
		{3, 5, 3, 7.0 / 56},
		{4, 4, 16, 1},
	}
	for _, k := range known {
		got := ranksumCDFExact(k.n, k.m)[k.u]
		if math.Abs(got-k.want) > 1e-12 {
			t.Errorf("P(U<=%d | %d,%d) = %g, want %g", k.u, k.n, k.m, got, k.want)
		}
	}
	for n := 1; n <= 6; n++ {
		for m := 1; m <= 6; m++ {
			want, got := bruteCDF(n, m), ranksumCDFExact(n, m)
			for u := range want {
				if math.Abs(got[u]-want[u]) > 1e-12 {
					t.Fatalf("n=%d m=%d u=%d: %g, want %g", n, m, u, got[u], want[u])
				}
			}
		}
	}
}

func TestRanksumRank(t *testing.T) {
	tests := []struct {
		name       string
		n, m       int
		confidence float64
		wantK      int
		wantAch    float64
	}{
		{"three a side has no 95% interval", 3, 3, 0.95, 0, 0},
		{"four a side cuts the extremes", 4, 4, 0.95, 1, 1 - 2.0/70},
		{"five a side", 5, 5, 0.95, 3, 1 - 8.0/252},
		{"ten a side matches the table (critical U 23)", 10, 10, 0.95, 24, -1},
		{"ten a side at 99% (critical U 16)", 10, 10, 0.99, 17, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, ach := ranksumRank(tt.n, tt.m, tt.confidence)
			if k != tt.wantK {
				t.Fatalf("k = %d, want %d", k, tt.wantK)
			}
			if tt.wantAch >= 0 && math.Abs(ach-tt.wantAch) > 1e-12 {
				t.Errorf("achieved %g, want %g", ach, tt.wantAch)
			}
			if k > 0 && ach < tt.confidence {
				t.Errorf("achieved %g below the %g asked", ach, tt.confidence)
			}
		})
	}
	t.Run("normal approximation is a little wider than the exact one", func(t *testing.T) {
		for _, size := range [][2]int{{50, 50}, {40, 60}, {20, 20}, {30, 45}} {
			n, m := size[0], size[1]
			for _, conf := range []float64{0.9, 0.95, 0.99} {
				exact, _ := exactRank(n, m, conf)
				normal, _ := normalRank(n, m, conf)
				if d := exact - normal; d < 0 || d > 3 { // conservative, and close
					t.Errorf("%dx%d at %g: normal k %d against the exact %d", n, m, conf, normal, exact)
				}
			}
		}
	})
}

func geometric(scale float64, xs ...float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = scale * x
	}
	return out
}

func TestCompare(t *testing.T) {
	base := []float64{10, 10.5, 9.8, 10.2, 9.9, 10.1, 10.3, 9.7, 10.0, 10.4}
	tight := []float64{100, 100.2, 99.9, 100.1, 99.8, 100.3, 99.7, 100.05, 99.95, 100.15}
	tests := []struct {
		name      string
		a, b      []float64
		opts      Options
		verdict   Verdict
		ratio     float64 // 0: not checked
		low, high float64 // 0: not checked
	}{
		{"scaled copy gives the scale as ratio", geometric(1, 1, 2, 4, 8), geometric(1.2, 1, 2, 4, 8), Options{},
			Inconclusive, 1.2, 1.2 / 8, 1.2 * 8},
		{"three a side is never decided", []float64{1, 1.01, 0.99}, []float64{2, 2.01, 1.99}, Options{},
			Inconclusive, 2, 0, math.Inf(1)},
		{"clearly slower", base, geometric(1.5, base...), Options{}, Slower, 1.5, 0, 0},
		{"clearly faster", base, geometric(0.5, base...), Options{}, Faster, 0.5, 0, 0},
		{"same times are no difference", base, base, Options{}, NoDifference, 1, 0, 0},
		{"2% slower is no difference in a 5% band", tight, geometric(1.02, tight...), Options{}, NoDifference, 1.02, 0, 0},
		{"2% slower is slower in a 1% band", tight, geometric(1.02, tight...), Options{Band: 0.01}, Slower, 1.02, 0, 0},
		{"noisy 2% slower is inconclusive", base, geometric(1.02, base...), Options{}, Inconclusive, 1.02, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compare(tt.a, tt.b, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != tt.verdict {
				t.Errorf("verdict %q, want %q (%s)", r.Verdict, tt.verdict, r)
			}
			if tt.ratio != 0 && math.Abs(r.Ratio-tt.ratio) > 1e-9 {
				t.Errorf("ratio %g, want %g", r.Ratio, tt.ratio)
			}
			if tt.low != 0 && math.Abs(r.Low-tt.low) > 1e-9 {
				t.Errorf("low %g, want %g", r.Low, tt.low)
			}
			if tt.high != 0 && !(math.IsInf(tt.high, 1) && math.IsInf(r.High, 1)) && math.Abs(r.High-tt.high) > 1e-9 {
				t.Errorf("high %g, want %g", r.High, tt.high)
			}
			if r.Method != MethodHodgesLehmann || math.Abs(r.Speedup*r.Ratio-1) > 1e-12 {
				t.Errorf("method %q, speed-up %g for ratio %g", r.Method, r.Speedup, r.Ratio)
			}
		})
	}
}

func TestCompareRejects(t *testing.T) {
	ok := []float64{1, 2, 3}
	tests := []struct {
		name string
		a, b []float64
		opts Options
		is   error
	}{
		{"one baseline time", []float64{1}, ok, Options{}, ErrTooFewSamples},
		{"no candidate time", ok, nil, Options{}, ErrTooFewSamples},
		{"a zero time", ok, []float64{1, 0}, Options{}, nil},
		{"a NaN time", []float64{math.NaN(), 1}, ok, Options{}, nil},
		{"confidence above 1", ok, ok, Options{Confidence: 1.5}, nil},
		{"negative band", ok, ok, Options{Band: -0.1}, nil},
		{"200,000 times a side", ones(200000), ones(200000), Options{}, ErrTooManySamples},
		{"one over the pairs", ones(MaxPairs/2 + 1), ones(2), Options{}, ErrTooManySamples},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compare(tt.a, tt.b, tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

// The interval holds the true ratio about as often as it claims: 2,000
// seeded trials of ten lognormal runs a side.
func TestCompareCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const trials, trueRatio = 2000, 1.1
	covered := 0
	for range trials {
		a, b := make([]float64, 10), make([]float64, 10)
		for i := range a {
			a[i] = math.Exp(0.1 * rng.NormFloat64())
			b[i] = trueRatio * math.Exp(0.1*rng.NormFloat64())
		}
		r, err := Compare(a, b, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Low <= trueRatio && trueRatio <= r.High {
			covered++
		}
	}
	if got := float64(covered) / trials; got < 0.935 || got > 0.985 {
		t.Errorf("coverage %.3f, want about 0.95", got)
	}
}

func TestResultJSON(t *testing.T) {
	r, err := Compare([]float64{1, 2}, []float64{3, 4}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"high":null`) || !strings.Contains(string(data), `"verdict":"inconclusive"`) {
		t.Errorf("json %s", data)
	}
}

// ones is n times of one second.
func ones(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = 1
	}
	return s
}
