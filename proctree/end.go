package proctree

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

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
// (setsid) are still known when the tree must be ended. Its methods are safe
// for concurrent use.
type Tracker struct {
	root int
	mu   sync.Mutex
	pids map[int]bool
	done chan struct{}
	once sync.Once
}

// Track starts polling the tree of root every 100 ms until Stop.
func Track(root int) *Tracker {
	t := &Tracker{root: root, pids: map[int]bool{root: true}, done: make(chan struct{})}
	go t.loop()
	return t
}

func (t *Tracker) loop() {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		t.scan()
		select {
		case <-t.done:
			return
		case <-tick.C:
		}
	}
}

func (t *Tracker) scan() {
	pids, err := Tree(t.root)
	if err != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range pids {
		if len(t.pids) >= maxTracked {
			break
		}
		t.pids[p] = true
	}
}

// Stop ends the polling. The pids seen so far stay known.
func (t *Tracker) Stop() { t.once.Do(func() { close(t.done) }) }

// PIDs lists every process seen in the tree so far, after one more look.
func (t *Tracker) PIDs() []int {
	t.scan()
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]int, 0, len(t.pids))
	for p := range t.pids {
		out = append(out, p)
	}
	return out
}

// End ends a running tree whose root leads its own process group: SIGTERM to
// the group and every known member of the tree, then SIGKILL to whatever is
// left after the grace period. exited delivers the root's wait result, which
// End returns.
func (t *Tracker) End(grace time.Duration, exited <-chan error) error {
	signalTree(t.root, t.PIDs(), syscall.SIGTERM)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case err := <-exited:
		return err
	case <-timer.C:
	}
	signalTree(t.root, t.PIDs(), syscall.SIGKILL)
	return <-exited
}

func signalTree(pgid int, pids []int, sig syscall.Signal) {
	_ = syscall.Kill(-pgid, sig)
	for _, p := range pids {
		if p > 1 && p != os.Getpid() {
			_ = syscall.Kill(p, sig)
		}
	}
}

// Leftovers lists the processes of the tree still alive once its root has
// ended: the tracked tree, and this process's own descendants that were not
// in before (orphans reparented to us as subreaper).
func (t *Tracker) Leftovers(before map[int]bool) []int {
	seen := map[int]bool{}
	var out []int
	add := func(p int) {
		if p <= 1 || p == os.Getpid() || seen[p] || !Alive(p) {
			return
		}
		seen[p] = true
		out = append(out, p)
	}
	for _, p := range t.PIDs() {
		add(p)
	}
	for p := range DescendantsOfSelf() {
		if !before[p] {
			add(p)
		}
	}
	return out
}

// Kill ends processes: SIGTERM, then SIGKILL to those alive after grace. It
// returns once they are gone, or after a short wait for the SIGKILLed.
func Kill(pids []int, grace time.Duration) {
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGTERM)
	}
	if waitGone(pids, time.Now().Add(grace), 20*time.Millisecond) {
		return
	}
	for _, p := range pids {
		if Alive(p) {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
	waitGone(pids, time.Now().Add(500*time.Millisecond), 10*time.Millisecond)
}

// waitGone reaps zombies and polls until none of pids is alive or the deadline
// passes; it reports whether they are all gone.
func waitGone(pids []int, deadline time.Time, poll time.Duration) bool {
	for {
		ReapZombies()
		alive := false
		for _, p := range pids {
			alive = alive || Alive(p)
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
func DescendantsOfSelf() map[int]bool {
	pids, _ := Tree(os.Getpid())
	out := make(map[int]bool, len(pids))
	for _, p := range pids {
		if p != os.Getpid() {
			out[p] = true
		}
	}
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
