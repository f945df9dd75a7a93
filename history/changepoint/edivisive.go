// Package changepoint finds where a series moved for good: E-divisive means
// (Matteson and James, "A Nonparametric Approach for Multiple Change Point
// Analysis of Multivariate Data", JASA 2014), the method MongoDB's
// performance CI and Apache Otava (incubating, formerly Hunter) run over
// benchmark histories.
//
// The method: for each split τ of a segment into a left part L and a right
// part R, the energy statistic
//
//	Q(τ) = |L||R|/(|L|+|R|) · (2·mean|l−r|^α − mean|l−l'|^α − mean|r−r'|^α)
//
// measures how unlike the two parts are, in location or in spread. The best
// split is accepted when a permutation test finds it significant: the series
// is shuffled Permutations times, and the p-value is the share of shuffles
// whose best Q is at least as large. An accepted split divides the segment
// and both halves are searched again (binary segmentation), until no split
// is significant.
//
// With α = 1 in one dimension, the sums of distances for every split come
// from a Fenwick tree over the ranks of the values: O(n log n) a segment,
// so ten thousand runs take milliseconds, not hours.
package changepoint

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Options are the parameters of the detection; zero fields take the defaults.
type Options struct {
	// Significance is the largest p-value of an accepted change: 0.01. A
	// stricter level than the usual 0.05, because binary segmentation tests
	// every segment again and each test may raise a false alarm.
	Significance float64
	// Permutations is the number of shuffles of the permutation test: 499,
	// so that one chance shuffle as extreme as the series (p = 2/500) does
	// not push a clear change past the significance level.
	Permutations int
	// MinSize is the fewest points on each side of a change: 4.
	MinSize int
	// Seed seeds the shuffles, so one series always gives the same changes: 1.
	Seed uint64
}

// Defaults of Options.
const (
	DefaultSignificance = 0.01
	DefaultPermutations = 499
	DefaultMinSize      = 4
	DefaultSeed         = 1
)

// Method names the method and its parameters, for reports.
func (o Options) Method() string {
	o = o.withDefaults()
	return "E-divisive means (Matteson & James 2014), alpha=1, permutation test p<" +
		trim(o.Significance) + " with " + itoa(o.Permutations) + " permutations, min segment " + itoa(o.MinSize) + " runs"
}

func (o Options) withDefaults() Options {
	if o.Significance <= 0 {
		o.Significance = DefaultSignificance
	}
	if o.Permutations <= 0 {
		o.Permutations = DefaultPermutations
	}
	if o.MinSize <= 0 {
		o.MinSize = DefaultMinSize
	}
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	return o
}

// Change is a point where the series moved: Index is the first point of the
// new level.
type Change struct {
	Index  int     `json:"index"`
	Before float64 `json:"before"` // median of the segment before
	After  float64 `json:"after"`  // median of the segment after
	PValue float64 `json:"p_value"`
	Q      float64 `json:"q"`
}

// Relative is the change of the median, (After − Before)/|Before|; ±Inf
// when Before is 0 and After is not.
func (c Change) Relative() float64 {
	if c.Before == 0 {
		if c.After == 0 {
			return 0
		}
		return math.Copysign(math.Inf(1), c.After)
	}
	return (c.After - c.Before) / math.Abs(c.Before)
}

// Detect returns the changes of xs, in order. NaN values are not allowed;
// a series shorter than 2·MinSize has none.
func Detect(xs []float64, opts Options) []Change {
	opts = opts.withDefaults()
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed))
	var found []Change
	var search func(lo, hi int)
	search = func(lo, hi int) {
		sp := newSplitter(xs[lo:hi])
		tau, q := sp.best(opts.MinSize)
		if tau < 0 || q <= 0 {
			return
		}
		p := sp.pValue(q, opts, rng)
		if p >= opts.Significance {
			return
		}
		found = append(found, Change{Index: lo + tau, PValue: p, Q: q})
		search(lo, lo+tau)
		search(lo+tau, hi)
	}
	search(0, len(xs))
	sort.Slice(found, func(i, j int) bool { return found[i].Index < found[j].Index })
	// Medians of the final segments, each change between its neighbours.
	for i := range found {
		lo, hi := 0, len(xs)
		if i > 0 {
			lo = found[i-1].Index
		}
		if i+1 < len(found) {
			hi = found[i+1].Index
		}
		found[i].Before = median(xs[lo:found[i].Index])
		found[i].After = median(xs[found[i].Index:hi])
	}
	return found
}

