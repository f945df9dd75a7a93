package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// runs draws n run times around level with log-normal noise of sd.
func runs(rng *rand.Rand, n int, level, sd float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = level * math.Exp(sd*rng.NormFloat64())
	}
	return xs
}

// Acceptance of the history gate's statistic, as for Compare: over 20
// seeded draws of a 10-run history with 10% run-to-run noise, a new run
// from the same distribution is not called slower in at least 19, and a
// run 50% slower is called slower in at least 19. One run against ten can
// only see changes well beyond its noise; the gate says inconclusive in
// between, never slower.
func TestPredictAcceptance(t *testing.T) {
	cases := []struct {
		name    string
		factor  float64
		verdict Verdict
		want    bool // whether the verdict must be reached (true) or avoided (false)
	}{
		{"no difference is not slower", 1.0, Slower, false},
		{"no difference is not faster", 1.0, Faster, false},
		{"50% slower is slower", 1.5, Slower, true},
		{"a third faster is faster", 0.67, Faster, true},
		{"8% slower is not called faster", 1.08, Faster, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hits := 0
			for seed := range uint64(20) {
				rng := rand.New(rand.NewPCG(seed, 7))
				hist := runs(rng, 10, 100, 0.10)
				x := runs(rng, 1, 100*c.factor, 0.10)[0]
				r, err := Predict(hist, x, PredictOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if r.Verdict == c.verdict {
					hits++
				}
			}
			if c.want && hits < 19 || !c.want && hits > 1 {
				t.Errorf("%s in %d of 20 draws; want %v in at least 19", c.verdict, hits, c.want)
			}
		})
	}
}

func TestPredictEdges(t *testing.T) {
	cases := []struct {
		name    string
		hist    []float64
		x       float64
		verdict Verdict
		err     bool
	}{
		{"identical runs, same value", []float64{10, 10, 10, 10}, 10, NoDifference, false},
		{"identical runs, 20% more", []float64{10, 10, 10, 10}, 12, Slower, false},
		{"one run of history", []float64{10}, 10, "", true},
		{"a zero", []float64{10, 0, 10}, 10, "", true},
		{"a negative new value", []float64{10, 11, 10}, -1, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Predict(c.hist, c.x, PredictOptions{})
			if (err != nil) != c.err {
				t.Fatalf("err %v, want error %v", err, c.err)
			}
			if err == nil && r.Verdict != c.verdict {
				t.Errorf("%s, want %s", r, c.verdict)
			}
		})
	}
}

// The false alarm rate over many histories stays near the nominal 2.5% a
// side, with short and long histories.
func TestPredictFalseAlarmRate(t *testing.T) {
	for _, n := range []int{5, 10, 30} {
		slower := 0
		const trials = 400
		for seed := range uint64(trials) {
			rng := rand.New(rand.NewPCG(seed, uint64(n)))
			hist := runs(rng, n, 50, 0.1)
			r, _ := Predict(hist, runs(rng, 1, 50, 0.1)[0], PredictOptions{Resamples: 1000})
			if r.Verdict == Slower {
				slower++
			}
		}
		rate := float64(slower) / trials
		t.Logf("history of %d runs: slower in %.1f%% of %d same-distribution runs", n, rate*100, trials)
		if rate > 0.06 {
			t.Errorf("history of %d: slower in %.1f%% of same-distribution runs, want at most 6%%", n, rate*100)
		}
	}
}
