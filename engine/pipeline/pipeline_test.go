package pipeline

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchctl/benchctl/proctree"
	"github.com/benchctl/benchctl/proctree/supervisor"
	"github.com/benchctl/benchctl/result"
)

// The test binary doubles as the pipeline under test: with BENCHCTL_TEST_PIPE
// set it behaves as told and exits, so the runner is tested on real processes.
//
// It also serves as the supervisor, as benchctl does: every test runs its
// pipeline under it.
func TestMain(m *testing.M) {
	if supervisor.Requested() {
		supervisor.Main()
	}
	if mode := os.Getenv("BENCHCTL_TEST_PIPE"); mode != "" {
		os.Exit(fakePipeline(mode))
	}
	_ = proctree.EnableSubreaper()
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	UseSupervisor(exe)
	os.Exit(m.Run())
}

func fakePipeline(mode string) int {
	switch mode {
	case "stages":
		fmt.Fprintln(os.Stderr, "Stage: Loading models")
		time.Sleep(30 * time.Millisecond)
		fmt.Fprintln(os.Stderr, "Stage: ESM-2 features (batch 3072 tokens)")
		time.Sleep(30 * time.Millisecond)
		fmt.Println("Done")
		return 0
	case "exit":
		code, _ := strconv.Atoi(os.Getenv("BENCHCTL_TEST_CODE"))
		fmt.Fprintln(os.Stderr, os.Getenv("BENCHCTL_TEST_MSG"))
		return code
	case "hang", "ignore-term":
		if mode == "ignore-term" {
			signalIgnore(syscall.SIGTERM)
		}
		fmt.Println("ready")
		time.Sleep(time.Hour)
	case "daemon":
		// A grandchild in its own session outlives this process.
		cmd := exec.Command("sleep", "3600")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			return 9
		}
		fmt.Println("child", cmd.Process.Pid)
		if os.Getenv("BENCHCTL_TEST_STAY") != "" {
			time.Sleep(time.Hour)
		}
		return 0
	case "bar":
		// A progress bar of 200 KB without a newline, a stage line, then a hang.
		os.Stderr.Write([]byte(strings.Repeat("ESM 42%|####  | ", 200<<10/16)))
		os.Stderr.Write([]byte("\nStage: ESM done\n"))
		time.Sleep(time.Hour)
		return 0
	case "garbage":
		os.Stdout.Write([]byte("ok \xff\xfe bad \x1b[31mred\x00nul\n"))
		os.Stdout.Write([]byte(strings.Repeat("x", 200<<10) + "\n"))
		return 0
	}
	return 0
}

func self(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func spec(t *testing.T, mode string, env ...string) Spec {
	return Spec{
		Argv:  []string{self(t)},
		Env:   append([]string{"BENCHCTL_TEST_PIPE=" + mode}, env...),
		Grace: 300 * time.Millisecond, LogDir: t.TempDir(), Name: "t",
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name  string
		s     func(*testing.T) Spec
		class result.ExitClass
		code  int
	}{
		{"ok", func(t *testing.T) Spec { return spec(t, "exit", "BENCHCTL_TEST_CODE=0") }, result.ExitOK, 0},
		{"failed", func(t *testing.T) Spec { return spec(t, "exit", "BENCHCTL_TEST_CODE=1") }, result.ExitFailed, 1},
		{"oom by exit code", func(t *testing.T) Spec { return spec(t, "exit", "BENCHCTL_TEST_CODE=4") }, result.ExitOOM, 4},
		{"oom by message", func(t *testing.T) Spec {
			return spec(t, "exit", "BENCHCTL_TEST_CODE=1", "BENCHCTL_TEST_MSG=torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB")
		}, result.ExitOOM, 1},
		{"oom code configurable", func(t *testing.T) Spec {
			s := spec(t, "exit", "BENCHCTL_TEST_CODE=4")
			s.OOMExitCode = 7
			return s
		}, result.ExitFailed, 4},
		{"killed by signal", func(t *testing.T) Spec { return Spec{Argv: []string{"sh", "-c", "kill -SEGV $$"}} }, result.ExitKilled, 128 + 11},
		{"timeout", func(t *testing.T) Spec {
			s := spec(t, "hang")
			s.Timeout = 200 * time.Millisecond
			return s
		}, result.ExitTimeout, 128 + 15},
		{"missing binary", func(t *testing.T) Spec { return Spec{Argv: []string{"/nonexistent/virnucpro"}} }, result.ExitNotStartable, -1},
		{"not executable", func(t *testing.T) Spec { return Spec{Argv: []string{"/etc/hostname"}} }, result.ExitNotStartable, -1},
		{"empty argv", func(t *testing.T) Spec { return Spec{} }, result.ExitNotStartable, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := Run(context.Background(), tt.s(t))
			if run.Class != tt.class || run.ExitCode != tt.code {
				t.Fatalf("class %s code %d (error %q), want %s code %d", run.Class, run.ExitCode, run.Error, tt.class, tt.code)
			}
			if tt.class == result.ExitNotStartable && !strings.Contains(run.Error, "pipeline command") && run.Error != "empty command" {
				t.Errorf("error %q does not name the command", run.Error)
			}
		})
	}
}

