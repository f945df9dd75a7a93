package sampler

import (
	"math"
	"time"

	"github.com/benchctl/benchctl/result"
)

// DefaultTimelineBuckets is the capacity of a timeline when none is given.
const DefaultTimelineBuckets = 512

// Timeline is a bounded series of min/max buckets over a run, so that a peak of
// a single sample survives however long the run is.
//
// Slot i covers [i·w, (i+1)·w) seconds since the start, where w starts at the
// width given to NewTimeline (the sampling interval). When a sample falls past
// the last slot, adjacent pairs of slots are merged (min of the mins, max of
// the maxes) and w doubles, as often as needed. Memory is fixed at creation:
// capacity × metrics × 2 floats.
//
// A Timeline is not safe for concurrent use.
type Timeline struct {
	metrics  []string
	capacity int
	width    float64 // seconds per slot
	n        int     // slots in use: the highest slot with a sample, plus one
	counts   []uint32
	mins     []float64 // slot*len(metrics)+metric
	maxs     []float64
	lastT    float64
}

// NewTimeline returns an empty timeline of at most capacity buckets (at least
// 2) of the named metrics, whose first buckets are width wide (10 ms when
// width is not positive).
func NewTimeline(capacity int, width time.Duration, metrics ...string) *Timeline {
	capacity = max(capacity, 2)
	if width <= 0 {
		width = DefaultInterval
	}
	k := len(metrics)
	tl := &Timeline{
		metrics:  append([]string(nil), metrics...),
		capacity: capacity,
		width:    width.Seconds(),
		counts:   make([]uint32, capacity),
		mins:     make([]float64, capacity*k),
		maxs:     make([]float64, capacity*k),
	}
	for i := range tl.mins {
		tl.mins[i], tl.maxs[i] = math.Inf(1), math.Inf(-1)
	}
	return tl
}

// Add records the values of the timeline's metrics, in the order given to
// NewTimeline, at t seconds since the start. NaN values (a metric not read)
// are skipped; a negative t counts as 0; a NaN or infinite t is ignored.
// Samples need not come in time order.
func (tl *Timeline) Add(t float64, values ...float64) {
	if math.IsNaN(t) || math.IsInf(t, 0) {
		return
	}
	t = max(t, 0)
	for t/tl.width >= float64(tl.capacity) {
		tl.halve()
	}
	slot := int(t / tl.width)
	tl.n = max(tl.n, slot+1)
	tl.lastT = max(tl.lastT, t)
	k := len(tl.metrics)
	if tl.counts[slot] < math.MaxUint32 {
		tl.counts[slot]++
	}
	base := slot * k
	for m, v := range values[:min(len(values), k)] {
		if math.IsNaN(v) {
			continue
		}
		if v < tl.mins[base+m] {
			tl.mins[base+m] = v
		}
		if v > tl.maxs[base+m] {
			tl.maxs[base+m] = v
		}
	}
}

// halve merges adjacent pairs of slots and doubles the slot width.
func (tl *Timeline) halve() {
	k := len(tl.metrics)
	half := (tl.n + 1) / 2
	for i := range half {
		a, b := 2*i, 2*i+1
		tl.counts[i] = tl.counts[a]
		for m := range k {
			tl.mins[i*k+m], tl.maxs[i*k+m] = tl.mins[a*k+m], tl.maxs[a*k+m]
		}
		if b >= tl.n {
			continue
		}
		tl.counts[i] = satAdd(tl.counts[i], tl.counts[b])
		for m := range k {
			tl.mins[i*k+m] = min(tl.mins[i*k+m], tl.mins[b*k+m])
			tl.maxs[i*k+m] = max(tl.maxs[i*k+m], tl.maxs[b*k+m])
		}
	}
	for i := half; i < tl.n; i++ {
		tl.counts[i] = 0
		for m := range k {
			tl.mins[i*k+m], tl.maxs[i*k+m] = math.Inf(1), math.Inf(-1)
		}
	}
	tl.n = half
	tl.width *= 2
}

func satAdd(a, b uint32) uint32 {
	if a > math.MaxUint32-b {
		return math.MaxUint32
	}
	return a + b
}

// BucketSeconds is the current width of a bucket, in seconds.
func (tl *Timeline) BucketSeconds() float64 { return tl.width }

// Len is the number of buckets that hold at least one sample.
func (tl *Timeline) Len() int {
	n := 0
	for _, c := range tl.counts[:tl.n] {
		if c > 0 {
			n++
		}
	}
	return n
}

// Buckets returns the buckets that hold at least one sample, in time order.
// A bucket's Start and End are its slot's bounds, except that the last one
// ends at the latest sample. Min and Max hold the metrics that had a value in
// the bucket.
func (tl *Timeline) Buckets() []result.Bucket {
	k := len(tl.metrics)
	out := make([]result.Bucket, 0, tl.Len())
	for i, c := range tl.counts[:tl.n] {
		if c == 0 {
			continue
		}
		start := float64(i) * tl.width
		b := result.Bucket{
			Start: start,
			End:   max(start, min(float64(i+1)*tl.width, tl.lastT)),
			Min:   make(map[string]float64, k),
			Max:   make(map[string]float64, k),
		}
		for m, name := range tl.metrics {
			if lo := tl.mins[i*k+m]; !math.IsInf(lo, 1) {
				b.Min[name] = lo
				b.Max[name] = tl.maxs[i*k+m]
			}
		}
		out = append(out, b)
	}
	return out
}
