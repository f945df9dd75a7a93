package pipeline

import (
	"math"
	"sort"

	"github.com/benchctl/benchctl/result"
)

// outlierZ is the modified z-score (Iglewicz and Hoaglin) above which a time is
// flagged as an outlier: 0.6745 * |x - median| / MAD > 3.5.
const outlierZ = 3.5

// Stats summarises the wall times of measured executions.
func Stats(times []float64, warmup int) *result.RepeatStats {
	rs := &result.RepeatStats{Warmup: warmup, Runs: len(times), Times: append([]float64(nil), times...)}
	if len(times) == 0 {
		return rs
	}
	sorted := append([]float64(nil), times...)
	sort.Float64s(sorted)
	rs.Min, rs.Max = sorted[0], sorted[len(sorted)-1]
	rs.Median = median(sorted)
	var sum float64
	for _, t := range times {
		sum += t
	}
	rs.Mean = sum / float64(len(times))
	if len(times) > 1 {
		var ss float64
		for _, t := range times {
			ss += (t - rs.Mean) * (t - rs.Mean)
		}
		rs.Stddev = math.Sqrt(ss / float64(len(times)-1))
	}
	dev := make([]float64, len(times))
	for i, t := range times {
		dev[i] = math.Abs(t - rs.Median)
	}
	sort.Float64s(dev)
	if mad := median(dev); mad > 0 {
		for i, t := range times {
			if 0.6745*math.Abs(t-rs.Median)/mad > outlierZ {
				rs.Outliers = append(rs.Outliers, i)
			}
		}
	}
	return rs
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
