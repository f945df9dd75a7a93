package sampler

import (
	"time"

	"github.com/benchctl/benchctl/probes"
)

// stageSettle is how long a tick's reading waits before it is given to a
// stage: a stage line may carry its own time (pipeline.Spec.LineTime), up
// to this much before it arrives, and the readings taken since then belong
// to that stage, not to the one before. A pipeline that paces itself by a
// model of time prints its model's time, which a busy machine delivers late
// (the fake pipeline's lines came up to 0.8 s late under stress-ng --cpu 2).
const stageSettle = 2 * time.Second

// pendingReading is one GPU's tick reading not yet given to a stage.
type pendingReading struct {
	at time.Time
	g  *gpuAgg
	s  probes.GPUSample // its Processes dropped: the stages keep none
}

// StageAt makes the samples from at on belong to stage name; "" ends the
// stage. at is when the stage started by the pipeline's own account (a
// stage line's own time), which may be before now: readings taken since
// then are given to it as long as they are not older than stageSettle. It
// is clamped to that, to the previous stage's start and to now, so the
// stages stay in order.
func (s *Sampler) StageAt(name string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if at.After(now) {
		at = now
	}
	if early := now.Add(-stageSettle); at.Before(early) {
		at = early
	}
	if n := len(s.stageLog.marks); n > 0 && at.Before(s.stageLog.marks[n-1].at) {
		at = s.stageLog.marks[n-1].at
	}
	s.stageLog.add(at, s.stageID(name))
}

// pend keeps one GPU's reading taken at at until its stage is settled.
func (s *Sampler) pend(at time.Time, g *gpuAgg, gs *probes.GPUSample) {
	r := pendingReading{at: at, g: g, s: *gs}
	r.s.Processes = nil
	s.pending = append(s.pending, r)
}

// foldPending gives each pending reading taken at or before upTo to the
// stage current at its time (the stage log), and drops it. A reading taken
// at the very time of a stage's start was taken before it: Stage, called at
// the same instant, marks the stage after the tick that read it.
func (s *Sampler) foldPending(upTo time.Time) {
	n := 0
	for n < len(s.pending) && !s.pending[n].at.After(upTo) {
		n++
	}
	if n == 0 {
		return
	}
	s.mu.Lock()
	s.marks = append(s.marks[:0], s.stageLog.marks...)
	s.mu.Unlock()
	for i := range s.pending[:n] {
		r := &s.pending[i]
		if ms := r.g.stage(stageAt(s.marks, r.at.Add(-time.Nanosecond))); ms != nil {
			ms.add(&r.s)
		}
	}
	rest := copy(s.pending, s.pending[n:])
	clear(s.pending[rest:])
	s.pending = s.pending[:rest]
}
