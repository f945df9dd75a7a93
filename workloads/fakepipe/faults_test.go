package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchctl/benchctl/probes/sim"
)

func TestOutOfMemory(t *testing.T) {
	input := writeFASTA(t, 20)
	tests := []struct {
		name     string
		mem      uint64 // the simulated GPU's size
		env      []string
		args     []string
		code     int
		signal   syscall.Signal
		contains []string
	}{
		{"exit mode", 80 << 30, nil, []string{"--oom-above", "1000"}, exitOOM, 0,
			[]string{" - ERROR - OUT OF MEMORY ERROR\n", " - ERROR - Memory at failure: CUDA out of memory at batch of ", ". Tried to allocate "}},
		{"reduce mode", 80 << 30, nil, []string{"--oom-above", "1000", "--oom-mode", "reduce"}, exitOK, 0,
			[]string{"CUDA out of memory at batch of 2040 tokens; reducing batch size to 1020\n", " - INFO - Done: 20 sequences"}},
		{"reduce down to one sequence", 80 << 30, nil, []string{"--oom-above", "50", "--oom-mode", "reduce"}, exitOOM, 0,
			[]string{"reducing batch size to", "OUT OF MEMORY ERROR", " - ERROR - Memory at failure: CUDA out of memory at the smallest batch size ("}},
		{"crash mode", 80 << 30, nil, []string{"--oom-above", "1000", "--oom-mode", "crash"}, -1, syscall.SIGSEGV,
			[]string{"RuntimeError: CUDA error: out of memory"}},
		{"knob from the environment", 80 << 30, []string{"FAKEPIPE_OOM_ABOVE=1000"}, nil, exitOOM, 0, nil},
		{"flag beats the environment", 80 << 30, []string{"FAKEPIPE_OOM_ABOVE=1000"}, []string{"--oom-above", "0"}, exitOK, 0, nil},
		{"simulated gpu too small", 7 << 30, nil, nil, exitOOM, 0, []string{"GPU 0 has a total capacity of 7.00 GiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := simGPUs(t, 1, tt.mem)
			o := runPipe(t, b, tt.env, predictArgs(input, t.TempDir(), tt.args...)...)
			if o.code != tt.code || o.signal != tt.signal {
				t.Fatalf("exit %d signal %v, want %d %v; output:\n%s%s", o.code, o.signal, tt.code, tt.signal, o.stdout, o.stderr)
			}
			for _, c := range tt.contains {
				if !strings.Contains(o.stdout+o.stderr, c) {
					t.Errorf("output lacks %q:\n%s%s", c, o.stdout, o.stderr)
				}
			}
		})
	}
}

func TestFaults(t *testing.T) {
	input := writeFASTA(t, 20)
	tests := []struct {
		name     string
		args     []string
		code     int
		signal   syscall.Signal
		contains string
	}{
		{"crash after", []string{"--crash-after", "ESM-2"}, -1, syscall.SIGABRT, "Fatal Python error: Aborted"},
		{"fail after", []string{"--fail-after", "merge"}, exitError, 0, " - ERROR - Prediction failed: simulated failure in stage merge\n"},
		{"exit code", []string{"--exit-code", "3"}, 3, 0, " - INFO - Done: "},
		{"parallel worker crash", []string{"--gpus", "0,1", "--crash-after", "load"}, exitError, 0,
			"Prediction failed: DNABERT-S inference failed on 2/2 workers: worker on gpu 0 failed: signal: aborted"},
		{"parallel worker out of memory", []string{"--gpus", "0,1", "--oom-above", "100"}, exitOOM, 0,
			" - ERROR - [gpu 1] torch.OutOfMemoryError: CUDA out of memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := simGPUs(t, 2, 80<<30)
			o := runPipe(t, b, nil, predictArgs(input, t.TempDir(), tt.args...)...)
			if o.code != tt.code || o.signal != tt.signal || !strings.Contains(o.stdout+o.stderr, tt.contains) {
				t.Errorf("exit %d signal %v, want %d %v and %q in the output:\n%s%s", o.code, o.signal, tt.code, tt.signal, tt.contains, o.stdout, o.stderr)
			}
		})
	}
}

