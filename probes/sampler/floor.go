package sampler

import (
	"math"
	"slices"

	"github.com/benchctl/benchctl/result"
)

// Tuning of FloorSlope.
const (
	// maxFloorPoints is the most floor points FloorSlope works on; buckets
	// beyond it are taken in groups (the lowest minimum of each group).
	maxFloorPoints = 128
	// envelopeShare is the share of the points one envelope window spans: a
	// working-set cycle (a sawtooth of batches) shorter than it reads as flat.
	envelopeShare = 8
	// A change of the envelope between neighbouring points is a step (a stage
	// loading or freeing a working set) when it is stepFactor times the
	// typical change and at least stepFraction of the floor's level.
	stepFactor   = 8
	stepFraction = 0.005
	// activeLevel is the share of the median floor below which points at
	// either end are the ramp of loading or the release at exit.
	activeLevel = 0.9
)

// FloorSlope returns the slope, in units of metric per second, of the floor of
// metric over a timeline: a memory floor that rises steadily is a leak even
// when everything is freed at exit. It returns 0 when the timeline does not
// fix a slope (fewer than two points with the metric).
//
// The estimate reads only what stays held:
//
//   - The floor points are the buckets' minimums (at most 128: consecutive
//     buckets are grouped, each group giving its lowest minimum).
//   - The ramp of loading at the start and the release at exit are cut (see
//     activeWindow).
//   - Each point is replaced by the lowest value over the next eighth of the
//     points: memory held through that window. A working set that climbs and
//     drops within it (a sawtooth of batches) reads as its trough; a leak
//     still rises point by point. The last eighth, whose window is cut short,
//     is dropped.
//   - The envelope is cut into steady windows where it steps (a change far
//     above its typical change and above 0.5% of its level): stages that load
//     or free a working set.
//   - The slope is the Theil–Sen estimate over pairs of points of the same
//     steady window: the median of their pairwise slopes, which a step, a
//     spike or a stray sample cannot drag.
func FloorSlope(buckets []result.Bucket, metric string) float64 {
	pts := activeWindow(floorPoints(buckets, metric))
	if len(pts) < 2 {
		return 0
	}
	env := envelope(pts, max(1, len(pts)/envelopeShare))
	return theilSen(env, steadyWindows(env))
}

// floorPoint is one point of the floor: a time in seconds and a value.
type floorPoint struct{ t, v float64 }

// floorPoints returns the buckets' minimums of metric, grouped so that at most
// maxFloorPoints remain; each point sits at the middle of the bucket that
// holds its minimum.
func floorPoints(buckets []result.Bucket, metric string) []floorPoint {
	n := 0
	for _, b := range buckets {
		if v, ok := b.Min[metric]; ok && !math.IsNaN(v) {
			n++
		}
	}
	group := max(1, (n+maxFloorPoints-1)/maxFloorPoints)
	pts := make([]floorPoint, 0, min(n, maxFloorPoints))
	best, inGroup := floorPoint{v: math.Inf(1)}, 0
	for _, b := range buckets {
		v, ok := b.Min[metric]
		if !ok || math.IsNaN(v) {
			continue
		}
		if v < best.v {
			best = floorPoint{t: (b.Start + b.End) / 2, v: v}
		}
		if inGroup++; inGroup == group {
			pts = append(pts, best)
			best, inGroup = floorPoint{v: math.Inf(1)}, 0
		}
	}
	if inGroup > 0 {
		pts = append(pts, best)
	}
	return pts
}

// activeWindow drops the points before the pipeline first holds its working
// memory and after it lets go of it: the ramp of loading models at the start
// and the release at exit are not a leak, yet they would dominate the fit of a
// short run. The working level is 90% of the median of the floor points;
// points below it at either end are cut, never leaving fewer than two. A floor
// that rises steadily keeps most of its points above that level, so a leak
// still shows in full.
func activeWindow(pts []floorPoint) []floorPoint {
	if len(pts) < 3 {
		return pts
	}
	vals := make([]float64, len(pts))
	for i, p := range pts {
		vals[i] = p.v
	}
	level := median(vals) * activeLevel
	lo, hi := 0, len(pts)-1
	for lo < hi-1 && pts[lo].v < level {
		lo++
	}
	for hi > lo+1 && pts[hi].v < level {
		hi--
	}
	return pts[lo : hi+1]
}

// envelope returns, for each point whose window of the next span points is
// whole, the lowest value over that window, at the point's time. With fewer
// than span+2 points it takes the windows it can.
func envelope(pts []floorPoint, span int) []floorPoint {
	span = min(span, len(pts)-2)
	out := make([]floorPoint, 0, len(pts)-span)
	for i := 0; i+span < len(pts); i++ {
		low := pts[i].v
		for _, p := range pts[i+1 : i+span+1] {
			low = min(low, p.v)
		}
		out = append(out, floorPoint{t: pts[i].t, v: low})
	}
	return out
}

// steadyWindows returns the index ranges [start, end) of env between its
// steps.
func steadyWindows(env []floorPoint) [][2]int {
	if len(env) < 2 {
		return [][2]int{{0, len(env)}}
	}
	diffs := make([]float64, len(env)-1)
	vals := make([]float64, len(env))
	for i := range env {
		vals[i] = env[i].v
		if i > 0 {
			diffs[i-1] = math.Abs(env[i].v - env[i-1].v)
		}
	}
	limit := max(stepFactor*median(diffs), stepFraction*math.Abs(median(vals)))
	var wins [][2]int
	start := 0
	for i, d := range diffs {
		if d > limit {
			wins = append(wins, [2]int{start, i + 1})
			start = i + 1
		}
	}
	return append(wins, [2]int{start, len(env)})
}

// theilSen returns the median of the slopes of every pair of points inside
// the same window, or 0 when no window holds two points apart in time.
func theilSen(pts []floorPoint, wins [][2]int) float64 {
	var slopes []float64
	for _, w := range wins {
		for i := w[0]; i < w[1]; i++ {
			for j := i + 1; j < w[1]; j++ {
				if dt := pts[j].t - pts[i].t; dt > 0 {
					slopes = append(slopes, (pts[j].v-pts[i].v)/dt)
				}
			}
		}
	}
	if len(slopes) == 0 {
		return 0
	}
	return median(slopes)
}

// median returns the median of xs, which it leaves as they are; 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
