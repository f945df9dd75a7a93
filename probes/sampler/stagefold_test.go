package sampler

import (
	"testing"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// TestStageAtTakesReadingsSinceItsOwnTime: a stage whose line arrives late
// but carries its own time gets the readings taken since that time, as long
// as they are not older than stageSettle; one that claims an earlier time
// gets those within stageSettle only, and none before the stage before it.
// Readings are k (memory (k+1) GiB) every 10 ms.
func TestStageAtTakesReadingsSinceItsOwnTime(t *testing.T) {
	tests := []struct {
		name        string
		lateTicks   int // readings taken after the stage's own time, before its line arrived
		wantA, want statWant
	}{
		// Reading 0 (Start's) is in no stage, 1..5 in a; b's line arrives
		// 3 readings after its own time: 6..8 are b's, with the 4 after
		// it (9..12) and the final one (13).
		{"late by 3 readings", 3, statWant{5, 1, 5, 3, 3}, statWant{8, 6, 13, 9.5, 9}},
		// Its own time is before a's start: b starts where a did, and
		// takes 1..20.
		{"before the stage before it", 10, statWant{}, statWant{20, 1, 20, 10.5, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newScripted(1, func(k int) (probes.Snapshot, error) {
				return probes.Snapshot{GPUs: []probes.GPUSample{{Index: 0, MemTotal: 80 * gib, UtilGPU: float64(k)}}}, nil
			})
			h := start(t, b, b, Options{})
			h.s.Stage("a")
			h.ticks(5) // readings 1..5
			own := h.clock.Now()
			if tt.lateTicks > 5 {
				own = h.s.start.Add(-time.Millisecond) // before a's start
			}
			h.ticks(tt.lateTicks)
			h.s.StageAt("b", own)
			h.ticks(4)
			gs, _ := h.s.Stop()
			g := gs.GPUs[0]
			if tt.wantA.count > 0 {
				checkStat(t, "stage a", g.Stages["a"][result.UtilGPU], tt.wantA)
			} else if st, ok := g.Stages["a"][result.UtilGPU]; ok && st.Count > 0 {
				t.Errorf("stage a = %+v, want no reading", st)
			}
			// The final reading (k = 5 + late + 5) is b's too.
			checkStat(t, "stage b", g.Stages["b"][result.UtilGPU], tt.want)
		})
	}
}

// TestStageAtKeepsToStageSettle: a stage line that claims a time further
// back than stageSettle starts its stage stageSettle before it arrived; the
// readings before stay with the stage they were settled in.
func TestStageAtKeepsToStageSettle(t *testing.T) {
	b := newScripted(1, func(k int) (probes.Snapshot, error) {
		return probes.Snapshot{GPUs: []probes.GPUSample{{Index: 0, MemTotal: 80 * gib, UtilGPU: float64(k)}}}, nil
	})
	h := start(t, b, b, Options{})
	h.s.Stage("a")
	settle := int(stageSettle / h.s.opts.Interval)
	h.ticks(settle + 10) // readings 1..settle+10
	h.s.StageAt("b", h.clock.Now().Add(-time.Hour))
	gs, _ := h.s.Stop() // the final reading: settle+11
	g := gs.GPUs[0]
	// b takes the readings after the last stageSettle began (11 .. settle+10)
	// and the final one: settle of them.
	last := float64(settle + 11)
	checkStat(t, "stage a", g.Stages["a"][result.UtilGPU], statWant{10, 1, 10, 5.5, 5})
	checkStat(t, "stage b", g.Stages["b"][result.UtilGPU], statWant{int64(settle) + 1, 11, last, (11 + last) / 2, (11 + last) / 2})
}
