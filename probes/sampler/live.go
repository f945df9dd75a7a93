package sampler

import (
	"maps"
	"slices"

	"github.com/benchctl/benchctl/probes"
)

// SetRoot names the pipeline's pid once it has started. From the next tick
// its process tree is read every ceil(100 ms / Interval) ticks (every 10 at the
// default interval), and at once when a GPU shows a pid the tree has not been
// read since, so short-lived workers are still attributed.
func (s *Sampler) SetRoot(pid int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.root, s.rootChanged = pid, true
}

// Stage makes the samples from now on belong to stage name; "" ends the
// stage. Only the first 64 distinct names are kept; a later new name counts
// as no stage. Every reading, a tick's or the driver's, goes to the stage
// current at its own time; StageAt starts a stage at an earlier time.
func (s *Sampler) Stage(name string) { s.StageAt(name, s.clock.Now()) }

// stageID returns the id of stage name, giving a new name the next id; -1
// for "" and for a new name past maxStages. The caller holds s.mu.
func (s *Sampler) stageID(name string) int {
	if name == "" {
		return -1
	}
	id, ok := s.stageIDs[name]
	if !ok {
		if len(s.stageNames) >= maxStages {
			return -1
		}
		id = len(s.stageNames)
		s.stageNames = append(s.stageNames, name)
		s.stageIDs[name] = id
	}
	return id
}

// TreePIDs returns every pid seen in the pipeline's tree so far (the root
// included, at most 4096), in ascending order.
func (s *Sampler) TreePIDs() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := maps.Clone(s.procs.tree)
	if s.root > 0 {
		set[s.root] = struct{}{}
	}
	return slices.Sorted(maps.Keys(set))
}

// Latest returns a copy of the last snapshot read, for a live display.
func (s *Sampler) Latest() probes.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var snap probes.Snapshot
	copySnapshot(&snap, &s.latest)
	return snap
}

// copySnapshot deep-copies src into dst, reusing dst's slices: the sampler
// keeps its own copy of the last snapshot, so a backend may reuse its buffers
// and Latest may be called while the next sample is read.
func copySnapshot(dst, src *probes.Snapshot) {
	dst.Time = src.Time
	dst.Errors = append(dst.Errors[:0], src.Errors...)
	gpus := dst.GPUs
	if cap(gpus) < len(src.GPUs) {
		gpus = make([]probes.GPUSample, len(src.GPUs))
	}
	gpus = gpus[:len(src.GPUs)]
	for i := range src.GPUs {
		procs := gpus[i].Processes[:0]
		gpus[i] = src.GPUs[i]
		gpus[i].Processes = append(procs, src.GPUs[i].Processes...)
	}
	dst.GPUs = gpus
}
