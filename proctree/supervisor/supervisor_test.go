package supervisor

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchctl/benchctl/proctree"
)

// The test binary serves as the supervisor, as benchctl does.
func TestMain(m *testing.M) {
	if Requested() {
		Main()
	}
	_ = proctree.EnableSubreaper()
	os.Exit(m.Run())
}

func start(t *testing.T, script string) (*Process, *os.File) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := exec.LookPath("sh")
	p, err := Start(Options{Exe: exe, Path: sh, Argv: []string{"sh", "-c", script}, Env: os.Environ(),
		Stdout: w, Stderr: w, Grace: 200 * time.Millisecond})
	w.Close()
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	return p, r
}

// TestExitStatus: the pipeline's own wait status comes back through the
// supervisor: an exit code, or the signal that killed it.
func TestExitStatus(t *testing.T) {
	tests := []struct {
		name   string
		script string
		check  func(syscall.WaitStatus) bool
	}{
		{"exit 0", "exit 0", func(ws syscall.WaitStatus) bool { return ws.Exited() && ws.ExitStatus() == 0 }},
		{"exit 4", "exit 4", func(ws syscall.WaitStatus) bool { return ws.Exited() && ws.ExitStatus() == 4 }},
		{"killed", "kill -SEGV $$", func(ws syscall.WaitStatus) bool { return ws.Signaled() && ws.Signal() == syscall.SIGSEGV }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, out := start(t, tt.script)
			defer out.Close()
			ws, err := p.Wait()
			p.Release(5 * time.Second)
			if err != nil || !tt.check(ws) {
				t.Errorf("wait status %v (%#x), err %v", ws, uint32(ws), err)
			}
		})
	}
}

// TestNotStartable: a pipeline that cannot be executed is an error that says
// why, as from os/exec.
func TestNotStartable(t *testing.T) {
	exe, _ := os.Executable()
	_, err := Start(Options{Exe: exe, Path: "/nonexistent/pipeline", Argv: []string{"pipeline"}, Env: os.Environ(), Grace: time.Second})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want one wrapping ErrNotExist", err)
	}
}

// TestLifelineEndsTree: when benchctl goes (the lifeline closes), the
// supervisor ends every descendant, those in another session and those that
// ignore SIGTERM included, and its output pipe reaches end of file.
func TestLifelineEndsTree(t *testing.T) {
	p, out := start(t, `trap '' TERM; setsid sleep 60 & (trap '' TERM; sleep 60) & sleep 60 & echo $!; wait`)
	defer out.Close()
	var pids []int
	waitFor(t, "the tree to start", func() bool {
		kids, _ := proctree.Descendants(p.Supervisor.PID)
		pids = kids
		return len(kids) >= 4
	})
	started := time.Now()
	p.Release(10 * time.Second)
	for _, pid := range pids {
		if proctree.Alive(pid) {
			t.Errorf("pid %d of the tree survived the supervisor", pid)
		}
	}
	if d := time.Since(started); d > 5*time.Second {
		t.Errorf("ending the tree took %s", d)
	}
	data := make([]byte, 64)
	n, _ := out.Read(data)
	if _, err := strconv.Atoi(strings.TrimSpace(string(data[:n]))); err != nil {
		t.Errorf("the pipeline's output %q, want its child's pid", data[:n])
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestSupervisorKilled: when the supervisor itself is killed (with benchctl,
// or alone), the pipeline's own process ends with it, by its parent-death
// signal, even when it ignores SIGTERM; what the pipeline started is left
// (nothing of benchctl is left to end it), and is ended here.
func TestSupervisorKilled(t *testing.T) {
	tests := []struct{ name, script string }{
		{"a pipeline that waits", `sleep 60 & echo $!; wait`},
		{"a pipeline that ignores SIGTERM", `trap '' TERM HUP INT; sleep 60 & echo $!; wait`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, out := start(t, tt.script)
			defer out.Close()
			data := make([]byte, 64)
			n, _ := out.Read(data)
			child, err := strconv.Atoi(strings.TrimSpace(string(data[:n])))
			if err != nil {
				t.Fatalf("the pipeline's output %q, want its child's pid", data[:n])
			}
			t.Cleanup(func() { _ = syscall.Kill(child, syscall.SIGKILL) })
			if err := syscall.Kill(p.Supervisor.PID, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the pipeline to end with its supervisor", func() bool { return !proctree.Alive(p.Pipeline.PID) })
			if _, err := p.Wait(); !errors.Is(err, ErrLost) {
				t.Errorf("Wait after the supervisor was killed: %v, want ErrLost", err)
			}
			p.Release(time.Second)
		})
	}
}
