package sampler

import (
	"math"
	"sort"

	"github.com/benchctl/benchctl/result"
)

// floorPoints is the most points FloorSlope fits a line through.
const floorPoints = 64

// FloorSlope returns the slope, in units of metric per second, of the floor of
// metric over a timeline: a memory floor that rises steadily is a leak even
// when everything is freed at exit.
//
// The floor is the lower envelope of the buckets' minimums. Consecutive
// buckets are taken in groups, so that at most 64 points remain; each group
// gives one point, its lowest minimum, placed at the middle of the bucket that
// holds it. The slope is the least-squares fit through those points. Grouping
// lets a group span whole allocation cycles (a sawtooth of batches), so its
// minimum is a trough and not a point on a rising edge. Only the window where
// the pipeline holds its working memory is fitted (see activeWindow). It returns 0 when
// fewer than two points have the metric.
func FloorSlope(buckets []result.Bucket, metric string) float64 {
	n := 0
	for _, b := range buckets {
		if _, ok := b.Min[metric]; ok {
			n++
		}
	}
	if n < 2 {
		return 0
	}
	group := (n + floorPoints - 1) / floorPoints
	var pts [][2]float64
	best, bestT, inGroup := math.Inf(1), 0.0, 0
	for _, b := range buckets {
		v, ok := b.Min[metric]
		if !ok {
			continue
		}
		if v < best {
			best, bestT = v, (b.Start+b.End)/2
		}
		if inGroup++; inGroup == group {
			pts = append(pts, [2]float64{bestT, best})
			best, inGroup = math.Inf(1), 0
		}
	}
	if inGroup > 0 {
		pts = append(pts, [2]float64{bestT, best})
	}
	pts = activeWindow(pts)
	var fit lineFit
	for _, p := range pts {
		fit.add(p[0], p[1])
	}
	return fit.slope()
}

// activeWindow drops the points before the pipeline first holds its working
// memory and after it lets go of it: the ramp of loading models at the start
// and the release at exit are not a leak, yet they would dominate the fit of a
// short run. The working level is 90% of the median of the floor points;
// points below it at either end are cut, never leaving fewer than two. A floor
// that rises steadily keeps most of its points above that level, so a leak
// still shows in full.
func activeWindow(pts [][2]float64) [][2]float64 {
	if len(pts) < 3 {
		return pts
	}
	vals := make([]float64, len(pts))
	for i, p := range pts {
		vals[i] = p[1]
	}
	sort.Float64s(vals)
	level := vals[len(vals)/2] * 0.9
	lo, hi := 0, len(pts)-1
	for lo < hi-1 && pts[lo][1] < level {
		lo++
	}
	for hi > lo+1 && pts[hi][1] < level {
		hi--
	}
	return pts[lo : hi+1]
}

// lineFit accumulates a least-squares line fit, centred on the first point
// to keep the sums small.
type lineFit struct {
	n                float64
	x0, y0           float64
	sx, sy, sxx, sxy float64
}

func (f *lineFit) add(x, y float64) {
	if f.n == 0 {
		f.x0, f.y0 = x, y
	}
	x, y = x-f.x0, y-f.y0
	f.n++
	f.sx += x
	f.sy += y
	f.sxx += x * x
	f.sxy += x * y
}

// slope is the fitted slope, or 0 when the points do not fix one.
func (f *lineFit) slope() float64 {
	den := f.n*f.sxx - f.sx*f.sx
	if f.n < 2 || den == 0 {
		return 0
	}
	return (f.n*f.sxy - f.sx*f.sy) / den
}
