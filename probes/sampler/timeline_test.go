package sampler

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestTimelineMerges(t *testing.T) {
	type bucket struct{ start, end, min, max float64 }
	tests := []struct {
		name      string
		capacity  int
		samples   [][2]float64 // t, value
		wantWidth float64
		want      []bucket
	}{
		{
			name:      "fits without merging",
			capacity:  4,
			samples:   [][2]float64{{0, 1}, {0.5, 3}, {1, 2}, {3.5, 9}},
			wantWidth: 1,
			want:      []bucket{{0, 1, 1, 3}, {1, 2, 2, 2}, {3, 3.5, 9, 9}},
		},
		{
			name:      "one merge keeps min of mins and max of maxes",
			capacity:  4,
			samples:   [][2]float64{{0, 5}, {1, 1}, {2, 7}, {3, 2}, {4, 4}},
			wantWidth: 2,
			want:      []bucket{{0, 2, 1, 5}, {2, 4, 2, 7}, {4, 4, 4, 4}},
		},
		{
			name:      "a late sample merges as often as needed",
			capacity:  4,
			samples:   [][2]float64{{0, 5}, {1, 100}, {17, 3}},
			wantWidth: 8,
			want:      []bucket{{0, 8, 5, 100}, {16, 17, 3, 3}},
		},
		{
			name:      "negative time counts as zero, NaN time is ignored",
			capacity:  4,
			samples:   [][2]float64{{-3, 5}, {math.NaN(), 100}, {math.Inf(1), 100}, {0.5, 6}},
			wantWidth: 1,
			want:      []bucket{{0, 0.5, 5, 6}},
		},
		{
			name:      "out of order",
			capacity:  4,
			samples:   [][2]float64{{3, 1}, {0, 2}, {2, 3}},
			wantWidth: 1,
			want:      []bucket{{0, 1, 2, 2}, {2, 3, 3, 3}, {3, 3, 1, 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := NewTimeline(tt.capacity, time.Second, "m")
			for _, s := range tt.samples {
				tl.Add(s[0], s[1])
			}
			if tl.BucketSeconds() != tt.wantWidth {
				t.Errorf("width = %v, want %v", tl.BucketSeconds(), tt.wantWidth)
			}
			got := tl.Buckets()
			if len(got) != len(tt.want) {
				t.Fatalf("got %d buckets %+v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Start != w.start || g.End != w.end || g.Min["m"] != w.min || g.Max["m"] != w.max {
					t.Errorf("bucket %d = [%v,%v] min %v max %v, want [%v,%v] min %v max %v",
						i, g.Start, g.End, g.Min["m"], g.Max["m"], w.start, w.end, w.min, w.max)
				}
			}
		})
	}
}

func TestTimelineMissingMetrics(t *testing.T) {
	tl := NewTimeline(8, time.Second, "a", "b", "c")
	tl.Add(0, 1, math.NaN()) // c not given, b not read
	tl.Add(1.5, math.NaN(), 2, 3, 99 /* extra: ignored */)
	got := tl.Buckets()
	if len(got) != 2 {
		t.Fatalf("got %d buckets, want 2", len(got))
	}
	if _, ok := got[0].Min["b"]; ok || len(got[0].Min) != 1 || got[0].Min["a"] != 1 {
		t.Errorf("bucket 0 min = %v, want only a=1", got[0].Min)
	}
	if len(got[1].Max) != 2 || got[1].Max["b"] != 2 || got[1].Max["c"] != 3 {
		t.Errorf("bucket 1 max = %v, want b=2 c=3", got[1].Max)
	}
}

// TestTimelineTenHoursEightGPUs feeds 10 hours at 100 Hz for 8 GPUs (1 hour
// with -short or -race) and checks the timelines stay within capacity, allocate
// nothing more, and keep a one-sample spike and dip of each GPU.
func TestTimelineTenHoursEightGPUs(t *testing.T) {
	const (
		hz       = 100
		gpus     = 8
		capacity = DefaultTimelineBuckets
	)
	hours := 10
	if testing.Short() || raceEnabled {
		hours = 1
	}
	n := hours * 3600 * hz
	rng := rand.New(rand.NewPCG(5, 6))
	tls := make([]*Timeline, gpus)
	spike := make([]int, gpus)
	for g := range tls {
		tls[g] = NewTimeline(capacity, 10*time.Millisecond, timelineMetrics...)
		spike[g] = rng.IntN(n)
	}
	caps := func(tl *Timeline) [3]int { return [3]int{cap(tl.counts), cap(tl.mins), cap(tl.maxs)} }
	before := caps(tls[0])
	for i := range n {
		ts := float64(i) / hz
		for g, tl := range tls {
			used := 40e9 + 10e9*math.Sin(ts/60+float64(g))
			util := 50 + 40*math.Sin(ts/7)
			if i == spike[g] {
				used, util = 80e9+float64(g), -1 // one sample: a peak of memory, a dip of utilization
			}
			tl.Add(ts, used, util, 300, 60)
		}
	}
	for g, tl := range tls {
		if caps(tl) != before || len(tl.counts) != capacity {
			t.Errorf("gpu %d: buffers grew: %v, want %v", g, caps(tl), before)
		}
		buckets := tl.Buckets()
		if len(buckets) > capacity {
			t.Errorf("gpu %d: %d buckets, capacity %d", g, len(buckets), capacity)
		}
		if w, min := tl.BucketSeconds(), float64(n)/hz/capacity; w < min || w > 2*min {
			t.Errorf("gpu %d: bucket width %v s, want between %v and %v", g, w, min, 2*min)
		}
		maxUsed, minUtil := math.Inf(-1), math.Inf(1)
		for _, b := range buckets {
			maxUsed = max(maxUsed, b.Max[timelineMetrics[0]])
			minUtil = min(minUtil, b.Min[timelineMetrics[1]])
		}
		if maxUsed != 80e9+float64(g) || minUtil != -1 {
			t.Errorf("gpu %d: timeline max used %v, min util %v; want the spike %v and dip -1", g, maxUsed, minUtil, 80e9+float64(g))
		}
		if first, last := buckets[0], buckets[len(buckets)-1]; first.Start != 0 || last.End != float64(n-1)/hz {
			t.Errorf("gpu %d: timeline spans [%v, %v], want [0, %v]", g, first.Start, last.End, float64(n-1)/hz)
		}
	}
}

func BenchmarkTimelineAdd(b *testing.B) {
	tl := NewTimeline(DefaultTimelineBuckets, 10*time.Millisecond, timelineMetrics...)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tl.Add(float64(i)/100, 1e9, 50, 300, 60)
		i++
	}
}
