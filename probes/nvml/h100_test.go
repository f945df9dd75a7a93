package nvml

import (
	"testing"

	"github.com/benchctl/benchctl/probes"
)

// TestH100Fixture runs the backend over testdata/h100_80gb_hbm3.json, values
// constructed from DESIGN.md's figures (not a capture), and checks the unit
// conversions end to end.
func TestH100Fixture(t *testing.T) {
	asRoot(t, false)
	m := loadMachine(t, "testdata/h100_80gb_hbm3.json")
	b := newFakeLib(m).open(t)

	devs := b.Devices()
	if len(devs) != 1 {
		t.Fatalf("%d devices, want 1", len(devs))
	}
	g := devs[0]
	if g.Name != "NVIDIA H100 80GB HBM3" || g.MemoryTotal != 81559*1024*1024 || g.Driver != "580.159.04" || g.CUDA != "13.0" {
		t.Errorf("device = %+v", g)
	}
	if g.AccountingOK || g.AccountingWhy == "" {
		t.Errorf("accounting off and not root: ok=%v note=%q", g.AccountingOK, g.AccountingWhy)
	}

	snap, err := b.Sample()
	if err != nil || len(snap.Errors) != 0 {
		t.Fatalf("sample: %v %v", err, snap.Errors)
	}
	s := snap.GPUs[0]
	checks := []struct {
		name      string
		got, want float64
	}{
		{"memory used GiB", float64(s.MemUsed) / (1 << 30), 61},
		{"memory reserved MiB", float64(s.MemReserved) / (1 << 20), 540},
		{"utilization gpu", s.UtilGPU, 100},
		{"utilization memory", s.UtilMem, 38},
		{"temperature", s.TempC, 58},
		{"power W", s.PowerW, 612.345},
		{"energy kJ", float64(s.EnergyMJ) / 1e6, 4200},
		{"sm clock", s.SMClockMHz, 1980},
		{"throttle (sw power cap)", float64(s.Throttle), 4},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(s.Processes) != 1 || s.Processes[0] != (probes.ProcessMem{PID: 31337, Used: 64961380352}) {
		t.Errorf("processes = %+v", s.Processes)
	}
	if used := s.MemUsed + s.MemReserved; used > s.MemTotal {
		t.Errorf("used %d + reserved %d exceed total %d", s.MemUsed, s.MemReserved, s.MemTotal)
	}
}
