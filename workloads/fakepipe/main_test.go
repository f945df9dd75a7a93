package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchctl/benchctl/probes/sim"
	"github.com/benchctl/benchctl/result"
)

// binPath is the fakepipe binary TestMain builds.
var binPath string

// runLimit only keeps a broken test from hanging; no test measures speed.
const runLimit = 60 * time.Second

// fast are the knobs that make a run take no simulated time.
var fast = []string{"--time-per-seq", "0", "--startup", "0", "--load-time", "0"}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fakepipe-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "fakepipe")
	build := exec.Command(goTool(), "build", "-o", binPath, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build fakepipe:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "/usr/local/go/bin/go"
}

// writeFASTA writes n reads of 300 + 20*i deterministic bases, wrapped at 60.
func writeFASTA(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	x := uint32(12345)
	for i := range n {
		fmt.Fprintf(&b, ">read%d sample read\n", i)
		for j := range 300 + 20*i {
			x = x*1664525 + 1013904223
			b.WriteByte("ACGT"[x>>30])
			if j%60 == 59 {
				b.WriteByte('\n')
			}
		}
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "in.fa")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// simGPUs opens a sim backend of n GPUs of mem bytes for the test.
func simGPUs(t *testing.T, n int, mem uint64) *sim.Backend {
	t.Helper()
	b, err := sim.New(sim.Config{Dir: t.TempDir(), GPUs: n, Memory: mem})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// outcome is how a fakepipe run ended.
type outcome struct {
	pid            int
	code           int            // -1 when killed by a signal
	signal         syscall.Signal // 0 unless killed
	stdout, stderr string
}

// env is a clean environment: none of the caller's knobs, sim dir or CUDA
// devices, then extra.
func env(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "FAKEPIPE_") || strings.HasPrefix(kv, sim.EnvDir+"=") || strings.HasPrefix(kv, "CUDA_VISIBLE_DEVICES=") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, extra...)
}

// runPipe runs fakepipe to its end with the backend's environment (b may be nil).
func runPipe(t *testing.T, b *sim.Backend, extraEnv []string, args ...string) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = env(extraEnv...)
	if b != nil {
		cmd.Env = append(cmd.Env, b.ChildEnv()...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	o := outcome{stdout: stdout.String(), stderr: stderr.String()}
	if cmd.Process != nil {
		o.pid = cmd.Process.Pid
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		o.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			o.signal = ws.Signal()
		}
	default:
		t.Fatalf("run fakepipe: %v", err)
	}
	return o
}

// predictArgs is a predict command line into out, which may exist (--force).
func predictArgs(input, out string, extra ...string) []string {
	return append(append([]string{"predict", input, "-o", out, "--force"}, fast...), extra...)
}

// stageLines returns the fork's stage lines ("=== Stage N: NAME ===", then
// fakepipe's model time "(t=...)") of an output, as "N: NAME".
func stageLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(l, " - INFO - === Stage "); ok {
			rest, _, _ = strings.Cut(rest, " ===")
			lines = append(lines, rest)
		}
	}
	return lines
}

func peaksByGPU(t *testing.T, b *sim.Backend) map[int][]result.ProcessPeak {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(b.Dir(), "proc-*.json"))
	var pids []int
	for _, f := range files {
		pid, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "proc-"), ".json"))
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	peaks, err := b.AccountedPeaks(pids)
	if err != nil {
		t.Fatal(err)
	}
	by := map[int][]result.ProcessPeak{}
	for _, p := range peaks {
		by[p.GPU] = append(by[p.GPU], p)
	}
	return by
}
