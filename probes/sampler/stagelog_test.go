package sampler

import (
	"math"
	"testing"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// TestDriverSamplesByTimestamp reads the driver's samples once a second
// while stages change every few hundred milliseconds: each sample still
// counts for the stage current at its own timestamp, not the one current
// when it was read.
func TestDriverSamplesByTimestamp(t *testing.T) {
	const ms = time.Millisecond
	// A driver sample every 5 ms, at 5j+1 ms; its utilization says which
	// stage its time lies in: 10 in a (0-300 ms), 20 in b (300-800 ms), 30
	// after.
	stamp := func(j int) time.Time { return t0.Add(time.Duration(5*j+1) * ms) }
	value := func(at time.Time) float64 {
		switch d := at.Sub(t0); {
		case d < 300*ms:
			return 10
		case d < 800*ms:
			return 20
		}
		return 30
	}
	sb := newScripted(1, func(k int) (probes.Snapshot, error) {
		return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, 0)}}, nil
	})
	var clock *FakeClock
	next := 0
	b := &driverBackend{scriptedBackend: sb, drv: func(_ int, _ time.Time) ([]probes.DriverSample, error) {
		if clock == nil { // the first reading, inside Start
			return nil, nil
		}
		var out []probes.DriverSample
		for ; !stamp(next).After(clock.Now()); next++ {
			at := stamp(next)
			out = append(out, probes.DriverSample{GPU: 0, Time: at, UtilGPU: value(at), PowerW: math.NaN()})
		}
		return out, nil
	}}
	h := start(t, b, sb, Options{DriverPeriod: time.Second})
	clock = h.clock
	h.s.Stage("a")
	h.ticks(30) // to 300 ms
	h.s.Stage("b")
	h.ticks(50) // to 800 ms
	h.s.Stage("")
	h.ticks(40) // to 1200 ms; driver samples read at 1000 ms
	gs, _ := h.s.Stop()
	if b.dcalls != 3 {
		t.Fatalf("DriverSamples called %d times, want 3 (start, 1 s, final)", b.dcalls)
	}
	g := gs.GPUs[0]
	tests := []struct {
		name string
		got  result.Stat
		want statWant
	}{
		{"stage a", g.Stages["a"][result.UtilGPU], statWant{60, 10, 10, 10, 10}},
		{"stage b", g.Stages["b"][result.UtilGPU], statWant{100, 20, 20, 20, 20}},
		{"run", g.Stats[result.UtilGPU], statWant{240, 10, 30, 5000.0 / 240, 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkStat(t, tt.name, tt.got, tt.want) })
	}
}

func TestStageLog(t *testing.T) {
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	var l stageLog
	l.add(at(100), 0)
	l.add(at(200), -1)
	l.add(at(300), 1)
	tests := []struct {
		name  string
		prune int // ms; 0: none
		t     int
		want  int
	}{
		{"before the first mark: no stage", 0, 50, -1},
		{"at a mark: its stage", 0, 100, 0},
		{"between marks", 0, 150, 0},
		{"after a stage ended", 0, 250, -1},
		{"after the last mark", 0, 900, 1},
		{"pruned: the mark in force is kept", 250, 260, -1},
		{"pruned: later marks are kept", 250, 400, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := stageLog{marks: append([]stageMark(nil), l.marks...)}
			if tt.prune > 0 {
				l.prune(at(tt.prune))
				if len(l.marks) != 2 {
					t.Errorf("after prune: %d marks, want 2", len(l.marks))
				}
			}
			if got := stageAt(l.marks, at(tt.t)); got != tt.want {
				t.Errorf("stage at %d ms = %d, want %d", tt.t, got, tt.want)
			}
		})
	}
}

// refreshBackend adds probes.Refresher to a scripted backend, noting how many
// readings were taken when Refresh was called.
type refreshBackend struct {
	*scriptedBackend
	refreshedAt []int
}

var _ probes.Refresher = (*refreshBackend)(nil)

func (b *refreshBackend) Refresh() { b.refreshedAt = append(b.refreshedAt, b.calls) }

// TestStopRefreshes: the final reading of a run reads every field fresh.
func TestStopRefreshes(t *testing.T) {
	sb := newScripted(1, func(k int) (probes.Snapshot, error) {
		return probes.Snapshot{GPUs: []probes.GPUSample{gpuAt(0, k, 0)}}, nil
	})
	b := &refreshBackend{scriptedBackend: sb}
	h := start(t, b, sb, Options{})
	h.ticks(4)
	h.s.Stop()
	if len(b.refreshedAt) != 1 || b.refreshedAt[0] != 5 || sb.calls != 6 {
		t.Errorf("Refresh called after readings %v, %d readings in all; want once, just before the sixth and last", b.refreshedAt, sb.calls)
	}
}