// splitter finds the best split of one segment and of its shuffles. The
// ranks of the values are computed once: a shuffle permutes them.
type splitter struct {
	x, px    []float64 // the segment, and the order being scored
	rank, pr []int     // 1-based rank of each value (ties share the lowest)
	cnt, sum []float64 // Fenwick tree
	left     []float64 // left[t]: sum of |a−b| over pairs in order[:t]
	right    []float64 // right[k]: the same over the last k
}

func newSplitter(x []float64) *splitter {
	n := len(x)
	sorted := slices.Clone(x)
	slices.Sort(sorted)
	sp := &splitter{x: x, px: slices.Clone(x), rank: make([]int, n), pr: make([]int, n),
		cnt: make([]float64, n+1), sum: make([]float64, n+1), left: make([]float64, n+1), right: make([]float64, n+1)}
	for i, v := range x {
		r, _ := slices.BinarySearch(sorted, v)
		sp.rank[i] = r + 1
	}
	copy(sp.pr, sp.rank)
	return sp
}

// pValue is the share of shuffles whose best split is at least q, counting
// the segment itself. It stops as soon as the answer cannot be significant.
func (sp *splitter) pValue(q float64, opts Options, rng *rand.Rand) float64 {
	n := len(sp.x)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	limit := int(opts.Significance*float64(opts.Permutations+1)) + 1
	atLeast := 1
	for range opts.Permutations {
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for i, k := range idx {
			sp.px[i], sp.pr[i] = sp.x[k], sp.rank[k]
		}
		if _, pq := sp.best(opts.MinSize); pq >= q {
			if atLeast++; atLeast > limit {
				return 1 // not significant, whatever the other shuffles say
			}
		}
	}
	return float64(atLeast) / float64(opts.Permutations+1)
}

// best returns the split τ of the current order (the left part is px[:τ])
// with the largest Q, or -1 when it is too short to split.
func (sp *splitter) best(minSize int) (int, float64) {
	n := len(sp.px)
	if n < 2*minSize {
		return -1, 0
	}
	sp.within(sp.left, func(i int) int { return i })
	sp.within(sp.right, func(i int) int { return n - 1 - i })
	total := sp.left[n]
	best, bestQ := -1, math.Inf(-1)
	for t := minSize; t <= n-minSize; t++ {
		wl, wr := sp.left[t], sp.right[n-t]
		cross := total - wl - wr
		nl, nr := float64(t), float64(n-t)
		between := 2 * cross / (nl * nr)
		within := wl/(nl*(nl-1)/2) + wr/(nr*(nr-1)/2)
		if q := nl * nr / (nl + nr) * (between - within); q > bestQ {
			best, bestQ = t, q
		}
	}
	return best, bestQ
}

// within fills w[t] with the sum of |a−b| over the pairs among the first t
// values taken in the order at(0), at(1)...: O(n log n) with a Fenwick tree
// of counts and sums by rank.
func (sp *splitter) within(w []float64, at func(int) int) {
	n := len(sp.px)
	clear(sp.cnt)
	clear(sp.sum)
	var total, seen float64
	for t := range n {
		j := at(t)
		v, r := sp.px[j], sp.pr[j]
		var cBelow, sBelow float64 // values of lower rank seen so far
		for i := r - 1; i > 0; i -= i & -i {
			cBelow += sp.cnt[i]
			sBelow += sp.sum[i]
		}
		w[t+1] = w[t] + (cBelow*v - sBelow) + ((total - sBelow) - (seen-cBelow)*v)
		for i := r; i <= n; i += i & -i {
			sp.cnt[i]++
			sp.sum[i] += v
		}
		total += v
		seen++
	}
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
