package nvml

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// TestPaceReadsEachFieldAtItsPeriod samples one second at 10 ms, paced and
// not, and counts the NVML calls of each field.
func TestPaceReadsEachFieldAtItsPeriod(t *testing.T) {
	const ticks = 101 // 0 ms to 1000 ms
	tests := []struct {
		name  string
		paced bool
		want  map[string]int
	}{
		{"unpaced reads everything every tick", false, map[string]int{
			"memory": ticks, "processes": ticks, "utilization": ticks, "power": ticks,
			"throttle": ticks, "clock": ticks, "temperature": ticks,
		}},
		{"paced reads memory every tick, the rest at their periods", true, map[string]int{
			"memory": ticks, "processes": 11, "utilization": 11, "power": 11,
			"throttle": 11, "clock": 5, "temperature": 2,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLib(h100(1))
			b := f.open(t)
			start := time.Unix(1_700_000_000, 0)
			var at time.Duration
			b.now = func() time.Time { return start.Add(at) }
			if tt.paced {
				b.Pace(10 * time.Millisecond)
			}
			for i := range ticks {
				at = time.Duration(i) * 10 * time.Millisecond
				snap, err := b.Sample()
				if err != nil {
					t.Fatalf("tick %d: %v", i, err)
				}
				g := snap.GPUs[0]
				if math.IsNaN(g.TempC) || math.IsNaN(g.PowerW) || math.IsNaN(g.UtilGPU) || math.IsNaN(g.SMClockMHz) || len(g.Processes) == 0 {
					t.Fatalf("tick %d: a held field is empty: %+v", i, g)
				}
			}
			d := f.devs[0]
			got := map[string]int{
				"memory":      len(d.GetMemoryInfo_v2Calls()),
				"processes":   len(d.GetComputeRunningProcessesCalls()),
				"utilization": len(d.GetUtilizationRatesCalls()),
				"power":       len(d.GetPowerUsageCalls()),
				"throttle":    len(d.GetCurrentClocksEventReasonsCalls()),
				"clock":       len(d.GetClockInfoCalls()),
				"temperature": len(d.GetTemperatureCalls()),
			}
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("%s read %d times, want %d", k, got[k], w)
				}
			}
		})
	}
}

// TestPaceHoldsAFailedReadEmpty checks that a paced field whose read failed
// stays empty until its next read, not at its older value.
func TestPaceHoldsAFailedReadEmpty(t *testing.T) {
	f := newFakeLib(h100(1))
	b := f.open(t)
	start := time.Unix(1_700_000_000, 0)
	var at time.Duration
	b.now = func() time.Time { return start.Add(at) }
	b.Pace(10 * time.Millisecond)
	fail := false
	f.devs[0].GetPowerUsageFunc = func() (uint32, nvml.Return) {
		if fail {
			return 0, nvml.ERROR_UNKNOWN
		}
		return 300000, nvml.SUCCESS
	}
	steps := []struct {
		at    time.Duration
		fail  bool
		wantW float64 // NaN: empty
	}{
		{0, false, 300},
		{50 * time.Millisecond, true, 300}, // not due: held
		{100 * time.Millisecond, true, math.NaN()},
		{150 * time.Millisecond, false, math.NaN()}, // not due: held empty
		{200 * time.Millisecond, false, 300},
	}
	for _, st := range steps {
		at, fail = st.at, st.fail
		snap, _ := b.Sample()
		got := snap.GPUs[0].PowerW
		if got != st.wantW && !(math.IsNaN(got) && math.IsNaN(st.wantW)) {
			t.Errorf("at %v: power %v, want %v", st.at, got, st.wantW)
		}
	}
}

// TestCostTableWritten checks that CostEnv makes Close write a call count
// per field.
func TestCostTableWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cost.txt")
	t.Setenv(CostEnv, path)
	f := newFakeLib(h100(1))
	b := f.open(t)
	for range 3 {
		if _, err := b.Sample(); err != nil {
			t.Fatal(err)
		}
	}
	b.Close()
	out, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"memory info v2", "temperature", "compute running processes"} {
		line := ""
		for l := range strings.Lines(string(out)) {
			if strings.HasPrefix(l, want) {
				line = l
			}
		}
		if fs := strings.Fields(strings.TrimPrefix(line, want)); len(fs) < 1 || fs[0] != "3" {
			t.Errorf("%s: line %q, want 3 calls\n%s", want, line, out)
		}
	}
}
