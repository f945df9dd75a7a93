package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// RunFunc runs configuration config (0 is the baseline) once, as the round'th
// run of it (from 0), and returns its time in seconds. Interleave calls it
// from one goroutine, one run at a time, in the order it chose.
type RunFunc func(config, round int) (float64, error)

// Plan says how Interleave repeats the configurations.
type Plan struct {
	// Configs is the number of configurations, at least two; configuration
	// 0 is the baseline every other one is compared with.
	Configs int
	// Seed fixes the order of the runs within each round.
	Seed uint64
	// MinRuns of each configuration before the first look (default 5).
	MinRuns int
	// MaxRuns of each configuration: the run budget (default 30).
	MaxRuns int
	// MaxTime stops after the round in which it is passed; 0: no limit.
	MaxTime time.Duration
	// Options of each comparison; Confidence is for the whole sequence of
	// looks, which share it (Bonferroni), so stopping early does not make a
	// verdict likelier by luck.
	Options Options
	// Now is the clock for MaxTime; nil is time.Now.
	Now func() time.Time
}

// Stop reasons of an Outcome.
const (
	StopDecided    = "decided"
	StopRunBudget  = "run budget spent"
	StopTimeBudget = "time budget spent"
)

// Outcome is what Interleave measured and concluded.
type Outcome struct {
	Times          [][]float64 `json:"times"`   // per configuration, in the order run
	Order          []int       `json:"order"`   // configuration of each run, in the order run
	Results        []Result    `json:"results"` // Results[i-1] compares configuration i with the baseline
	Rounds         int         `json:"rounds"`  // runs of each configuration
	Looks          int         `json:"looks"`   // comparisons made before stopping
	LookConfidence float64     `json:"look_confidence"`
	Stopped        string      `json:"stopped"`
}

// Interleave runs every configuration once a round, in an order shuffled
// from the seed, so drift through the session lands on every configuration
// alike. It looks at the comparisons after MinRuns rounds and then each time
// the rounds have grown by half, and stops when every comparison is decided
// (faster, slower or no difference) or a budget is spent. A run's error
// stops it; the outcome so far is returned with the error.
func Interleave(p Plan, run RunFunc) (Outcome, error) {
	p, err := p.withDefaults()
	if err != nil {
		return Outcome{}, err
	}
	looks := lookSchedule(p.MinRuns, p.MaxRuns)
	planned := len(looks)
	if p.MaxTime > 0 {
		planned++ // a time budget may add one look off the schedule
	}
	lookOpts := p.Options
	lookOpts.Confidence = 1 - (1-p.Options.Confidence)/float64(planned)
	out := Outcome{Times: make([][]float64, p.Configs), LookConfidence: lookOpts.Confidence}
	rng := rand.New(rand.NewPCG(p.Seed, 0x5eed))
	start, next := p.Now(), 0
	for round := 0; round < p.MaxRuns; round++ {
		order := rng.Perm(p.Configs)
		for _, c := range order {
			secs, err := run(c, round)
			if err != nil {
				return out, fmt.Errorf("configuration %d, run %d: %w", c, round+1, err)
			}
			if !(secs > 0) || math.IsInf(secs, 0) {
				return out, fmt.Errorf("configuration %d, run %d: time %g is not a positive number of seconds", c, round+1, secs)
			}
			out.Times[c] = append(out.Times[c], secs)
			out.Order = append(out.Order, c)
		}
		out.Rounds = round + 1
		timeUp := p.MaxTime > 0 && p.Now().Sub(start) >= p.MaxTime
		if next < len(looks) && out.Rounds == looks[next] {
			next++
		} else if !timeUp || out.Rounds < 2 {
			continue
		}
		decided, err := out.look(lookOpts)
		if err != nil {
			return out, err
		}
		switch {
		case decided:
			out.Stopped = StopDecided
			return out, nil
		case timeUp:
			out.Stopped = StopTimeBudget
			return out, nil
		}
	}
	out.Stopped = StopRunBudget
	return out, nil
}

// look compares every configuration with the baseline and says whether all
// are decided.
func (o *Outcome) look(opts Options) (bool, error) {
	o.Looks++
	o.Results = o.Results[:0]
	decided := true
	for c := 1; c < len(o.Times); c++ {
		r, err := Compare(o.Times[0], o.Times[c], opts)
		if err != nil {
			return false, fmt.Errorf("configuration %d: %w", c, err)
		}
		o.Results = append(o.Results, r)
		decided = decided && r.Verdict != Inconclusive
	}
	return decided, nil
}

func (p Plan) withDefaults() (Plan, error) {
	if p.MinRuns == 0 {
		p.MinRuns = 5
	}
	if p.MaxRuns == 0 {
		p.MaxRuns = max(30, p.MinRuns)
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	var err error
	if p.Options, err = p.Options.withDefaults(); err != nil {
		return p, err
	}
	switch {
	case p.Configs < 2:
		return p, errors.New("interleaving needs at least two configurations")
	case p.MinRuns < 2:
		return p, fmt.Errorf("min runs %d: need at least 2", p.MinRuns)
	case p.MaxRuns < p.MinRuns:
		return p, fmt.Errorf("max runs %d is below min runs %d", p.MaxRuns, p.MinRuns)
	case p.MaxTime < 0:
		return p, fmt.Errorf("time budget %s is negative", p.MaxTime)
	}
	return p, nil
}

// lookSchedule gives the rounds after which the comparisons are made: min,
// then half as many again each time, and max.
func lookSchedule(min, max int) []int {
	var s []int
	for n := min; n < max; n = int(math.Ceil(float64(n) * 1.5)) {
		s = append(s, n)
	}
	return append(s, max)
}
