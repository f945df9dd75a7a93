package sampler

import (
	"time"

	"github.com/benchctl/benchctl/internal/selfcost"
	"github.com/benchctl/benchctl/result"
)

// Where a tick's CPU goes, with selfcost on (BENCHCTL_COST).
var (
	costTick    = selfcost.New("sampler tick", nil)
	costSample  = selfcost.New("backend Sample (NVML)", costTick)
	costDriver  = selfcost.New("driver samples (NVML)", costTick)
	costHost    = selfcost.New("host tree read (/proc)", costTick)
	costOwnWork = selfcost.New("the sampler's own work", costTick)
)

// tick takes one sample at now. final forces a tree reading.
func (s *Sampler) tick(now time.Time, final bool) {
	span := costTick.Begin()
	defer span.End()
	s.mu.Lock()
	root, rootChanged := s.root, s.rootChanged
	s.rootChanged = false
	s.mu.Unlock()
	t := now.Sub(s.start).Seconds()

	sp := costSample.Begin()
	snap, err := s.b.Sample()
	sp.End()
	if err != nil {
		s.recordError(t, err)
	}
	treeRead := false
	if root > 0 {
		due := final || rootChanged || root != s.treeRoot || s.ticks%int64(s.hostEvery) == 0 ||
			(err == nil && s.opts.Host != nil && s.procs.unknown(&snap))
		if due {
			sp := costHost.Begin()
			s.readTree(t, root)
			sp.End()
			treeRead = true
		}
	}
	if err == nil {
		own := costOwnWork.Begin()
		s.samples++
		for _, e := range snap.Errors {
			s.recordError(t, e)
		}
		for i := range snap.GPUs {
			gs := &snap.GPUs[i]
			g := s.byIndex[gs.Index]
			if g == nil {
				if g = s.gpu(result.GPUInfo{Index: gs.Index}); g == nil {
					continue
				}
			}
			g.add(t, gs, -1) // its stage once settled (foldPending)
			s.pend(now, g, gs)
			s.procs.add(gs.Index, gs.Processes, treeRead)
		}
		s.foldPending(now.Add(-stageSettle))
		s.mu.Lock()
		copySnapshot(&s.latest, &snap)
		s.mu.Unlock()
		own.End()
	}
	if s.drv != nil && (final || s.ticks%int64(s.drvEvery) == 0) {
		sp := costDriver.Begin()
		s.foldDriverSamples(t)
		sp.End()
	}
	s.ticks++
}

// readTree reads the tree of root: its pids join the tree set, and its CPU and
// memory the host figures. Without a host probe the tree is the root alone.
func (s *Sampler) readTree(t float64, root int) {
	s.treeRoot = root
	if s.opts.Host == nil {
		s.mu.Lock()
		s.procs.addTree(root)
		s.mu.Unlock()
		return
	}
	ts, err := s.opts.Host.Sample(root)
	if err != nil {
		// The root has exited, most often; the tree read last stays.
		return
	}
	s.hostAgg.add(t, ts)
	s.mu.Lock()
	s.procs.addTree(root)
	s.procs.addTree(ts.PIDs...)
	s.mu.Unlock()
}
