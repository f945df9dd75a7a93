package proctree

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// startTree starts a shell whose tree is
//
//	sh (root)
//	├─sh inner.sh
//	│ └─sh -c (after setsid: a new session) exec'd into sleep 30
//	└─sleep 30
//
// and returns it once every process has printed its pid, with those pids by
// name ("inner", "sleep", "setsid"). The tree is killed, pid by pid, when the
// test ends.
func startTree(t *testing.T) (*exec.Cmd, map[string]int) {
	t.Helper()
	for _, bin := range []string{"sh", "sleep", "setsid"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not found: %v", bin, err)
		}
	}
	inner := filepath.Join(t.TempDir(), "inner.sh")
	// The background job of a non-interactive shell is not a process group
	// leader, so setsid(1) calls setsid(2) without forking and $$ is the pid
	// of the process in the new session.
	script := "setsid sh -c 'echo setsid $$; exec sleep 30' &\nwait\n"
	if err := os.WriteFile(inner, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", `sh "$0" & echo inner $!; sleep 30 & echo sleep $!; wait`, inner)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	var pids []int
	t.Cleanup(func() {
		if found, err := Descendants(cmd.Process.Pid); err == nil {
			pids = append(pids, found...)
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// The lines come in any order: the shells run concurrently.
	byName := make(map[string]int)
	sc := bufio.NewScanner(out)
	for len(pids) < 3 && sc.Scan() {
		name, num, _ := strings.Cut(sc.Text(), " ")
		pid, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("pid line %q: %v", sc.Text(), err)
		}
		pids = append(pids, pid)
		byName[name] = pid
	}
	if len(byName) < 3 {
		t.Fatalf("got pids %v before the output ended (%v)", byName, sc.Err())
	}
	return cmd, byName
}

func TestTreeLive(t *testing.T) {
	cmd, pids := startTree(t)
	root := cmd.Process.Pid
	setsidPID := pids["setsid"]

	w := NewWalker()
	rootStat, err1 := w.Stat(root)
	gcStat, err2 := w.Stat(setsidPID)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if rootStat.Session == gcStat.Session {
		t.Fatalf("grandchild %d shares session %d with root: setsid did not happen", setsidPID, gcStat.Session)
	}

	tree, err := Tree(root)
	if err != nil {
		t.Fatalf("Tree: %v", err)
	}
	if tree[0] != root {
		t.Errorf("Tree()[0] = %d, want root %d", tree[0], root)
	}
	for _, name := range []string{"inner", "sleep", "setsid"} {
		if pid := pids[name]; !slices.Contains(tree, pid) {
			t.Errorf("Tree(%d) = %v, missing %s %d", root, tree, name, pid)
		}
	}
	desc, err := Descendants(root)
	if err != nil {
		t.Fatalf("Descendants: %v", err)
	}
	if slices.Contains(desc, root) || len(desc) != len(tree)-1 {
		t.Errorf("Descendants = %v, want Tree %v without the root", desc, tree)
	}

	for _, pid := range tree {
		if !Alive(pid) {
			t.Errorf("Alive(%d) = false for a process of the tree", pid)
		}
	}
}

// waitNoReap blocks until child pid has exited, leaving it a zombie: waitid
// with WNOWAIT, as os.Process does before reaping.
func waitNoReap(t *testing.T, pid int) {
	t.Helper()
	const (
		pPID    = 1
		wExited = 0x4
		wNoWait = 0x1000000
	)
	var siginfo [128]byte
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid),
			uintptr(unsafe.Pointer(&siginfo[0])), wExited|wNoWait, 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			t.Fatalf("waitid(%d): %v", pid, errno)
		}
		return
	}
}

func TestAliveZombie(t *testing.T) {
	cmd := exec.Command("sh", "-c", "exit 0")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sh: %v", err)
	}
	pid := cmd.Process.Pid
	waitNoReap(t, pid)

	tests := []struct {
		name string
		pid  int
		want bool
	}{
		{"self", os.Getpid(), true},
		{"zombie child", pid, false},
		{"zero", 0, false},
		{"negative", -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Alive(tt.pid); got != tt.want {
				t.Errorf("Alive(%d) = %v, want %v", tt.pid, got, tt.want)
			}
		})
	}
	if _, err := Tree(pid); !errors.Is(err, ErrNoProcess) {
		t.Errorf("Tree(zombie): err = %v, want ErrNoProcess", err)
	}

	if err := cmd.Wait(); err != nil {
		t.Fatalf("wait: %v", err)
	}
	if Alive(pid) {
		t.Errorf("Alive(%d) = true after the child was reaped", pid)
	}
}