func TestHang(t *testing.T) {
	tests := []struct {
		name          string
		ignoreSigterm bool
	}{
		{"sigterm ends it", false},
		{"sigterm ignored", true},
	}
	input := writeFASTA(t, 20)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := simGPUs(t, 1, 80<<30)
			args := predictArgs(input, t.TempDir(), "--hang-after", "dnabert")
			if tt.ignoreSigterm {
				args = append(args, "--ignore-sigterm")
			}
			cmd := exec.Command(binPath, args...)
			cmd.Env = append(env(), b.ChildEnv()...)
			stderr, err := cmd.StdoutPipe() // the fork logs its stages on stdout
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			waitForLine(t, stderr, "=== Stage 5: DNABERT-S Feature Extraction ===")
			drained := make(chan struct{})
			go func() {
				io.Copy(io.Discard, stderr)
				close(drained)
			}()
			pid := cmd.Process.Pid

			// Hung in the stage, holding its memory.
			deadline := time.Now().Add(runLimit)
			for !holds(t, b, pid) {
				if time.Now().After(deadline) {
					t.Fatal("the hung process never showed its memory")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if tt.ignoreSigterm {
				if !ignores(t, pid, syscall.SIGTERM) {
					t.Error("SIGTERM is not ignored")
				}
				cmd.Process.Signal(syscall.SIGKILL)
			} else {
				cmd.Process.Signal(syscall.SIGTERM)
			}
			<-drained
			err = cmd.Wait()
			want := syscall.SIGTERM
			if tt.ignoreSigterm {
				want = syscall.SIGKILL
			}
			if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != want {
				t.Errorf("ended with %v, want killed by %v", err, want)
			}
		})
	}
}

func waitForLine(t *testing.T, r io.Reader, prefix string) { // prefix: any part of the line
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if strings.Contains(sc.Text(), prefix) {
			return
		}
	}
	t.Fatalf("no line with %q", prefix)
}

func holds(t *testing.T, b *sim.Backend, pid int) bool {
	t.Helper()
	snap, err := b.Sample()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range snap.GPUs {
		for _, p := range g.Processes {
			if p.PID == pid && p.Used > 0 {
				return true
			}
		}
	}
	return false
}

// ignores reads whether pid ignores sig from /proc/<pid>/status.
func ignores(t *testing.T, pid int, sig syscall.Signal) bool {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "SigIgn:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && mask&(1<<(uint(sig)-1)) != 0
		}
	}
	return false
}

func TestOrphan(t *testing.T) {
	b := simGPUs(t, 1, 80<<30)
	o := runPipe(t, b, nil, predictArgs(writeFASTA(t, 5), t.TempDir(), "--orphan", "1GiB", "--orphan-for", "10m")...)
	if o.code != 0 {
		t.Fatalf("exit %d:\n%s%s", o.code, o.stdout, o.stderr)
	}
	snap, err := b.Sample()
	if err != nil {
		t.Fatal(err)
	}
	g := snap.GPUs[0]
	if len(g.Processes) != 1 {
		t.Fatalf("processes on gpu 0 after the pipeline exited: %+v", g.Processes)
	}
	orphan := g.Processes[0].PID
	t.Cleanup(func() { syscall.Kill(orphan, syscall.SIGKILL) })
	if orphan == o.pid || g.MemUsed != 1<<30 || g.Processes[0].Used != 1<<30 {
		t.Errorf("gpu 0 %+v: want 1 GiB held by an orphan, not by %d", g, o.pid)
	}
	if !strings.Contains(o.stdout, fmt.Sprintf("left orphan process %d ", orphan)) {
		t.Errorf("stdout does not name orphan %d:\n%s", orphan, o.stdout)
	}
}

func TestNoisyOutput(t *testing.T) {
	input := writeFASTA(t, 2)
	tests := []struct {
		name  string
		args  []string
		check func(o outcome) bool
	}{
		{"flood", []string{"--flood", "5000"}, func(o outcome) bool { return strings.Count(o.stdout, "\n") >= 5000 }},
		{"bad utf-8", []string{"--bad-utf8"}, func(o outcome) bool {
			return strings.Contains(o.stdout, "\xff\xfe") && strings.Contains(o.stderr, "\x1b[31m") && strings.Contains(o.stderr, "\x00")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := runPipe(t, nil, nil, predictArgs(input, t.TempDir(), tt.args...)...)
			if o.code != 0 || !tt.check(o) {
				t.Errorf("exit %d; output not as asked (%d bytes out, %d err)", o.code, len(o.stdout), len(o.stderr))
			}
		})
	}
}
