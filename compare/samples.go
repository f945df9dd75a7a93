package compare

import (
	"fmt"
	"math"

	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/stats"
)

// judgeSamples decides a metric from its samples (see the package doc); ok is
// false when they cannot decide it: no direction, samples that are not all
// positive, or too few for a finite interval (four a side at 95%), where the
// threshold-and-noise rule keeps what power it has.
func judgeSamples(b, n result.Metric, better result.Direction, threshold float64) (Judgement, bool) {
	if better == result.NoDirection || len(b.Samples) < 2 || len(n.Samples) < 2 {
		return Judgement{}, false
	}
	opts := stats.Options{}
	if threshold > 0 && threshold < 1 {
		opts.Band = threshold
	}
	r, err := stats.Compare(b.Samples, n.Samples, opts)
	if err != nil || math.IsInf(r.High, 1) {
		return Judgement{}, false
	}
	j := Judgement{Stats: &r, Reason: r.String()}
	worse := r.Verdict == stats.Slower // the samples grew
	if better == result.HigherIsBetter {
		worse = r.Verdict == stats.Faster
	}
	switch {
	case r.Verdict == stats.Inconclusive:
		j.Verdict = Inconclusive
	case r.Verdict == stats.NoDifference:
		j.Verdict = Unchanged
	case math.Abs(r.Ratio-1) <= threshold:
		j.Verdict = Unchanged
		j.Reason = fmt.Sprintf("a change with confidence, within the threshold: %s", r)
	case worse:
		j.Verdict = Regressed
	default:
		j.Verdict = Improved
	}
	return j, true
}
