// Package proctree finds and ends the process tree of a pipeline, from Linux
// /proc, in pure Go (no cgo). The pipeline runner uses it to end a tree and
// find what outlived it; the host probe uses its walk to add up the tree's CPU
// time and memory.
//
// A process tree is found by walking parent links (or the kernel's children
// lists), not by process group or session, so a grandchild that called
// setsid(2) or moved to another process group is still found as long as its
// chain of parents up to the root is alive. A process whose parent exited is
// re-parented by the kernel (to init or to the nearest child subreaper) and
// from then on is no longer found under the root: that is the limit of what
// /proc can say about ancestry.
//
// Every walk takes one snapshot of /proc; processes that vanish while it is
// read are skipped silently. Nothing is cached between calls.
package proctree

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
	var pids []int
	err := NewWalker().Walk(root, func(p Proc) {
		if p.Alive() {
			pids = append(pids, p.PID)
		}
	})
	if err != nil {
		return nil, err
	}
	return pids, nil
}

// Descendants returns every live descendant of root, without root itself, in
// the order Tree gives: children, then grandchildren, and so on. A descendant
// is any process whose chain of parent pids, read from /proc/<pid>/stat at the
// time of the call, leads to root; session and process group play no part. A
// process forked while /proc is being read may be missed; the next call finds
// it. It returns an error wrapping ErrNoProcess when root is not alive.
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
	p, err := NewWalker().Stat(pid)
	return err == nil && p.Alive()
}

// noProcess is the error for a root that is missing or has exited.
func noProcess(pid int) error {
	return fmt.Errorf("process %d: %w", pid, ErrNoProcess)
}
