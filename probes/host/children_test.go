package host

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
	fast := NewProbe()
	if _, ok, _ := fast.walkChildren(os.Getpid()); !ok {
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
	slow := NewProbe()
	slow.fullScan = true
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, errA := fast.Sample(cmd.Process.Pid)
		b, errB := slow.Sample(cmd.Process.Pid)
		if errA != nil || errB != nil {
			t.Fatalf("fast: %v, full scan: %v", errA, errB)
		}
		if len(a.PIDs) == 4 && slices.Equal(a.PIDs, b.PIDs) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("children walk %v, full scan %v; want the same 4 processes", a.PIDs, b.PIDs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
