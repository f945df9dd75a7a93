package sampler

import (
	"math"

	"github.com/benchctl/benchctl/result"
)

// Quantile sketch parameters. Values are counted in logarithmic buckets
// (γ^(i-1), γ^i] with γ = (1+RelativeError)/(1-RelativeError); a bucket stands
// for 2γ^i/(γ+1), which is within RelativeError of every value in it.
const (
	// RelativeError bounds the error of Stat's quantiles: a reported quantile
	// q̂ of the sample of rank r satisfies |q̂ - x_r| <= RelativeError·|x_r|.
	RelativeError = 0.01
	// maxStatBuckets caps the buckets kept per sign. 2048 buckets span a
	// factor of γ^2048 ≈ 6e17 between the smallest and largest magnitudes;
	// past that the smallest magnitudes are merged into one bucket.
	maxStatBuckets = 2048
	// zeroThreshold: magnitudes below it are counted as exactly zero.
	zeroThreshold = 1e-9
	// storeSlack is how many buckets a store grows by beyond what it needs, so
	// a slowly drifting metric does not reallocate on every new bucket.
	storeSlack = 32
)

var (
	gamma        = (1 + RelativeError) / (1 - RelativeError)
	invLogGamma  = 1 / math.Log(gamma)
	bucketFactor = 2 / (gamma + 1)
)

// Stat is a streaming summary of one metric: exact count, min, max and mean,
// and p50 and p95 from a logarithmic histogram (a DDSketch-style sketch) whose
// memory depends on the spread of the values, never on their number: at most
// 2×2048 counters, in practice a few hundred for a metric spanning three
// orders of magnitude.
//
// Error bound: for a quantile p, let x_r be the sample of rank
// r = ⌊p·(n-1)⌋ (0-based) in sorted order. The reported value q̂ satisfies
// |q̂ - x_r| <= RelativeError·|x_r| (1%), as long as the sample magnitudes
// span less than a factor of about 6e17; magnitudes below 1e-9 are reported as
// 0. NaN and ±Inf are ignored.
//
// The zero value is an empty Stat ready to use. A Stat is not safe for
// concurrent use.
type Stat struct {
	count    int64
	min, max float64
	sum, c   float64 // Neumaier-compensated sum
	zeros    int64
	pos, neg store
	// last and lastIdx cache the bucket of the previous value: GPU memory,
	// clocks and temperature repeat the same reading tick after tick.
	last    float64
	lastIdx int
	hasLast bool
}

// Add records v. NaN and ±Inf are ignored.
func (s *Stat) Add(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	if s.count == 0 || v < s.min {
		s.min = v
	}
	if s.count == 0 || v > s.max {
		s.max = v
	}
	s.count++
	t := s.sum + v
	if math.Abs(s.sum) >= math.Abs(v) {
		s.c += (s.sum - t) + v
	} else {
		s.c += (v - t) + s.sum
	}
	s.sum = t

	switch {
	case v > zeroThreshold:
		s.pos.add(s.index(v))
	case v < -zeroThreshold:
		s.neg.add(s.index(-v))
	default:
		s.zeros++
	}
}

// index maps a positive magnitude to its bucket, reusing the last answer for
// a repeated value.
func (s *Stat) index(m float64) int {
	if s.hasLast && m == s.last {
		return s.lastIdx
	}
	i := int(math.Ceil(math.Log(m) * invLogGamma))
	s.last, s.lastIdx, s.hasLast = m, i, true
	return i
}

// Count is the number of values recorded.
func (s *Stat) Count() int64 { return s.count }

// Mean is the mean of the values recorded, or 0 when there are none.
func (s *Stat) Mean() float64 {
	if s.count == 0 {
		return 0
	}
	return (s.sum + s.c) / float64(s.count)
}

// Quantile returns the estimate of quantile p (0 <= p <= 1) described on Stat,
// or 0 when no value was recorded.
func (s *Stat) Quantile(p float64) float64 {
	if s.count == 0 {
		return 0
	}
	p = min(max(p, 0), 1)
	rank := int64(math.Floor(p * float64(s.count-1)))
	switch rank {
	case 0:
		return s.min
	case s.count - 1:
		return s.max
	}
	var v float64
	switch {
	case rank < s.neg.total:
		// Negative values, most negative first: the highest magnitudes.
		i := s.neg.indexFromTop(rank)
		v = -bucketValue(i)
	case rank < s.neg.total+s.zeros:
		v = 0
	default:
		i := s.pos.indexFromBottom(rank - s.neg.total - s.zeros)
		v = bucketValue(i)
	}
	return min(max(v, s.min), s.max)
}

// Result returns the summary in the result model's form.
func (s *Stat) Result() result.Stat {
	if s.count == 0 {
		return result.Stat{}
	}
	return result.Stat{
		Count: s.count,
		Min:   s.min,
		Max:   s.max,
		Mean:  s.Mean(),
		P50:   s.Quantile(0.50),
		P95:   s.Quantile(0.95),
	}
}

// bucketValue is the value a bucket stands for.
func bucketValue(i int) float64 { return bucketFactor * math.Pow(gamma, float64(i)) }

// store counts values per bucket index over a contiguous window of indexes.
type store struct {
	counts []int64 // counts[k] is the count of bucket offset+k
	offset int
	total  int64
}

// add counts one value in bucket i.
func (st *store) add(i int) {
	st.total++
	k := i - st.offset
	if st.counts == nil || k < 0 || k >= len(st.counts) {
		k = st.grow(i)
	}
	st.counts[k]++
}

// grow extends the window to hold bucket i and returns i's position in it.
// A window that would pass maxStatBuckets drops its lowest buckets, adding
// their counts to the lowest one it keeps; a value below such a window is
// counted there too.
func (st *store) grow(i int) int {
	if st.counts == nil {
		st.counts = make([]int64, 2*storeSlack)
		st.offset = i - storeSlack
		return storeSlack
	}
	lo, hi := st.offset, st.offset+len(st.counts)-1
	if i < lo {
		lo = i - storeSlack
	} else {
		hi = i + storeSlack
	}
	if hi-lo+1 > maxStatBuckets {
		lo = hi - maxStatBuckets + 1
	}
	counts := make([]int64, hi-lo+1)
	for k, c := range st.counts {
		counts[max(st.offset+k-lo, 0)] += c
	}
	st.counts, st.offset = counts, lo
	return max(i-lo, 0)
}

// indexFromBottom returns the bucket holding the value of rank r, counting
// from the lowest bucket.
func (st *store) indexFromBottom(r int64) int {
	var cum int64
	for k, c := range st.counts {
		cum += c
		if cum > r {
			return st.offset + k
		}
	}
	return st.offset + len(st.counts) - 1
}

// indexFromTop returns the bucket holding the value of rank r, counting from
// the highest bucket.
func (st *store) indexFromTop(r int64) int {
	var cum int64
	for k := len(st.counts) - 1; k >= 0; k-- {
		cum += st.counts[k]
		if cum > r {
			return st.offset + k
		}
	}
	return st.offset
}