func TestStagesAndLogs(t *testing.T) {
	s := spec(t, "stages")
	markers, err := NewMarkers(map[string]string{"load": "Loading models", "esm": "ESM%-2", "never": "re:^XYZ$"})
	if err != nil {
		t.Fatal(err)
	}
	s.Markers = markers
	var seen []string
	s.Hooks.Stage = func(name string, _ time.Time) { seen = append(seen, name) }
	run := Run(context.Background(), s)
	if run.Class != result.ExitOK {
		t.Fatalf("class %s: %s", run.Class, run.Error)
	}
	if len(run.Stages) != 2 || run.Stages[0].Name != "load" || run.Stages[1].Name != "esm" {
		t.Fatalf("stages = %+v", run.Stages)
	}
	if run.Stages[0].End != run.Stages[1].Start || run.Stages[1].End < run.Stages[1].Start || run.Stages[1].End > run.Seconds {
		t.Errorf("stage times inconsistent: %+v (run %.3fs)", run.Stages, run.Seconds)
	}
	if strings.Join(seen, ",") != "load,esm" {
		t.Errorf("hooks saw %v", seen)
	}
	logged, err := os.ReadFile(run.StderrLog)
	if err != nil || !strings.Contains(string(logged), "ESM-2 features") {
		t.Errorf("stderr log %q: %v", logged, err)
	}
	if len(run.StdoutTail) != 1 || run.StdoutTail[0] != "Done" {
		t.Errorf("stdout tail = %q", run.StdoutTail)
	}
}

func TestBadMarker(t *testing.T) {
	if _, err := NewMarker("x", "re:("); err == nil {
		t.Error("bad regex accepted")
	}
	if _, err := NewMarker("x", "[a"); err == nil {
		t.Error("bad Lua pattern accepted")
	}
}

func TestGarbageOutputIsCleaned(t *testing.T) {
	run := Run(context.Background(), spec(t, "garbage"))
	if run.Class != result.ExitOK {
		t.Fatalf("class %s", run.Class)
	}
	first := run.StdoutTail[0]
	if strings.ContainsAny(first, "\x1b\x00") || !strings.Contains(first, "\uFFFD") || !strings.Contains(first, `\x1b`) {
		t.Errorf("line not cleaned: %q", first)
	}
	total := 0
	for _, l := range run.StdoutTail[1:] {
		total += len(l)
	}
	if total != 200<<10 {
		t.Errorf("long line kept %d bytes over %d pieces, want %d", total, len(run.StdoutTail)-1, 200<<10)
	}
}

func TestTimeoutEndsProcessIgnoringTERM(t *testing.T) {
	s := spec(t, "ignore-term")
	s.Timeout = 300 * time.Millisecond
	run := Run(context.Background(), s)
	if run.Class != result.ExitTimeout || run.Signal != "SIGKILL" {
		t.Fatalf("class %s signal %s", run.Class, run.Signal)
	}
	if proctree.Alive(run.PID) {
		t.Error("pipeline still alive")
	}
}

func TestInterruptEndsDaemonGrandchild(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := spec(t, "daemon", "BENCHCTL_TEST_STAY=1")
	var child int
	s.Hooks.Line = func(_, line string) {
		if n, ok := strings.CutPrefix(line, "child "); ok {
			child, _ = strconv.Atoi(n)
			cancel()
		}
	}
	run := Run(ctx, s)
	if run.Class != result.ExitInterrupted {
		t.Fatalf("class %s", run.Class)
	}
	if child == 0 {
		t.Fatal("grandchild pid not seen")
	}
	if proctree.Alive(child) {
		syscall.Kill(child, syscall.SIGKILL)
		t.Fatal("setsid grandchild survived the interrupt")
	}
}

func TestOrphanAfterExitIsEnded(t *testing.T) {
	s := spec(t, "daemon")
	var left []int
	s.Hooks.Leftovers = func(p []int) { left = p }
	var child int
	s.Hooks.Line = func(_, line string) {
		if n, ok := strings.CutPrefix(line, "child "); ok {
			child, _ = strconv.Atoi(n)
		}
	}
	run := Run(context.Background(), s)
	if run.Class != result.ExitOK {
		t.Fatalf("class %s", run.Class)
	}
	found := false
	for _, p := range left {
		found = found || p == child
	}
	if !found {
		t.Fatalf("leftovers %v do not include the daemonised child %d", left, child)
	}
	if proctree.Alive(child) {
		syscall.Kill(child, syscall.SIGKILL)
		t.Fatal("orphan survived")
	}
	if !strings.Contains(run.Error, "outlived") {
		t.Errorf("run error %q does not report the orphan", run.Error)
	}
}

func TestStats(t *testing.T) {
	rs := Stats([]float64{1.0, 1.1, 0.9, 1.0, 5.0}, 2)
	if rs.Runs != 5 || rs.Warmup != 2 || rs.Min != 0.9 || rs.Max != 5.0 || rs.Median != 1.0 {
		t.Fatalf("stats = %+v", rs)
	}
	if len(rs.Outliers) != 1 || rs.Outliers[0] != 4 {
		t.Errorf("outliers = %v, want [4]", rs.Outliers)
	}
	if rs.Mean < 1.79 || rs.Mean > 1.81 || rs.Stddev < 1.7 {
		t.Errorf("mean %.3f stddev %.3f", rs.Mean, rs.Stddev)
	}
}
