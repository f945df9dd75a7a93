package pipeline

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/benchctl/benchctl/probes/host"
)

// maxTracked bounds the set of pids remembered per run.
const maxTracked = 4096

// EnableSubreaper makes benchctl the parent of any orphaned descendant of the
// pipelines it starts (Linux PR_SET_CHILD_SUBREAPER), so a daemonised worker is
// still found, reported and ended after the pipeline exits. Call it once at
// start-up; it is a no-op where unsupported.
func EnableSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// tracker polls the pipeline's process tree so that processes which leave the
// process group (setsid) are still known when the tree must be ended.
type tracker struct {
	root int
	mu   sync.Mutex
	pids map[int]bool
	done chan struct{}
	once sync.Once
}

func newTracker(root int) *tracker {
	return &tracker{root: root, pids: map[int]bool{root: true}, done: make(chan struct{})}
}

func (t *tracker) loop() {
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

func (t *tracker) scan() {
	pids, err := host.Tree(t.root)
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

func (t *tracker) stop() { t.once.Do(func() { close(t.done) }) }

func (t *tracker) all() []int {
	t.scan()
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]int, 0, len(t.pids))
	for p := range t.pids {
		out = append(out, p)
	}
	return out
}

// endTree ends a running pipeline: SIGTERM to its process group and every known
// member of its tree, then SIGKILL to whatever is left after the grace period.
// It returns the main process's wait result.
func endTree(pid int, t *tracker, grace time.Duration, exited <-chan error) error {
	signalTree(pid, t.all(), syscall.SIGTERM)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case err := <-exited:
		return err
	case <-timer.C:
	}
	signalTree(pid, t.all(), syscall.SIGKILL)
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

// leftovers lists the processes of the pipeline still alive once its main
// process has ended: the tracked tree, and benchctl's own descendants that were
// not there before the run (orphans reparented to benchctl as subreaper).
func leftovers(t *tracker, before map[int]bool) []int {
	seen := map[int]bool{}
	var out []int
	add := func(p int) {
		if p <= 1 || p == os.Getpid() || seen[p] || !host.Alive(p) {
			return
		}
		seen[p] = true
		out = append(out, p)
	}
	for _, p := range t.all() {
		add(p)
	}
	for p := range descendantsOfSelf() {
		if !before[p] {
			add(p)
		}
	}
	return out
}

// killPIDs ends processes: SIGTERM, then SIGKILL to those alive after grace.
func killPIDs(pids []int, grace time.Duration) {
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGTERM)
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		reapZombies()
		alive := false
		for _, p := range pids {
			if host.Alive(p) {
				alive = true
				break
			}
		}
		if !alive {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, p := range pids {
		if host.Alive(p) {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
	for i := 0; i < 50; i++ {
		reapZombies()
		alive := false
		for _, p := range pids {
			alive = alive || host.Alive(p)
		}
		if !alive {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// descendantsOfSelf lists benchctl's live descendants.
func descendantsOfSelf() map[int]bool {
	pids, _ := host.Tree(os.Getpid())
	out := make(map[int]bool, len(pids))
	for _, p := range pids {
		if p != os.Getpid() {
			out[p] = true
		}
	}
	return out
}

// reapZombies collects the exit status of orphans reparented to benchctl that
// have exited, so they do not linger as zombies. It waits only on children that
// /proc shows as zombies, never on a live one that os/exec is waiting for.
func reapZombies() {
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
