package proctree

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// The walk through the kernel's children lists finds the same tree as the full
// scan of /proc, setsid grandchildren included.
func TestChildrenWalkMatchesFullScan(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("no /proc here")
	}
	fast := NewWalker()
	if ok, _ := fast.walkChildren(os.Getpid(), func(Proc) {}); !ok {
		t.Skip("this kernel has no /proc/PID/task/TID/children")
	}
	cmd := exec.Command("sh", "-c", "sleep 30 & setsid sleep 30 & sleep 30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pids, _ := Tree(cmd.Process.Pid)
		for _, p := range pids {
			if p != cmd.Process.Pid {
				if pr, err := os.FindProcess(p); err == nil {
					pr.Kill()
				}
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
	})
	slow := NewWalker()
	slow.fullScan = true
	live := func(w *Walker) ([]int, error) {
		var pids []int
		err := w.Walk(cmd.Process.Pid, func(p Proc) {
			if p.Alive() {
				pids = append(pids, p.PID)
			}
		})
		return pids, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, errA := live(fast)
		b, errB := live(slow)
		if errA != nil || errB != nil {
			t.Fatalf("fast: %v, full scan: %v", errA, errB)
		}
		if len(a) == 4 && slices.Equal(a, b) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("children walk %v, full scan %v; want the same 4 processes", a, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
