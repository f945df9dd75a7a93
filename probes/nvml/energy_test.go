package nvml

import (
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// The energy counter costs milliseconds a read on real drivers: a run of ticks
// within a second reads it once and reports the cached value meanwhile.
func TestEnergyReadAtMostOncePerPeriod(t *testing.T) {
	f := newFakeLib(h100(1))
	calls := 0
	f.devs[0].GetTotalEnergyConsumptionFunc = func() (uint64, nvml.Return) {
		calls++
		return uint64(1000 * calls), nvml.SUCCESS
	}
	b := f.open(t)
	for i := 0; i < 50; i++ {
		snap, err := b.Sample()
		if err != nil {
			t.Fatal(err)
		}
		if got := snap.GPUs[0].EnergyMJ; got != 1000 {
			t.Fatalf("tick %d: energy %d mJ, want the cached 1000", i, got)
		}
	}
	if calls != 1 {
		t.Errorf("energy read %d times in 50 quick ticks, want 1", calls)
	}
}
