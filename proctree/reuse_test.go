package proctree

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// inNamespace is set in the environment of the test binary re-run inside a
// fresh PID namespace.
const inNamespace = "PROCTREE_TEST_IN_PID_NAMESPACE"

// runInPIDNamespace re-runs the calling test in a new PID namespace with its
// own /proc (unshare --pid --fork --mount-proc), where the test can choose
// the next pid through /proc/sys/kernel/ns_last_pid and so make the kernel
// reuse one at once. It returns true in the re-run child, which then does the
// test; in the parent it waits for the child and fails the test if it failed.
func runInPIDNamespace(t *testing.T) bool {
	t.Helper()
	if os.Getenv(inNamespace) != "" {
		return true
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: unshare --pid and writing ns_last_pid are privileged")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("needs unshare(1) (util-linux)")
	}
	cmd := exec.Command(unshare, "--pid", "--fork", "--mount-proc", os.Args[0],
		"-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), inNamespace+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(string(out), "Operation not permitted") {
		t.Skipf("no PID namespace here: %s", strings.TrimSpace(string(out)))
	}
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("in a PID namespace: %v\n%s", err, out)
	}
	t.Logf("in a PID namespace:\n%s", out)
	return false
}

// startWithPID starts argv as a process of pid want, by setting the
// namespace's last pid to want-1 first.
func startWithPID(t *testing.T, want int, argv ...string) *exec.Cmd {
	t.Helper()
	if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(want-1)), 0o644); err != nil {
		t.Fatalf("set ns_last_pid: %v", err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if cmd.Process.Pid != want {
		t.Fatalf("started pid %d, want the reused %d", cmd.Process.Pid, want)
	}
	return cmd
}

// TestPIDReuse: a tracked child of the tree ends and an unrelated process
// gets its pid. Ending the tree (at a timeout or an interrupt) and ending its
// leftovers must leave that process alone and say that the pid was reused,
// with pidfds and with the start-time check that stands in for them on
// kernels without.
func TestPIDReuse(t *testing.T) {
	if !runInPIDNamespace(t) {
		return
	}
	tests := []struct {
		name   string
		pidfd  bool
		ending string // "end": Tracker.End; "leftovers": Leftovers then Kill
	}{
		{"end with pidfds", true, "end"},
		{"end by start time", false, "end"},
		{"leftovers with pidfds", true, "leftovers"},
		{"leftovers by start time", false, "leftovers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.pidfd {
				defer func(f func(int, int) (int, error)) { pidfdOpen = f }(pidfdOpen)
				pidfdOpen = func(int, int) (int, error) { return -1, syscall.ENOSYS }
			}
			root, tracker, child := treeWithChild(t)
			defer tracker.Close()
			// The child ends; the root's shell reaps it and execs, forking nothing.
			if err := syscall.Kill(child, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the child to be reaped", func() bool {
				_, err := os.Stat(fmt.Sprintf("/proc/%d", child))
				return err != nil
			})
			stranger := startWithPID(t, child, "sleep", "600")
			switch tt.ending {
			case "end":
				exited := make(chan error, 1)
				go func() { exited <- root.Wait() }()
				if err := tracker.End(2*time.Second, exited); err == nil {
					t.Errorf("root exited cleanly, want ended by a signal")
				}
			case "leftovers":
				before := DescendantsOfSelf() // the stranger is ours, but no leftover
				_ = root.Process.Kill()
				_ = root.Wait()
				left := tracker.Leftovers(before)
				for _, id := range left {
					if id.PID == child {
						t.Errorf("leftovers list the reused pid %d: %v", child, left)
					}
				}
				// A list made before the pid was reused must not reach it either.
				tracker.Kill([]Identity{tracked(t, tracker, child)}, time.Second)
			}
			if !Alive(stranger.Process.Pid) {
				t.Fatalf("the unrelated process that took pid %d was signalled", child)
			}
			got := tracker.Reused()
			if !slices.ContainsFunc(got, func(id Identity) bool { return id.PID == child }) {
				t.Errorf("Reused() = %v, want pid %d reported", got, child)
			}
		})
	}
}

// treeWithChild starts `sh -c 'sleep 600 & wait; exec sleep 600'` and waits
// until the tracker knows the background sleep; it returns the root, the
// tracker (which also holds the child's identity) and the child's pid.
func treeWithChild(t *testing.T) (*exec.Cmd, *Tracker, int) {
	t.Helper()
	root := exec.Command("sh", "-c", "sleep 600 & wait; exec sleep 600")
	root.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := root.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-root.Process.Pid, syscall.SIGKILL) })
	tracker := Track(root.Process.Pid)
	child := 0
	waitFor(t, "the tracker to see the child", func() bool {
		for _, id := range tracker.Members() {
			if id.PID != root.Process.Pid {
				child = id.PID
			}
		}
		return child != 0
	})
	return root, tracker, child
}

// tracked returns the identity under which the tracker knows pid.
func tracked(t *testing.T, tr *Tracker, pid int) Identity {
	t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	h := tr.members[pid]
	if h == nil {
		t.Fatalf("pid %d not tracked", pid)
	}
	return h.id
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHandleRefusesReusedPID: a handle opened on an identity whose pid now
// names another process is refused, with and without pidfds.
func TestHandleRefusesReusedPID(t *testing.T) {
	self, err := Identify(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   Identity
		want error
	}{
		{"this process", self, nil},
		{"same pid, other start", Identity{PID: self.PID, Start: self.Start + 1}, ErrReused},
		{"no such pid", Identity{PID: 1 << 30}, ErrNoProcess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Open(tt.id)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Open(%v) = %v, want %v", tt.id, err, tt.want)
			}
			if err == nil {
				defer h.Close()
				if err := h.Signal(0); err != nil {
					t.Errorf("signal 0 to ourselves: %v", err)
				}
			}
		})
	}
}
