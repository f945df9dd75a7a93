package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// noisy is a seeded model of a pipeline's run times: configuration c takes
// effect[c] times the base, with lognormal run-to-run noise and a drift
// through the session (the machine warming up), which runs in blocks would
// put on one configuration only.
func noisy(seed uint64, noise, drift float64, effect ...float64) RunFunc {
	rng := rand.New(rand.NewPCG(seed, 99))
	runs := 0
	return func(c, _ int) (float64, error) {
		runs++
		return 10 * effect[c] * (1 + drift*float64(runs)/100) * math.Exp(noise*rng.NormFloat64()), nil
	}
}

// The acceptance: 10% noise, 20 seeds; no true difference is not
// "slower" in 19 or more, a true 15% slowdown is "slower" in 19 or more.
func TestInterleaveAcceptance(t *testing.T) {
	tests := []struct {
		name    string
		effect  float64
		verdict Verdict
		atLeast int // seeds of 20 with (or, for "not", without) the verdict
		not     bool
	}{
		{"no difference is not slower", 1.0, Slower, 19, true},
		{"15% slowdown is slower", 1.15, Slower, 19, false},
		{"15% speed-up is faster", 1 / 1.15, Faster, 19, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, runs, verdicts := 0, []int{}, map[Verdict]int{}
			for seed := uint64(1); seed <= 20; seed++ {
				out, err := Interleave(Plan{Configs: 2, Seed: seed}, noisy(seed, 0.10, 0.2, 1, tt.effect))
				if err != nil {
					t.Fatal(err)
				}
				if (out.Results[0].Verdict == tt.verdict) != tt.not {
					got++
				}
				runs = append(runs, out.Rounds)
				verdicts[out.Results[0].Verdict]++
			}
			slices.Sort(runs)
			t.Logf("%d of 20 seeds %v; runs of each configuration: median %d, max %d", got, verdicts, runs[10], runs[19])
			if got < tt.atLeast {
				t.Errorf("%d of 20 seeds, want at least %d", got, tt.atLeast)
			}
		})
	}
}

func TestInterleave(t *testing.T) {
	t.Run("order is shuffled within rounds and seeded", func(t *testing.T) {
		a, _ := Interleave(Plan{Configs: 3, Seed: 5, MinRuns: 4, MaxRuns: 4}, noisy(1, 0.1, 0, 1, 1, 1))
		b, _ := Interleave(Plan{Configs: 3, Seed: 5, MinRuns: 4, MaxRuns: 4}, noisy(1, 0.1, 0, 1, 1, 1))
		c, _ := Interleave(Plan{Configs: 3, Seed: 6, MinRuns: 4, MaxRuns: 4}, noisy(1, 0.1, 0, 1, 1, 1))
		if !slices.Equal(a.Order, b.Order) || slices.Equal(a.Order, c.Order) {
			t.Errorf("orders %v %v %v: want the same for the same seed, another for another", a.Order, b.Order, c.Order)
		}
		for r := 0; r < 4; r++ {
			round := slices.Clone(a.Order[3*r : 3*r+3])
			slices.Sort(round)
			if !slices.Equal(round, []int{0, 1, 2}) {
				t.Fatalf("round %d runs %v, want each configuration once", r, a.Order[3*r:3*r+3])
			}
		}
		if a.Stopped != StopRunBudget || a.Rounds != 4 || a.Looks != 1 {
			t.Errorf("stopped %q after %d rounds and %d looks", a.Stopped, a.Rounds, a.Looks)
		}
	})
	t.Run("a clear difference stops at the first look", func(t *testing.T) {
		out, err := Interleave(Plan{Configs: 2, Seed: 1}, noisy(1, 0.01, 0, 1, 2))
		if err != nil {
			t.Fatal(err)
		}
		if out.Stopped != StopDecided || out.Rounds != 5 || out.Results[0].Verdict != Slower {
			t.Errorf("stopped %q after %d rounds: %s", out.Stopped, out.Rounds, out.Results[0])
		}
	})
	t.Run("the looks share the confidence", func(t *testing.T) {
		out, _ := Interleave(Plan{Configs: 2, MinRuns: 5, MaxRuns: 20}, noisy(1, 0.01, 0, 1, 2))
		// looks at 5, 8, 12, 18, 20: five
		if math.Abs(out.LookConfidence-(1-0.05/5)) > 1e-12 {
			t.Errorf("look confidence %g, want 0.99", out.LookConfidence)
		}
	})
	t.Run("the time budget stops after its round", func(t *testing.T) {
		now := time.Unix(0, 0)
		clock := func() time.Time { return now }
		run := func(c, round int) (float64, error) {
			now = now.Add(time.Minute)
			return 10 + float64(round%3), nil
		}
		out, err := Interleave(Plan{Configs: 2, MinRuns: 5, MaxTime: 7 * time.Minute, Now: clock}, run)
		if err != nil {
			t.Fatal(err)
		}
		if out.Stopped != StopTimeBudget || out.Rounds != 4 || out.Looks != 1 || out.Results[0].Verdict != Inconclusive {
			t.Errorf("stopped %q after %d rounds, %d looks, %v", out.Stopped, out.Rounds, out.Looks, out.Results)
		}
	})
	t.Run("a failed run stops and keeps what was measured", func(t *testing.T) {
		boom := errors.New("exit 4")
		out, err := Interleave(Plan{Configs: 2, Seed: 1}, func(c, round int) (float64, error) {
			if round == 2 && c == 1 {
				return 0, boom
			}
			return 1, nil
		})
		if !errors.Is(err, boom) || len(out.Times[0])+len(out.Times[1]) < 4 {
			t.Errorf("error %v, times %v", err, out.Times)
		}
	})
}

func TestInterleaveRejects(t *testing.T) {
	ok := func(int, int) (float64, error) { return 1, nil }
	tests := []struct {
		name string
		plan Plan
		run  RunFunc
	}{
		{"one configuration", Plan{Configs: 1}, ok},
		{"one run", Plan{Configs: 2, MinRuns: 1}, ok},
		{"budget below the minimum", Plan{Configs: 2, MinRuns: 8, MaxRuns: 6}, ok},
		{"negative time budget", Plan{Configs: 2, MaxTime: -time.Second}, ok},
		{"a run of no time", Plan{Configs: 2}, func(int, int) (float64, error) { return 0, nil }},
		{"a run of NaN", Plan{Configs: 2}, func(int, int) (float64, error) { return math.NaN(), nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Interleave(tt.plan, tt.run); err == nil {
				t.Error("no error")
			}
		})
	}
}
