package proctree

import (
	"bytes"
	"cmp"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/benchctl/benchctl/internal/selfcost"
)

// costScan meters the tracker's scans, with selfcost on (BENCHCTL_COST).
var costScan = selfcost.New("pipeline tracker scan (/proc)", nil)

// maxTracked bounds the set of pids remembered per tree.
const maxTracked = 4096

// EnableSubreaper makes this process the parent of any orphaned descendant of
// the processes it starts (Linux PR_SET_CHILD_SUBREAPER), so a daemonised
// worker is still found, reported and ended after its pipeline exits. Call it
// once at start-up; it is a no-op where unsupported.
func EnableSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// Tracker polls a process tree so that processes which leave the process group
// (setsid) are still known when the tree must be ended. It knows each process
// by its Identity and holds a Handle on it, so a process that ended and whose
// pid another process took is never signalled; such refusals are kept for the
// report (Reused). Its methods are safe for concurrent use.
type Tracker struct {
	root    Identity
	mu      sync.Mutex
	members map[int]*Handle // by pid
	reused  []Identity
	done    chan struct{}
	once    sync.Once
}

// Track starts polling the tree of root, a process this one started and has
// not reaped, until Stop: every 100 ms while the tree grows, less often
// (nextScan) while it does not. Close releases what it holds.
func Track(root int) *Tracker {
	id, _ := identity(root)
	return TrackIdentity(id)
}

// TrackIdentity is Track for a root known by its identity: one that another
// process started (and may have reaped already).
func TrackIdentity(id Identity) *Tracker {
	t := &Tracker{root: id, members: map[int]*Handle{}, done: make(chan struct{})}
	t.mu.Lock()
	t.add(id)
	t.mu.Unlock()
	go t.loop()
	return t
}

// identity reads the identity of pid, a zombie included.
func identity(pid int) (Identity, error) {
	p, err := NewWalker().Stat(pid)
	if err != nil {
		return Identity{PID: pid}, err
	}
	return Identity{PID: pid, Start: p.Start}, nil
}

// The tracker's polling period: scanFast while scans find new processes,
// doubling up to scanSlow while they find none.
const (
	scanFast = 100 * time.Millisecond
	scanSlow = time.Second
)

// nextScan is the wait before the next scan, after one that waited prev and
// found new processes in the tree (grew) or none. A tree that stopped growing
// costs a walk of /proc a second instead of ten (its share of benchctl's CPU
// while monitoring, BENCHMARKS.md section 2); what it would miss is little,
// since End, Members and Leftovers scan again before they act, and an orphan
// reparented to this process or its supervisor is found as its descendant.
func nextScan(prev time.Duration, grew bool) time.Duration {
	if grew {
		return scanFast
	}
	return min(2*prev, scanSlow)
}

func (t *Tracker) loop() {
	wait := scanFast
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		wait = nextScan(wait, t.scan())
		timer.Reset(wait)
		select {
		case <-t.done:
			return
		case <-timer.C:
		}
	}
}

// scan adds the live processes of the root's tree, and reports whether it
// found one not known before. Once the root's pid names another process, the
// tree is not walked again: it would be that process's.
func (t *Tracker) scan() (grew bool) {
	sp := costScan.Begin()
	defer sp.End()
	var found []Identity
	isRoot, ours := true, false
	err := NewWalker().Walk(t.root.PID, func(p Proc) {
		if isRoot {
			isRoot, ours = false, p.Start == t.root.Start
		}
		if ours && p.Alive() {
			found = append(found, Identity{PID: p.PID, Start: p.Start})
		}
	})
	if err != nil || !ours {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range found {
		grew = t.add(id) || grew
	}
	return grew
}

// add takes a handle on id, replacing one on an earlier process with the same
// pid (which has ended), and reports whether id was not known before. The
// caller holds t.mu.
func (t *Tracker) add(id Identity) (added bool) {
	if h := t.members[id.PID]; h != nil {
		if h.id == id {
			return false
		}
		h.Close()
		delete(t.members, id.PID)
	}
	if len(t.members) >= maxTracked {
		return false
	}
	if h, err := Open(id); err == nil {
		t.members[id.PID] = h
		return true
	}
	return false
}

// Stop ends the polling. The processes seen so far stay known.
func (t *Tracker) Stop() { t.once.Do(func() { close(t.done) }) }

// Close stops the polling and releases the handles.
func (t *Tracker) Close() {
	t.Stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	for pid, h := range t.members {
		h.Close()
		delete(t.members, pid)
	}
}

// Root returns the identity of the tree's root.
func (t *Tracker) Root() Identity { return t.root }

// Members lists every process seen in the tree so far, after one more look,
// by pid.
func (t *Tracker) Members() []Identity {
	t.scan()
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Identity, 0, len(t.members))
	for _, h := range t.members {
		out = append(out, h.id)
	}
	slices.SortFunc(out, func(a, b Identity) int { return cmp.Compare(a.PID, b.PID) })
	return out
}

// Reused lists the processes of the tree that were to be signalled but had
// ended, their pid taken by another process: that process was left alone.
func (t *Tracker) Reused() []Identity {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.reused)
}

