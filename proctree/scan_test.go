package proctree

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestNextScan: the tracker polls every 100 ms while its tree grows and backs
// off, doubling, to once a second while it does not.
func TestNextScan(t *testing.T) {
	tests := []struct {
		name string
		prev time.Duration
		grew bool
		want time.Duration
	}{
		{"grew, from fast", scanFast, true, scanFast},
		{"grew, from slow", scanSlow, true, scanFast},
		{"unchanged, from fast", scanFast, false, 2 * scanFast},
		{"unchanged, doubling", 400 * time.Millisecond, false, 800 * time.Millisecond},
		{"unchanged, capped", 800 * time.Millisecond, false, scanSlow},
		{"unchanged, at the cap", scanSlow, false, scanSlow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextScan(tt.prev, tt.grew); got != tt.want {
				t.Errorf("nextScan(%v, %v) = %v, want %v", tt.prev, tt.grew, got, tt.want)
			}
		})
	}
}

// TestScanReportsGrowth: a scan that finds a process of the tree not known
// before says so; the next scan of the same tree finds nothing new. The
// tracker is built without its polling goroutine, so the test's scans are
// the only ones.
func TestScanReportsGrowth(t *testing.T) {
	root := exec.Command("sh", "-c", "sleep 600 & wait")
	root.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := root.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-root.Process.Pid, syscall.SIGKILL); _ = root.Wait() })
	id, err := identity(root.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	tr := &Tracker{root: id, members: map[int]*Handle{}, done: make(chan struct{})}
	t.Cleanup(tr.Close)
	tr.mu.Lock()
	tr.add(id)
	tr.mu.Unlock()
	waitFor(t, "the background sleep", func() bool {
		n := 0
		_ = NewWalker().Walk(id.PID, func(Proc) { n++ })
		return n >= 2
	})
	tests := []struct {
		name string
		want bool
	}{
		{"first scan: the sleep is new", true},
		{"second scan: nothing new", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tr.scan(); got != tt.want {
				t.Errorf("scan() = %v, want %v", got, tt.want)
			}
		})
	}
}
