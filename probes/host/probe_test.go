package host

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/benchctl/benchctl/proctree"
)

// fakeProc is one process of a fixture /proc.
type fakeProc struct {
	pid, ppid, session int
	comm               string
	state              byte
	utime, stime       int
	cutime, cstime     int
	rss                int
}

// writeProc writes a fixture /proc holding procs, plus entries a real /proc
// has that are not processes, and one process with a malformed stat.
func writeProc(t *testing.T, procs []fakeProc) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range procs {
		line := fmt.Sprintf("%d (%s) %c %d %d %d 0 -1 4194304 0 0 0 0 %d %d %d %d 20 0 1 0 100 1000 %d 18446744073709551615 0\n",
			p.pid, p.comm, p.state, p.ppid, p.pid, p.session, p.utime, p.stime, p.cutime, p.cstime, p.rss)
		writeFile(t, filepath.Join(dir, fmt.Sprint(p.pid), "stat"), line)
	}
	writeFile(t, filepath.Join(dir, "500", "stat"), "500 (broken) S 100\n")
	writeFile(t, filepath.Join(dir, "self", "stat"), "")
	writeFile(t, filepath.Join(dir, "meminfo"), "MemTotal: 1 kB\n")
	return dir
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestProbeSampleFixture(t *testing.T) {
	// 1 init
	// └─100 root (session 100)
	//   ├─101 worker
	//   │ └─200 setsid'd worker (session 200)
	//   ├─102 "a) b (c"
	//   │ └─99  child with a lower pid than its parent (pid wrap)
	//   └─150 zombie
	// 300 orphan, re-parented to init: not in the tree.
	// 500 malformed stat: skipped. 600 child of 500: unreachable.
	procs := []fakeProc{
		{pid: 1, ppid: 0, session: 1, comm: "init", state: 'S', utime: 1000, rss: 100},
		{pid: 100, ppid: 1, session: 100, comm: "python", state: 'S', utime: 100, stime: 50, cutime: 30, cstime: 20, rss: 10},
		{pid: 101, ppid: 100, session: 100, comm: "worker", state: 'R', utime: 10, stime: 5, rss: 20},
		{pid: 102, ppid: 100, session: 100, comm: "a) b (c", state: 'S', utime: 1, stime: 1, rss: 1},
		{pid: 200, ppid: 101, session: 200, comm: "sleep", state: 'S', utime: 0, stime: 0, rss: 2},
		{pid: 99, ppid: 102, session: 100, comm: "sleep", state: 'D', utime: 2, stime: 0, rss: 3},
		{pid: 150, ppid: 100, session: 100, comm: "done", state: 'Z', utime: 40, stime: 10},
		{pid: 300, ppid: 1, session: 100, comm: "orphan", state: 'S', utime: 500, rss: 500},
		{pid: 600, ppid: 500, session: 100, comm: "lost", state: 'S', utime: 7, rss: 7},
	}
	dir := writeProc(t, procs)
	page := uint64(os.Getpagesize())
	hz := clockTicks()

	tests := []struct {
		name    string
		root    int
		want    TreeSample
		wantErr error // nil, proctree.ErrNoProcess or proctree.ErrMalformed
	}{
		{
			name: "whole tree",
			root: 100,
			want: TreeSample{
				PIDs:            []int{100, 101, 102, 200, 99},
				CPUSeconds:      (150 + 15 + 2 + 0 + 2 + 50) / hz,
				ChildCPUSeconds: 50 / hz,
				RSSBytes:        (10 + 20 + 1 + 2 + 3) * page,
			},
		},
		{
			name: "subtree",
			root: 101,
			want: TreeSample{PIDs: []int{101, 200}, CPUSeconds: 15 / hz, RSSBytes: 22 * page},
		},
		{name: "zombie root", root: 150, wantErr: proctree.ErrNoProcess},
		{name: "missing root", root: 999, wantErr: proctree.ErrNoProcess},
		{name: "non-positive root", root: 0, wantErr: proctree.ErrNoProcess},
		{name: "malformed root", root: 500, wantErr: proctree.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newProbe(proctree.NewWalkerAt(dir)).Sample(tt.root)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Sample(%d): err = %v, want %v", tt.root, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Sample(%d): %v", tt.root, err)
			}
			if !slices.Equal(got.PIDs, tt.want.PIDs) {
				t.Errorf("PIDs = %v, want %v", got.PIDs, tt.want.PIDs)
			}
			if got.CPUSeconds != tt.want.CPUSeconds || got.ChildCPUSeconds != tt.want.ChildCPUSeconds {
				t.Errorf("CPU = %v + %v children, want %v + %v", got.CPUSeconds, got.ChildCPUSeconds,
					tt.want.CPUSeconds, tt.want.ChildCPUSeconds)
			}
			if got.RSSBytes != tt.want.RSSBytes {
				t.Errorf("RSSBytes = %d, want %d", got.RSSBytes, tt.want.RSSBytes)
			}
		})
	}

	t.Run("reused probe gives the same answer", func(t *testing.T) {
		p := newProbe(proctree.NewWalkerAt(dir))
		first, err1 := p.Sample(100)
		second, err2 := p.Sample(100)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !slices.Equal(first.PIDs, second.PIDs) || first.CPUSeconds != second.CPUSeconds {
			t.Errorf("second sample %+v differs from first %+v", second, first)
		}
	})
	t.Run("missing proc dir", func(t *testing.T) {
		if _, err := newProbe(proctree.NewWalkerAt(filepath.Join(dir, "nope"))).Sample(100); err == nil || errors.Is(err, proctree.ErrNoProcess) {
			t.Errorf("Sample on a missing /proc: err = %v, want a list error", err)
		}
	})
}

// BenchmarkProbeSample reads this process's tree from the real /proc: one
// pass over every process's stat, what the sampler does ten times a second.
func BenchmarkProbeSample(b *testing.B) {
	p := NewProbe()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Sample(os.Getpid()); err != nil {
			b.Fatal(err)
		}
	}
}

// A live tree's sample lists what proctree.Tree lists, with a resident set.
func TestSampleTreeLive(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30 & wait")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sh: %v", err)
	}
	t.Cleanup(func() {
		if kids, err := proctree.Descendants(cmd.Process.Pid); err == nil {
			for _, k := range kids {
				_ = syscall.Kill(k, syscall.SIGKILL)
			}
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// Wait for the shell to have started sleep: before its exec is done a
	// process may show no resident memory yet.
	var s TreeSample
	var tree []int
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var err1, err2 error
		tree, err1 = proctree.Tree(cmd.Process.Pid)
		s, err2 = SampleTree(cmd.Process.Pid)
		if err1 != nil || err2 != nil {
			t.Fatalf("Tree: %v, SampleTree: %v", err1, err2)
		}
		if len(tree) == 2 && slices.Equal(s.PIDs, tree) && s.RSSBytes > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SampleTree PIDs = %v (RSS %d), Tree = %v; want sh and sleep", s.PIDs, s.RSSBytes, tree)
		}
	}
	if s.CPUSeconds < 0 || s.ChildCPUSeconds < 0 {
		t.Errorf("CPU = %v + %v, want >= 0", s.CPUSeconds, s.ChildCPUSeconds)
	}
}
