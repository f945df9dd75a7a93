package stats

import "math"

// ranksumCDFExact returns P(U <= u) for u = 0..n*m, where U is the
// Mann-Whitney statistic of two samples of sizes n and m under the null
// hypothesis (no ties): the number of pairs in which the first sample's
// value is the larger. The largest of all n+m values belongs to the first
// sample with probability n/(n+m), adding m to U, or else to the second,
// adding nothing; the recurrence only adds positive numbers, so it stays
// exact to rounding.
func ranksumCDFExact(n, m int) []float64 {
	if m > n {
		n, m = m, n // the distribution is symmetric in n and m; keep rows short
	}
	size := n*m + 1
	prev := make([][]float64, m+1) // prev[j] = distribution for (i-1, j)
	cur := make([][]float64, m+1)
	for j := range prev {
		prev[j] = make([]float64, size)
		cur[j] = make([]float64, size)
		prev[j][0] = 1 // no first-sample values: U is 0
	}
	for i := 1; i <= n; i++ {
		clear(cur[0])
		cur[0][0] = 1 // no second-sample values: U is 0
		for j := 1; j <= m; j++ {
			px := float64(i) / float64(i+j)
			c := cur[j]
			for u := range c {
				v := (1 - px) * cur[j-1][u]
				if u >= j {
					v += px * prev[j][u-j]
				}
				c[u] = v
			}
		}
		prev, cur = cur, prev
	}
	cdf := make([]float64, size)
	acc := 0.0
	for u, p := range prev[m] {
		acc += p
		cdf[u] = min(acc, 1)
	}
	return cdf
}

// exactLimit bounds n*m for the exact distribution; past it the normal
// approximation, for samples of similar size, gives an interval a few ranks
// wider (conservative).
const exactLimit = 50 * 50

// ranksumRank returns k, the number of pairwise differences to cut from each
// end of the sorted differences for a two-sided interval at the given
// confidence, and the confidence that cut really achieves. k is 0 when the
// samples are too small for any finite interval at that confidence.
func ranksumRank(n, m int, confidence float64) (int, float64) {
	if n*m <= exactLimit {
		return exactRank(n, m, confidence)
	}
	return normalRank(n, m, confidence)
}

func exactRank(n, m int, confidence float64) (int, float64) {
	alpha := 1 - confidence
	cdf := ranksumCDFExact(n, m)
	k := 0
	for k < len(cdf) && cdf[k] <= alpha/2+1e-12 {
		k++
	}
	if k == 0 {
		return 0, 0
	}
	return k, 1 - 2*cdf[k-1]
}

func normalRank(n, m int, confidence float64) (int, float64) {
	nm := float64(n * m)
	sd := math.Sqrt(nm * float64(n+m+1) / 12)
	z := normalQuantile(1 - (1-confidence)/2)
	k := int(math.Floor(nm/2 - z*sd + 0.5))
	if k < 1 {
		return 0, 0
	}
	return k, 1 - 2*normalCDF((float64(k)-0.5-nm/2)/sd)
}

func normalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// normalQuantile inverts normalCDF by bisection; it is called a few times a
// comparison, so clarity wins over speed.
func normalQuantile(p float64) float64 {
	lo, hi := -40.0, 40.0
	for range 200 {
		mid := (lo + hi) / 2
		if normalCDF(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
