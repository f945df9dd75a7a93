package selfcost

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// burn uses the thread's CPU for a while.
func burn() {
	var ts unix.Timespec
	for range 20000 {
		_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	}
}

func TestMetersOn(t *testing.T) {
	old := dest
	t.Cleanup(func() { dest, meters = old, nil })
	dest = filepath.Join(t.TempDir(), "cost.txt")
	tick := New("tick", nil)
	nvml := New("nvml", tick)
	idle := New("never used", nil)
	for range 3 {
		sp := tick.Begin()
		in := nvml.Begin()
		burn()
		in.End()
		sp.End()
	}
	if tick.calls.Load() != 3 || nvml.calls.Load() != 3 || idle.calls.Load() != 0 {
		t.Fatalf("calls: tick %d nvml %d idle %d, want 3 3 0", tick.calls.Load(), nvml.calls.Load(), idle.calls.Load())
	}
	if tick.cpu.Load() <= 0 || nvml.cpu.Load() > tick.cpu.Load() {
		t.Errorf("cpu: tick %d ns, nvml %d ns; want the outer span positive and at least the inner", tick.cpu.Load(), nvml.cpu.Load())
	}
	Report()
	out, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, prefix string
		want         bool
	}{
		{"top-level meter", "tick ", true},
		{"nested meter indented", "  nvml ", true},
		{"unused meter left out", "never used", false},
		{"the rest", "rest (Go runtime", true},
		{"the process total", "process total", true},
		{"context switches", "context switches", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found := false
			for l := range strings.Lines(string(out)) {
				if strings.HasPrefix(l, tt.prefix) {
					found = true
					if tt.prefix == "tick " && !strings.HasPrefix(strings.Fields(l)[1], "3") {
						t.Errorf("tick line %q, want 3 calls", l)
					}
				}
			}
			if found != tt.want {
				t.Errorf("line %q present = %v, want %v\n%s", tt.prefix, found, tt.want, out)
			}
		})
	}
}

func TestMetersOff(t *testing.T) {
	old := dest
	t.Cleanup(func() { dest = old })
	dest = ""
	m := New("off", nil)
	if m != nil {
		t.Fatalf("New with metering off = %v, want nil", m)
	}
	sp := m.Begin() // a nil meter measures nothing, and does not panic
	sp.End()
	if Table() != "" {
		t.Errorf("Table with metering off = %q, want empty", Table())
	}
	if allocs := testing.AllocsPerRun(100, func() { s := m.Begin(); s.End() }); allocs != 0 {
		t.Errorf("a span with metering off allocates %v times", allocs)
	}
}
