package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

const gib = 1 << 30

// open opens a backend on a test directory; Close runs at cleanup.
func open(t *testing.T, cfg Config) *Backend {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatalf("newBackend: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// sleeper starts a process that lives until the test ends (or it is killed).
func sleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sleep: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// writeProc writes a proc file by hand, as a pipeline in another language would.
func writeProc(t *testing.T, dir string, pid int, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, procName(pid)), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sampleOf(t *testing.T, s probes.Snapshot, index int) probes.GPUSample {
	t.Helper()
	for _, g := range s.GPUs {
		if g.Index == index {
			return g
		}
	}
	t.Fatalf("no sample of gpu %d in %+v", index, s.GPUs)
	return probes.GPUSample{}
}

func TestNewDefaults(t *testing.T) {
	b, err := probes.Open("sim", probes.Config{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	sb := b.(*Backend)
	dir := sb.Dir()
	devs := b.Devices()
	if len(devs) != DefaultGPUs {
		t.Fatalf("got %d gpus, want %d", len(devs), DefaultGPUs)
	}
	for i, d := range devs {
		if d.Index != i || d.MemoryTotal != 85899345920 || d.UUID != uuidFor(i) || d.Name != gpuName {
			t.Errorf("gpu %d: %+v", i, d)
		}
	}
	if got, want := sb.ChildEnv(), []string{"BENCHCTL_SIM_DIR=" + dir}; !slices.Equal(got, want) {
		t.Errorf("ChildEnv() = %v, want %v", got, want)
	}
	var doc gpusDoc
	data, err := os.ReadFile(filepath.Join(dir, gpusFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.GPUs) != DefaultGPUs {
		t.Fatalf("gpus.json %s: %v", data, err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("own state dir %s not removed: %v", dir, err)
	}
}

func TestUUIDsStable(t *testing.T) {
	u := uuidFor(0)
	if u != uuidFor(0) || u == uuidFor(1) {
		t.Fatalf("uuids not stable and distinct: %s %s", u, uuidFor(1))
	}
	if !strings.HasPrefix(u, "GPU-") || len(u) != len("GPU-")+36 || strings.Count(u, "-") != 5 {
		t.Errorf("uuid %q does not look like an NVML uuid", u)
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name    string
		sel     []string
		want    []int
		wantErr string
	}{
		{"all", nil, []int{0, 1, 2, 3}, ""},
		{"by index", []string{"2"}, []int{2}, ""},
		{"order kept, duplicates dropped", []string{"3", "1", "3"}, []int{3, 1}, ""},
		{"by uuid", []string{uuidFor(1)}, []int{1}, ""},
		{"by uuid prefix", []string{uuidFor(2)[:12]}, []int{2}, ""},
		{"mixed", []string{"0", uuidFor(3)}, []int{0, 3}, ""},
		{"blank entries skipped", []string{"", " 1 ", ""}, []int{1}, ""},
		{"unknown index", []string{"0", "7"}, nil, `"7"`},
		{"unknown uuid", []string{"GPU-nope"}, nil, `"GPU-nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := New(Config{Dir: t.TempDir(), Select: tt.sel})
			if tt.wantErr != "" {
				if !errors.Is(err, ErrUnknownGPU) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrUnknownGPU naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			var got []int
			for _, d := range b.Devices() {
				got = append(got, d.Index)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("selected %v, want %v", got, tt.want)
			}
			snap, err := b.Sample()
			if err != nil {
				t.Fatal(err)
			}
			got = got[:0]
			for _, g := range snap.GPUs {
				got = append(got, g.Index)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("sampled %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRelativeDirMadeAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	b := open(t, Config{Dir: "state", GPUs: 1})
	if !filepath.IsAbs(b.Dir()) || filepath.Base(b.Dir()) != "state" {
		t.Errorf("Dir() = %q, want an absolute path", b.Dir())
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"negative count", Config{GPUs: -1}},
		{"a hundred million GPUs", Config{GPUs: 100000000}},
		{"dir is a file", Config{Dir: "/dev/null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := New(tt.cfg); err == nil {
				b.Close()
				t.Fatal("New succeeded")
			}
		})
	}
}

// TestMemoryFreedAtExit: a process's memory counts while it lives and is freed
// when it exits, however it exits; accounting still has its peak.
func TestMemoryFreedAtExit(t *testing.T) {
	b := open(t, Config{GPUs: 2, Memory: 16 * gib})
	child := sleeper(t)
	cpid := child.Process.Pid
	writeProc(t, b.Dir(), cpid, fmt.Sprintf(
		`{"pid":%d,"gpus":{"0":{"used":%d,"util":60,"mem_util":30},"1":{"used":%d,"util":10}},"peak":{"0":%d,"1":%d}}`,
		cpid, 3*gib, gib, 5*gib, gib))

	self, err := Attach(b.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if err := self.Set(0, 2*gib, 70, 20); err != nil {
		t.Fatal(err)
	}

	snap, err := b.Sample()
	if err != nil || len(snap.Errors) != 0 {
		t.Fatalf("sample: %v %v", err, snap.Errors)
	}
	g0 := sampleOf(t, snap, 0)
	if g0.MemUsed != 5*gib || g0.MemTotal != 16*gib || g0.UtilGPU != 100 || g0.UtilMem != 50 {
		t.Errorf("gpu 0 while alive: %+v", g0)
	}
	wantProcs := []probes.ProcessMem{{PID: cpid, Used: 3 * gib}, {PID: os.Getpid(), Used: 2 * gib}}
	slices.SortFunc(wantProcs, func(a, b probes.ProcessMem) int { return a.PID - b.PID })
	if !slices.Equal(g0.Processes, wantProcs) {
		t.Errorf("gpu 0 processes %v, want %v", g0.Processes, wantProcs)
	}
	if g1 := sampleOf(t, snap, 1); g1.MemUsed != gib || g1.UtilGPU != 10 {
		t.Errorf("gpu 1 while alive: %+v", g1)
	}

	child.Process.Kill()
	child.Wait()

	snap, err = b.Sample()
	if err != nil || len(snap.Errors) != 0 {
		t.Fatalf("sample: %v %v", err, snap.Errors)
	}
	if g0 := sampleOf(t, snap, 0); g0.MemUsed != 2*gib || g0.UtilGPU != 70 || len(g0.Processes) != 1 {
		t.Errorf("gpu 0 after exit: %+v", g0)
	}
	if g1 := sampleOf(t, snap, 1); g1.MemUsed != 0 || g1.UtilGPU != 0 || g1.Processes != nil {
		t.Errorf("gpu 1 after exit: %+v", g1)
	}

	peaks, err := b.AccountedPeaks([]int{cpid, os.Getpid(), 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	want := []result.ProcessPeak{
		{PID: cpid, GPU: 0, PeakBytes: 5 * gib, Exact: true, Source: "accounting"},
		{PID: cpid, GPU: 1, PeakBytes: gib, Exact: true, Source: "accounting"},
		{PID: os.Getpid(), GPU: 0, PeakBytes: 2 * gib, Exact: true, Source: "accounting"},
	}
	slices.SortFunc(want, func(a, b result.ProcessPeak) int { return a.PID - b.PID })
	if !slices.Equal(peaks, want) {
		t.Errorf("peaks %+v, want %+v", peaks, want)
	}
}

func TestProcessAlive(t *testing.T) {
	zombie := sleeper(t)
	zombie.Process.Kill() // not reaped: a zombie until cleanup waits for it
	deadline := time.Now().Add(10 * time.Second)
	for processAlive(zombie.Process.Pid) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	reaped := exec.Command("true")
	if err := reaped.Run(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pid  int
		want bool
	}{
		{"self", os.Getpid(), true},
		{"running child", sleeper(t).Process.Pid, true},
		{"zombie", zombie.Process.Pid, false},
		{"reaped", reaped.Process.Pid, false},
		{"no such pid", 1 << 30, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := processAlive(tt.pid); got != tt.want {
				t.Errorf("processAlive(%d) = %v, want %v", tt.pid, got, tt.want)
			}
		})
	}
}

func TestCorruptProcFile(t *testing.T) {
	tests := []struct {
		name string
		body func(pid int) string
	}{
		{"bad json", func(int) string { return `{"pid":` }},
		{"pid mismatch", func(pid int) string { return fmt.Sprintf(`{"pid":%d}`, pid+1) }},
		{"bad gpu key", func(int) string { return `{"gpus":{"zero":{"used":1}}}` }},
		{"bad peak key", func(int) string { return `{"peak":{"x":1}}` }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := open(t, Config{GPUs: 1})
			bad := sleeper(t).Process.Pid
			writeProc(t, b.Dir(), bad, tt.body(bad))
			good := sleeper(t).Process.Pid
			writeProc(t, b.Dir(), good, `{"gpus":{"0":{"used":1024,"util":5}}}`)

			snap, err := b.Sample()
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Errors) != 1 || !errors.Is(snap.Errors[0], ErrCorrupt) ||
				!strings.Contains(snap.Errors[0].Error(), procName(bad)) {
				t.Fatalf("errors %v, want one ErrCorrupt naming %s", snap.Errors, procName(bad))
			}
			if g := sampleOf(t, snap, 0); g.MemUsed != 1024 || g.UtilGPU != 5 {
				t.Errorf("the good file is not counted: %+v", g)
			}
			peaks, err := b.AccountedPeaks([]int{bad, good})
			if !errors.Is(err, ErrCorrupt) || len(peaks) != 1 || peaks[0].PID != good {
				t.Errorf("AccountedPeaks = %+v, %v", peaks, err)
			}
		})
	}
}

func TestLostGPU(t *testing.T) {
	b := open(t, Config{GPUs: 3})
	if err := b.SetLost(1, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(b.Dir(), "lost-1")); err != nil {
		t.Fatalf("protocol file not made: %v", err)
	}
	snap, err := b.Sample()
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, g := range snap.GPUs {
		got = append(got, g.Index)
	}
	if !slices.Equal(got, []int{0, 2}) {
		t.Errorf("sampled %v, want [0 2]", got)
	}
	if len(snap.Errors) != 1 || !errors.Is(snap.Errors[0], probes.ErrGPULost) || !strings.Contains(snap.Errors[0].Error(), "gpu 1") {
		t.Errorf("errors %v, want gpu 1 lost", snap.Errors)
	}

	if err := b.SetLost(1, false); err != nil {
		t.Fatal(err)
	}
	if snap, _ = b.Sample(); len(snap.GPUs) != 3 || len(snap.Errors) != 0 {
		t.Errorf("after recovery: %d gpus, errors %v", len(snap.GPUs), snap.Errors)
	}
}

func TestSensors(t *testing.T) {
	tests := []struct {
		name                 string
		util                 []float64
		wantUtil, wantTemp   float64
		wantPower, wantClock float64
	}{
		{"idle", nil, 0, 30, 70, 345},
		{"busy", []float64{50}, 50, 50, 370, 1980},
		{"clamped at 100", []float64{80, 70}, 100, 70, 670, 1980},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := open(t, Config{GPUs: 1})
			clock := time.Unix(1000, 0)
			b.now = func() time.Time { return clock }
			b.lastTick = clock
			for _, u := range tt.util {
				pid := sleeper(t).Process.Pid
				writeProc(t, b.Dir(), pid, fmt.Sprintf(`{"gpus":{"0":{"used":1,"util":%v}}}`, u))
			}
			var energy uint64
			for range 2 {
				clock = clock.Add(time.Second)
				snap, err := b.Sample()
				if err != nil || len(snap.Errors) > 0 {
					t.Fatal(err, snap.Errors)
				}
				g := snap.GPUs[0]
				if g.UtilGPU != tt.wantUtil || g.TempC != tt.wantTemp || g.PowerW != tt.wantPower ||
					g.SMClockMHz != tt.wantClock || g.MemReserved != 0 || !snap.Time.Equal(clock) {
					t.Errorf("sample %+v", g)
				}
				energy = g.EnergyMJ
			}
			if want := uint64(2 * tt.wantPower * 1000); energy != want {
				t.Errorf("energy after 2 s = %d mJ, want %d", energy, want)
			}
		})
	}
}

func TestCloseKeepsLiveProcFiles(t *testing.T) {
	dir := t.TempDir()
	b, err := New(Config{Dir: dir, GPUs: 1})
	if err != nil {
		t.Fatal(err)
	}
	live := sleeper(t).Process.Pid
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	writeProc(t, dir, live, `{}`)
	writeProc(t, dir, dead.Process.Pid, `{}`)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, procName(live))); err != nil {
		t.Errorf("live process's file removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, procName(dead.Process.Pid))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ended process's file kept: %v", err)
	}
}

func TestSampleWithoutDir(t *testing.T) {
	b := open(t, Config{GPUs: 1})
	os.RemoveAll(b.Dir())
	if _, err := b.Sample(); err == nil {
		t.Fatal("Sample succeeded without its state directory")
	}
}

func TestAccountingRestore(t *testing.T) {
	b := open(t, Config{})
	restore, err := b.StartAccounting()
	if err != nil {
		t.Fatal(err)
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
}
