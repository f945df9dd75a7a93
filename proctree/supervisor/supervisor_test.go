package supervisor

import (
	"errors"
	"fmt"
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
//
// With BENCHCTL_TEST_PARENT=DIR it plays benchctl killed at once: it starts
// a pipeline under the supervisor and SIGKILLs itself the moment Start
// returns, while the supervisor may not yet have initialized.
//
// As the supervisor with BENCHCTL_TEST_PRESTART=FILE, it first writes to FILE
// what prestarted reports.
func TestMain(m *testing.M) {
	if Requested() {
		if f := os.Getenv("BENCHCTL_TEST_PRESTART"); f != "" {
			pid, errno, tried := prestarted()
			_ = os.WriteFile(f, []byte(fmt.Sprintf("%d %d %t", pid, int(errno), tried)), 0o644)
		}
		Main()
	}
	if dir := os.Getenv("BENCHCTL_TEST_PARENT"); dir != "" {
		killedParent(dir)
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

// killedParent starts a pipeline whose child writes its own pid to
// DIR/child, writes the supervisor's pid to DIR/supervisor, and dies by
// SIGKILL as soon as Start returns.
func killedParent(dir string) {
	exe, _ := os.Executable()
	sh, _ := exec.LookPath("sh")
	child := `echo $$ >"$0.tmp"; mv "$0.tmp" "$0"; exec sleep 60`
	p, err := Start(Options{Exe: exe, Path: sh, Argv: []string{"sh", "-c", `sh -c "$1" "$0" & wait`, dir + "/child", child},
		Env: os.Environ(), Grace: 200 * time.Millisecond})
	if err != nil {
		os.Exit(3)
	}
	_ = os.WriteFile(dir+"/supervisor", []byte(strconv.Itoa(p.Supervisor.PID)), 0o644)
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// TestParentKilledAtStart: benchctl killed right after it started a
// pipeline, before the supervisor's Go code may run (the pipeline is started
// earlier, see prestart_cgo.go): the supervisor lives on, reads the
// lifeline's end and ends the tree before it exits. A parent-death signal
// that killed the supervisor before it handled it would leave the pipeline's
// child alive: the child, once alive, says its pid, and must be gone.
func TestParentKilledAtStart(t *testing.T) {
	for i := range 5 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			dir := t.TempDir()
			exe, _ := os.Executable()
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), "BENCHCTL_TEST_PARENT="+dir)
			if err := cmd.Run(); err == nil || cmd.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the parent: %v, want killed by SIGKILL", err)
			}
			data, err := os.ReadFile(dir + "/supervisor")
			sup, _ := strconv.Atoi(string(data))
			if err != nil || sup <= 0 {
				t.Fatalf("the supervisor's pid %q: %v", data, err)
			}
			waitFor(t, "the supervisor to end the tree and exit", func() bool {
				proctree.ReapZombies() // it is reparented here, a subreaper
				return !proctree.Alive(sup)
			})
			time.Sleep(200 * time.Millisecond) // time for a surviving child to say its pid
			if data, err := os.ReadFile(dir + "/child"); err == nil {
				child, _ := strconv.Atoi(strings.TrimSpace(string(data)))
				if proctree.Alive(child) {
					_ = syscall.Kill(child, syscall.SIGKILL)
					t.Errorf("the pipeline's child, pid %d, outlived the supervisor", child)
				}
			}
		})
	}
}
