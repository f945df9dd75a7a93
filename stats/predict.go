package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// MethodPrediction names the method of Predict in its results.
const MethodPrediction = "smoothed bootstrap prediction interval of one run against the history"

// DefaultResamples is the number of bootstrap resamples of Predict.
const DefaultResamples = 4000

// PredictOptions are Options plus the bootstrap's resamples and seed.
type PredictOptions struct {
	Options
	Resamples int    // 0 means DefaultResamples
	Seed      uint64 // 0 means 1: the same data always give the same verdict
}

// Predict judges one new value x (a time, or any positive figure) against
// the values of earlier runs, when only one new run exists and Compare has
// no second sample to work with. It answers: could x have come from the
// same distribution as the history, and if not, by what ratio does it
// differ?
//
// On log values, d = log x − median(history) is set against the bootstrap
// distribution of y* − median(h*), where h* resamples the history and y* is
// one more draw from it, smoothed with Gaussian noise of Silverman's
// bandwidth so that a short history does not make its own extremes the
// limits of the possible. The interval of the ratio is exp(d − q_high) to
// exp(d − q_low) for the quantiles q of that distribution at the asked
// confidence. Verdicts are Compare's: the ratio is new over history, above
// 1 is Slower.
func Predict(history []float64, x float64, opts PredictOptions) (Result, error) {
	o, err := opts.Options.withDefaults()
	if err != nil {
		return Result{}, err
	}
	if opts.Resamples <= 0 {
		opts.Resamples = DefaultResamples
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	lh, err := logs(history)
	if err != nil {
		return Result{}, fmt.Errorf("history: %w", err)
	}
	lx, err := logs([]float64{x, x})
	if err != nil {
		return Result{}, fmt.Errorf("new value: %w", err)
	}
	center := median(sortedCopy(lh))
	d := lx[0] - center
	null := predictive(lh, opts.Resamples, opts.Seed)
	qLow, qHigh := quantile(null, (1-o.Confidence)/2), quantile(null, (1+o.Confidence)/2)
	r := Result{
		Method: MethodPrediction, Ratio: math.Exp(d), Low: math.Exp(d - qHigh), High: math.Exp(d - qLow),
		Confidence: o.Confidence, Achieved: o.Confidence, Band: o.Band, NBase: len(history), NCandidate: 1,
		MedianBase: math.Exp(center), MedianCand: x,
	}
	r.Speedup = 1 / r.Ratio
	r.Verdict = decide(r.Low, r.High, o.Band)
	return r, nil
}

// predictive draws the bootstrap distribution of one more run's log value
// less the median of a resampled history, sorted.
func predictive(lh []float64, resamples int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0xb007))
	n := len(lh)
	h := silverman(lh)
	star := make([]float64, n)
	out := make([]float64, resamples)
	for b := range out {
		for i := range star {
			star[i] = lh[rng.IntN(n)]
		}
		slices.Sort(star)
		y := lh[rng.IntN(n)] + h*rng.NormFloat64()
		out[b] = y - median(star)
	}
	slices.Sort(out)
	return out
}

// silverman is Silverman's rule-of-thumb bandwidth, 0.9·min(sd, IQR/1.34)·n^(−1/5).
func silverman(xs []float64) float64 {
	n := float64(len(xs))
	var mean, ss float64
	for _, x := range xs {
		mean += x
	}
	mean /= n
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / (n - 1))
	s := sortedCopy(xs)
	if iqr := quantile(s, 0.75) - quantile(s, 0.25); iqr > 0 {
		sd = math.Min(sd, iqr/1.34)
	}
	return 0.9 * sd * math.Pow(n, -0.2)
}

// quantile of sorted values, linear between order statistics.
func quantile(s []float64, p float64) float64 {
	pos := p * float64(len(s)-1)
	i := int(pos)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}
