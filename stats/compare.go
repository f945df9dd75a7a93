package stats

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Verdict is the outcome of one comparison.
type Verdict string

// The four verdicts. NoDifference needs the whole interval inside the band;
// Faster and Slower need it wholly on one side of 1 and not inside the band;
// anything else is Inconclusive, which is never a pass.
const (
	Faster       Verdict = "faster"
	Slower       Verdict = "slower"
	NoDifference Verdict = "no difference"
	Inconclusive Verdict = "inconclusive"
)

// MethodHodgesLehmann names the method of Compare in its results.
const MethodHodgesLehmann = "Hodges-Lehmann ratio, Mann-Whitney interval"

// Defaults of Options.
const (
	DefaultConfidence = 0.95
	DefaultBand       = 0.05
)

// ErrTooFewSamples is returned when a sample has fewer than two finite,
// positive values: no comparison can be made.
var ErrTooFewSamples = errors.New("each sample needs at least two positive times")

// ErrTooManySamples is returned when the samples make more than MaxPairs
// pairs.
var ErrTooManySamples = errors.New("too many times to compare")

// MaxPairs bounds the baseline times by the candidate times: Compare sorts
// every pairwise ratio, 8 bytes each, so 200,000 times a side would ask for
// 320 GB. 2^24 pairs (4,096 times a side) take 128 MiB and a second or two.
const MaxPairs = 1 << 24

// Options set how sure a verdict must be and what counts as no difference.
type Options struct {
	// Confidence of the two-sided interval, in (0, 1); 0 means 0.95.
	Confidence float64
	// Band is the relative difference that does not matter: a ratio
	// interval inside [1-Band, 1+Band] is NoDifference; 0 means 0.05.
	Band float64
}

func (o Options) withDefaults() (Options, error) {
	if o.Confidence == 0 {
		o.Confidence = DefaultConfidence
	}
	if o.Band == 0 {
		o.Band = DefaultBand
	}
	if !(o.Confidence > 0 && o.Confidence < 1) {
		return o, fmt.Errorf("confidence %g is not between 0 and 1", o.Confidence)
	}
	if !(o.Band > 0 && o.Band < 1) {
		return o, fmt.Errorf("band %g is not between 0 and 1", o.Band)
	}
	return o, nil
}

// Result is one comparison of a candidate against a baseline. Ratio and its
// interval are candidate time over baseline time: below 1 the candidate is
// faster. Speedup is 1/Ratio, the figure people quote.
type Result struct {
	Method     string  `json:"method"`
	Verdict    Verdict `json:"verdict"`
	Ratio      float64 `json:"ratio"`
	Low        float64 `json:"low"`  // 0 when the samples are too small for a bound
	High       float64 `json:"high"` // +Inf when the samples are too small for a bound
	Speedup    float64 `json:"speedup"`
	Confidence float64 `json:"confidence"` // as asked
	Achieved   float64 `json:"achieved"`   // the confidence the interval really has (ranks are discrete)
	Band       float64 `json:"band"`
	NBase      int     `json:"n_base"`
	NCandidate int     `json:"n_candidate"`
	MedianBase float64 `json:"median_base"`
	MedianCand float64 `json:"median_candidate"`
}

// Compare compares candidate times b against baseline times a. The ratio is
// the Hodges-Lehmann estimate on log times (the median of all pairwise
// ratios b_j/a_i) and its interval is the Mann-Whitney (Bauer) interval:
// distribution-free, exact up to 200 runs a side, and deterministic, so the
// same times always give the same verdict.
func Compare(a, b []float64, opts Options) (Result, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Result{}, err
	}
	la, err := logs(a)
	if err != nil {
		return Result{}, fmt.Errorf("baseline: %w", err)
	}
	lb, err := logs(b)
	if err != nil {
		return Result{}, fmt.Errorf("candidate: %w", err)
	}
	if len(la)*len(lb) > MaxPairs {
		return Result{}, fmt.Errorf("%w: %d baseline and %d candidate times make %d pairs, over %d (4096 a side)",
			ErrTooManySamples, len(la), len(lb), len(la)*len(lb), MaxPairs)
	}
	d := make([]float64, 0, len(la)*len(lb))
	for _, y := range lb {
		for _, x := range la {
			d = append(d, y-x)
		}
	}
	slices.Sort(d)
	r := Result{
		Method:     MethodHodgesLehmann,
		Ratio:      math.Exp(median(d)),
		Low:        0,
		High:       math.Inf(1),
		Confidence: opts.Confidence,
		Band:       opts.Band,
		NBase:      len(a),
		NCandidate: len(b),
		MedianBase: math.Exp(median(sortedCopy(la))),
		MedianCand: math.Exp(median(sortedCopy(lb))),
	}
	if k, achieved := ranksumRank(len(la), len(lb), opts.Confidence); k > 0 {
		r.Low, r.High, r.Achieved = math.Exp(d[k-1]), math.Exp(d[len(d)-k]), achieved
	}
	r.Speedup = 1 / r.Ratio
	r.Verdict = decide(r.Low, r.High, opts.Band)
	return r, nil
}

// decide maps an interval of the time ratio to a verdict.
func decide(low, high, band float64) Verdict {
	switch {
	case low >= 1-band && high <= 1+band:
		return NoDifference
	case low > 1:
		return Slower
	case high < 1:
		return Faster
	default:
		return Inconclusive
	}
}

// String renders the result in one line, for logs and failure messages.
func (r Result) String() string {
	hi := "inf"
	if !math.IsInf(r.High, 1) {
		hi = fmt.Sprintf("%.3f", r.High)
	}
	return fmt.Sprintf("%s: ratio %.3f [%.3f, %s] at %.0f%% (%s, %d vs %d runs, band ±%.0f%%)",
		r.Verdict, r.Ratio, r.Low, hi, r.Confidence*100, r.Method, r.NBase, r.NCandidate, r.Band*100)
}

// logs returns the natural logarithms of xs; every value must be finite and
// positive.
func logs(xs []float64) ([]float64, error) {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !(x > 0) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("time %g is not a positive finite number", x)
		}
		out = append(out, math.Log(x))
	}
	if len(out) < 2 {
		return nil, ErrTooFewSamples
	}
	return out, nil
}

func sortedCopy(xs []float64) []float64 {
	c := slices.Clone(xs)
	slices.Sort(c)
	return c
}

// median of sorted values.
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// MarshalJSON writes an unbounded High (too few runs) as null: JSON has no
// infinity.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	out := struct {
		plain
		High *float64 `json:"high"`
	}{plain: plain(r)}
	if !math.IsInf(r.High, 1) {
		out.High = &r.High
	}
	return json.Marshal(out)
}
