package sampler

import (
	"github.com/benchctl/benchctl/probes/host"
	"github.com/benchctl/benchctl/result"
)

// HostProbe reads the pipeline's process tree. host.Probe implements it.
//
// Sample is called from the sampling goroutine only (and from Stop once that
// has ended), never concurrently, about four times a second; an error (the root
// has exited, say) skips that reading.
type HostProbe interface {
	Sample(root int) (host.TreeSample, error)
}

var _ HostProbe = (*host.Probe)(nil)

// hostAgg summarises the tree readings.
//
// The tree's CPU time is CPUSeconds+ChildCPUSeconds of a reading, and the
// summary keeps the highest seen: a process that exits and is not reaped by
// another process of the tree takes its CPU time out of /proc with it, so a
// later reading can be lower. CPU time of such processes after the last
// reading before they exit is lost, and CPU percent under-reads until the
// tree's time climbs back past the highest seen.
type hostAgg struct {
	readings int
	cpu      float64 // highest tree CPU seconds seen
	lastT    float64
	peakRSS  uint64
	maxProcs int
	cpuPct   Stat
	rss      Stat
}

// add folds a reading taken t seconds into the run.
func (h *hostAgg) add(t float64, ts host.TreeSample) {
	cpu := max(ts.CPUSeconds+ts.ChildCPUSeconds, h.cpu)
	if h.readings > 0 && t > h.lastT {
		h.cpuPct.Add((cpu - h.cpu) / (t - h.lastT) * 100)
	}
	h.readings++
	h.cpu, h.lastT = cpu, t
	h.peakRSS = max(h.peakRSS, ts.RSSBytes)
	h.maxProcs = max(h.maxProcs, len(ts.PIDs))
	h.rss.Add(float64(ts.RSSBytes))
}

// result returns the summary, or nil when no reading succeeded.
func (h *hostAgg) result() *result.HostSummary {
	if h.readings == 0 {
		return nil
	}
	hs := &result.HostSummary{
		CPUSeconds:   h.cpu,
		PeakRSSBytes: h.peakRSS,
		MaxProcesses: h.maxProcs,
		Stats:        map[string]result.Stat{result.RSS: h.rss.Result()},
	}
	if h.cpuPct.Count() > 0 {
		hs.Stats[result.CPUPercent] = h.cpuPct.Result()
	}
	return hs
}
