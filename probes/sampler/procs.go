package sampler

import (
	"cmp"
	"slices"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// maxPIDs bounds each set of pids the sampler keeps: the pipeline's tree, the
// pids known not to be in it, and the (pid, GPU) peaks.
const maxPIDs = 4096

// procKey is one process on one GPU.
type procKey struct{ pid, gpu int }

// procAgg attributes GPU processes to the pipeline's tree and keeps their
// sampled peaks. It belongs to the sampling goroutine, except tree, which it
// writes under Sampler.mu and TreePIDs reads under the same lock.
type procAgg struct {
	tree    map[int]struct{} // every pid seen in the tree
	foreign map[int]struct{} // pids seen on a GPU and not in the tree when it was read
	peaks   map[procKey]uint64
}

func newProcAgg() procAgg {
	return procAgg{
		tree:    make(map[int]struct{}),
		foreign: make(map[int]struct{}),
		peaks:   make(map[procKey]uint64),
	}
}

// addTree adds pids to the tree set, within maxPIDs. The caller holds Sampler.mu.
func (p *procAgg) addTree(pids ...int) {
	for _, pid := range pids {
		if len(p.tree) >= maxPIDs {
			return
		}
		p.tree[pid] = struct{}{}
	}
}

// unknown reports whether a GPU of snap runs a pid that is neither in the
// tree nor known to be outside it: a process the tree has not been read since.
func (p *procAgg) unknown(snap *probes.Snapshot) bool {
	for i := range snap.GPUs {
		for _, pm := range snap.GPUs[i].Processes {
			if _, ok := p.tree[pm.PID]; ok {
				continue
			}
			if _, ok := p.foreign[pm.PID]; !ok && len(p.foreign) < maxPIDs {
				return true
			}
		}
	}
	return false
}

// add folds the processes of one GPU reading. treeRead says the tree was read
// on this tick, so a pid not in it is not the pipeline's.
func (p *procAgg) add(gpu int, procs []probes.ProcessMem, treeRead bool) {
	for _, pm := range procs {
		if _, ok := p.tree[pm.PID]; !ok {
			if treeRead && len(p.foreign) < maxPIDs {
				p.foreign[pm.PID] = struct{}{}
			}
			continue
		}
		k := procKey{pm.PID, gpu}
		old, ok := p.peaks[k]
		if !ok && len(p.peaks) >= maxPIDs {
			continue
		}
		if !ok || pm.Used > old {
			p.peaks[k] = pm.Used
		}
	}
}

// result returns the peaks by pid then GPU: the exact ones, then the sampled
// ones of (pid, GPU) pairs that have no exact peak.
func (p *procAgg) result(exact []result.ProcessPeak) []result.ProcessPeak {
	out := make([]result.ProcessPeak, 0, len(p.peaks)+len(exact))
	replaced := make(map[procKey]bool, len(exact))
	for _, e := range exact {
		e.Exact, e.Source = true, "accounting"
		replaced[procKey{e.PID, e.GPU}] = true
		out = append(out, e)
	}
	for k, peak := range p.peaks {
		if !replaced[k] {
			out = append(out, result.ProcessPeak{PID: k.pid, GPU: k.gpu, PeakBytes: peak, Source: "sampled"})
		}
	}
	slices.SortFunc(out, func(a, b result.ProcessPeak) int {
		return cmp.Or(cmp.Compare(a.PID, b.PID), cmp.Compare(a.GPU, b.GPU))
	})
	return out
}
