// Package host reads the CPU time and resident memory of a pipeline's process
// tree from Linux /proc, in pure Go (no cgo).
//
// A process tree is found by walking the parent links in /proc/<pid>/stat, not
// by process group or session, so a grandchild that called setsid(2) or moved to
// another process group is still found as long as its chain of parents up to the
// root is alive. A process whose parent exited is re-parented by the kernel (to
// init or to the nearest child subreaper) and from then on is no longer found
// under the root: that is the limit of what /proc can say about ancestry.
//
// Every function takes one snapshot of /proc; processes that vanish while it is
// read are skipped silently. Nothing here is cached between calls.
package host

import (
	"errors"
	"fmt"
)

// ErrNoProcess is returned (wrapped, with the pid) when the root of a tree does
// not exist or has exited (a zombie counts as exited).
var ErrNoProcess = errors.New("no such process")

// Tree returns root followed by every live descendant of root: root first, then
// its descendants breadth first, the children of one process by ascending pid.
// Zombies are left out (a zombie has no children: the kernel re-parents them
// when it exits). It returns an error wrapping ErrNoProcess when root is not
// alive.
func Tree(root int) ([]int, error) {
	s, err := NewProbe().Sample(root)
	if err != nil {
		return nil, err
	}
	return s.PIDs, nil
}

// Descendants returns every live descendant of root, without root itself, in
// the order Tree gives: children, then grandchildren, and so on. A descendant is any process whose chain of parent pids, read
// from /proc/<pid>/stat at the time of the call, leads to root; session and
// process group play no part. A process forked while /proc is being read may be
// missed; the next call finds it. It returns an error wrapping ErrNoProcess when
// root is not alive.
func Descendants(root int) ([]int, error) {
	pids, err := Tree(root)
	if err != nil {
		return nil, err
	}
	return pids[1:], nil
}

// Alive reports whether pid exists and is not a zombie (or dead) process.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p := NewProbe()
	st, err := p.readStat(pid)
	return err == nil && st.alive()
}

// SampleTree reads the tree of root once; see Probe.Sample.
func SampleTree(root int) (TreeSample, error) {
	return NewProbe().Sample(root)
}

// noProcess is the error for a root that is missing or has exited.
func noProcess(pid int) error {
	return fmt.Errorf("process %d: %w", pid, ErrNoProcess)
}
