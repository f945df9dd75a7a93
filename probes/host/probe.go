// Package host reads the CPU time and resident memory of a pipeline's process
// tree from Linux /proc, in pure Go (no cgo). Which processes make up the tree
// is proctree's answer; this package adds up what they cost.
package host

import (
	"os"

	"github.com/benchctl/benchctl/proctree"
)

// TreeSample is one reading of a process tree.
type TreeSample struct {
	// PIDs lists the tree's live processes, root first, in the order
	// proctree.Tree gives.
	PIDs []int
	// CPUSeconds is the user plus system CPU time (utime+stime) of the tree's
	// processes, in seconds. Zombies of the tree are counted: a zombie keeps its
	// times until its parent reaps it. A process that has been reaped is gone
	// from /proc and its time with it; see ChildCPUSeconds.
	CPUSeconds float64
	// ChildCPUSeconds is the cutime+cstime of the tree's processes: the CPU time
	// of descendants that already exited and were reaped by a process of the
	// tree. CPUSeconds+ChildCPUSeconds is the tree's CPU time including children
	// that are gone, except those reaped outside the tree (orphans re-parented
	// to init or a subreaper, or children of a parent that ignores SIGCHLD).
	ChildCPUSeconds float64
	// RSSBytes is the sum of the resident set sizes of the live processes
	// (VmRSS, the same counter as statm's resident, times the page size).
	// Pages shared between processes are counted once per process, as ps does.
	RSSBytes uint64
}

// Probe reads process trees from /proc. It keeps its buffers between calls so
// that sampling a tree ten times a second allocates little. A Probe is not safe
// for concurrent use; the sampler calls it from one goroutine.
type Probe struct {
	walker   *proctree.Walker
	pageSize uint64
}

// NewProbe returns a probe of this machine's /proc.
func NewProbe() *Probe { return newProbe(proctree.NewWalker()) }

// newProbe returns a probe reading trees through w (tests point it at a
// fixture /proc).
func newProbe(w *proctree.Walker) *Probe {
	return &Probe{walker: w, pageSize: uint64(os.Getpagesize())}
}

// Sample reads the tree of root once (see proctree.Walker.Walk for how the
// tree is found). It returns an error wrapping proctree.ErrNoProcess when root
// does not exist or has exited.
func (p *Probe) Sample(root int) (TreeSample, error) {
	var ts TreeSample
	var ticks, childTicks uint64
	err := p.walker.Walk(root, func(st proctree.Proc) {
		ticks += st.Utime + st.Stime
		childTicks += st.Cutime + st.Cstime
		if st.Alive() {
			ts.PIDs = append(ts.PIDs, st.PID)
			ts.RSSBytes += st.RSSPages * p.pageSize
		}
	})
	if err != nil {
		return TreeSample{}, err
	}
	hz := clockTicks()
	ts.CPUSeconds = float64(ticks) / hz
	ts.ChildCPUSeconds = float64(childTicks) / hz
	return ts, nil
}

// SampleTree reads the tree of root once; see Probe.Sample.
func SampleTree(root int) (TreeSample, error) {
	return NewProbe().Sample(root)
}
