package changepoint

import (
	"math"
	"math/rand/v2"
	"testing"
)

// noisy returns n values around level with Gaussian noise of relative sd.
func noisy(rng *rand.Rand, n int, level, sd float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = level * (1 + sd*rng.NormFloat64())
	}
	return xs
}

func concat(parts ...[]float64) []float64 {
	var out []float64
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestWithinMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := []float64{5, 1, 5, 3, 3, 9, 0, 2, 5, 7}
	x = append(x, noisy(rng, 40, 10, 0.3)...)
	sp := newSplitter(x)
	w := make([]float64, len(x)+1)
	sp.within(w, func(i int) int { return i })
	for tt := 0; tt <= len(x); tt++ {
		var want float64
		for i := 0; i < tt; i++ {
			for j := i + 1; j < tt; j++ {
				want += math.Abs(x[i] - x[j])
			}
		}
		if math.Abs(w[tt]-want) > 1e-9*math.Max(1, want) {
			t.Fatalf("prefix %d: %g, want %g", tt, w[tt], want)
		}
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name   string
		series func(rng *rand.Rand) []float64
		want   []int // change indexes, each found within ±2
	}{
		{"flat noise", func(r *rand.Rand) []float64 { return noisy(r, 80, 100, 0.05) }, nil},
		{"one step up 20%", func(r *rand.Rand) []float64 { return concat(noisy(r, 40, 100, 0.05), noisy(r, 40, 120, 0.05)) }, []int{40}},
		{"a step down then back up", func(r *rand.Rand) []float64 {
			return concat(noisy(r, 30, 100, 0.03), noisy(r, 30, 80, 0.03), noisy(r, 30, 100, 0.03))
		}, []int{30, 60}},
		{"a 30% step in the last 5 of 15 runs", func(r *rand.Rand) []float64 { return concat(noisy(r, 10, 10, 0.02), noisy(r, 5, 13, 0.02)) }, []int{10}},
		{"a late regression, 6 runs", func(r *rand.Rand) []float64 { return concat(noisy(r, 50, 10, 0.02), noisy(r, 6, 11, 0.02)) }, []int{50}},
		{"one outlier is not a change", func(r *rand.Rand) []float64 {
			x := noisy(r, 60, 100, 0.03)
			x[30] = 300
			return x
		}, nil},
		{"too short to split", func(r *rand.Rand) []float64 { return []float64{1, 1, 1, 5, 5, 5} }, nil},
	}
	// A change-point test is a statistical test: over 20 draws of the data,
	// the changes found must be exactly the true ones (each within ±2) in
	// at least 18. The draws are seeded, so the count is the same each run.
	const draws, need = 20, 18
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			right := 0
			var wrong [][]Change
			for seed := range uint64(draws) {
				got := Detect(c.series(rand.New(rand.NewPCG(seed, 99))), Options{})
				if matches(got, c.want) {
					right++
				} else {
					wrong = append(wrong, got)
				}
			}
			if right < need {
				t.Errorf("right in %d of %d draws, want at least %d; wrong ones: %+v", right, draws, need, wrong)
			}
		})
	}
}

func matches(got []Change, want []int) bool {
	if len(got) != len(want) {
		return false
	}
	for i, ch := range got {
		if d := ch.Index - want[i]; d < -2 || d > 2 || ch.PValue >= DefaultSignificance {
			return false
		}
	}
	return true
}

func TestChangeMedians(t *testing.T) {
	xs := concat([]float64{10, 10, 10, 10, 10, 10, 10, 10}, []float64{15, 15, 15, 15, 15, 15, 15, 15})
	got := Detect(xs, Options{})
	if len(got) != 1 || got[0].Index != 8 || got[0].Before != 10 || got[0].After != 15 || got[0].Relative() != 0.5 {
		t.Fatalf("got %+v, want one change at 8 from 10 to 15 (+50%%)", got)
	}
	if again := Detect(xs, Options{}); again[0] != got[0] {
		t.Errorf("not deterministic: %+v vs %+v", again, got)
	}
}

func TestTenThousandPointsAreQuick(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := concat(noisy(rng, 5000, 100, 0.05), noisy(rng, 5000, 110, 0.05))
	got := Detect(xs, Options{})
	found := false
	for _, c := range got {
		found = found || (c.Index >= 4990 && c.Index <= 5010)
	}
	if !found {
		t.Errorf("the 10%% step at 5000 was not found: %+v", got)
	}
}