func (t *Tracker) noteReused(ids ...Identity) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range ids {
		if !slices.Contains(t.reused, id) {
			t.reused = append(t.reused, id)
		}
	}
}

// End ends a running tree whose root leads its own process group: SIGTERM to
// the group and every known member of the tree, then SIGKILL to whatever is
// left after the grace period. exited delivers the root's wait result, which
// End returns.
func (t *Tracker) End(grace time.Duration, exited <-chan error) error {
	t.signalTree(syscall.SIGTERM)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case err := <-exited:
		return err
	case <-timer.C:
	}
	t.signalTree(syscall.SIGKILL)
	return <-exited
}

// signalTree signals the root's process group, while that group is still the
// tree's, and every member by its handle.
func (t *Tracker) signalTree(sig syscall.Signal) {
	t.scan()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.groupHeld() {
		_ = syscall.Kill(-t.root.PID, sig)
	}
	for pid, h := range t.members {
		if pid <= 1 || pid == os.Getpid() {
			continue
		}
		if err := h.Signal(sig); errors.Is(err, ErrReused) {
			t.reused = append(t.reused, h.id)
			h.Close()
			delete(t.members, pid)
		}
	}
}

// groupHeld reports whether a member of the tree still leads or belongs to
// the process group numbered as the root's pid. While one does, the kernel
// cannot give that number to another group. The caller holds t.mu.
func (t *Tracker) groupHeld() bool {
	w := NewWalker()
	for _, h := range t.members {
		p, err := w.Stat(h.id.PID)
		if err == nil && p.Start == h.id.Start && p.Pgrp == t.root.PID {
			return true
		}
	}
	return false
}

// Leftovers lists the processes of the tree still alive once its root has
// ended: the tracked tree, and this process's own descendants that were not
// in before (orphans reparented to us as subreaper).
func (t *Tracker) Leftovers(before map[Identity]bool) []Identity {
	seen := map[Identity]bool{}
	var out []Identity
	add := func(id Identity) {
		if id.PID <= 1 || id.PID == os.Getpid() || seen[id] || !id.Alive() {
			return
		}
		seen[id] = true
		out = append(out, id)
	}
	for _, id := range t.Members() {
		add(id)
	}
	for id := range DescendantsOfSelf() {
		if !before[id] {
			add(id)
		}
	}
	return out
}

// Kill ends processes as Kill does and keeps those it left alone because
// their pid had been taken by another process, for Reused.
func (t *Tracker) Kill(ids []Identity, grace time.Duration) {
	t.noteReused(Kill(ids, grace)...)
}

// Kill ends processes: SIGTERM, then SIGKILL to those alive after grace. It
// returns once they are gone, or after a short wait for the SIGKILLed. A
// process that has ended and whose pid another process took is not
// signalled: it is returned in reused.
func Kill(ids []Identity, grace time.Duration) (reused []Identity) {
	var hs []*Handle
	for _, id := range ids {
		h, err := Open(id)
		if errors.Is(err, ErrReused) {
			reused = append(reused, id)
		}
		if err == nil {
			hs = append(hs, h)
		}
	}
	defer func() {
		for _, h := range hs {
			h.Close()
		}
	}()
	signal := func(sig syscall.Signal) {
		for _, h := range hs {
			if err := h.Signal(sig); errors.Is(err, ErrReused) && !slices.Contains(reused, h.id) {
				reused = append(reused, h.id)
			}
		}
	}
	signal(syscall.SIGTERM)
	if waitGone(ids, time.Now().Add(grace), 20*time.Millisecond) {
		return reused
	}
	signal(syscall.SIGKILL)
	waitGone(ids, time.Now().Add(500*time.Millisecond), 10*time.Millisecond)
	return reused
}

// waitGone reaps zombies and polls until none of ids is alive or the deadline
// passes; it reports whether they are all gone.
func waitGone(ids []Identity, deadline time.Time, poll time.Duration) bool {
	for {
		ReapZombies()
		alive := false
		for _, id := range ids {
			alive = alive || id.Alive()
		}
		if !alive {
			return true
		}
		if !time.Now().Before(deadline) {
			return false
		}
		time.Sleep(poll)
	}
}

// DescendantsOfSelf lists this process's live descendants.
func DescendantsOfSelf() map[Identity]bool {
	out := map[Identity]bool{}
	self := os.Getpid()
	_ = NewWalker().Walk(self, func(p Proc) {
		if p.PID != self && p.Alive() {
			out[Identity{PID: p.PID, Start: p.Start}] = true
		}
	})
	return out
}

// ReapZombies collects the exit status of orphans reparented to this process
// that have exited, so they do not linger as zombies. It waits only on
// children that /proc shows as zombies, never on a live one that os/exec is
// waiting for.
func ReapZombies() {
	self := strconv.Itoa(os.Getpid())
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command name, which may hold spaces and parentheses.
		i := bytes.LastIndexByte(data, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(data[i+1:]))
		if len(f) > 1 && f[0] == "Z" && f[1] == self {
			var ws unix.WaitStatus
			_, _ = unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		}
	}
}
