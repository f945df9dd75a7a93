package nvml

import (
	"fmt"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
)

// BenchmarkSampleTick measures one Sample of every GPU. "mock" runs over
// go-nvml's generated mock, which locks and records every call (and so
// allocates and grows on its own); "stub" runs over a constant stub that
// allocates nothing, so its allocs/op are the backend's alone. On a real
// driver go-nvml adds one allocation per GPU for the process list, and
// DESIGN.md's H100 timings put the NVML calls at about 15 us a GPU
// (memory 6.6, utilization 0.5, processes 7.7) before temperature, power,
// energy, clock and reasons. "paced" is the stub paced at 10 ms with a clock
// that advances 10 ms a Sample, as the sampler runs it: memory every Sample,
// the rest at their periods (fieldPeriods).
func BenchmarkSampleTick(b *testing.B) {
	for _, kind := range []string{"mock", "stub", "paced"} {
		for _, n := range []int{1, 4, 8} {
			b.Run(fmt.Sprintf("%s/gpus=%d", kind, n), func(b *testing.B) {
				var lib nvml.Interface = newFakeLib(h100(n))
				if kind != "mock" {
					lib = newStubLib(n)
				}
				b.Setenv("CUDA_VISIBLE_DEVICES", "")
				be, err := NewWithLib(lib, probes.Config{})
				if err != nil {
					b.Fatal(err)
				}
				defer be.Close()
				if kind == "paced" {
					at := time.Unix(1_700_000_000, 0)
					be.now = func() time.Time { at = at.Add(10 * time.Millisecond); return at }
					be.Pace(10 * time.Millisecond)
				}
				b.ReportAllocs()
				for b.Loop() {
					snap, err := be.Sample()
					if err != nil || len(snap.GPUs) != n {
						b.Fatalf("sample: %v, %d gpus", err, len(snap.GPUs))
					}
				}
			})
		}
	}
}

// stubLib and stubDevice answer with constants and record nothing. The
// embedded interfaces are nil: a call the backend should not make panics.
type stubLib struct {
	nvml.Interface
	devs []nvml.Device
}

func newStubLib(n int) *stubLib {
	l := &stubLib{}
	for i := range n {
		l.devs = append(l.devs, &stubDevice{
			uuid:  fmt.Sprintf("GPU-%08d-0000-0000-0000-000000000000", i),
			procs: []nvml.ProcessInfo{{Pid: uint32(100 + i), UsedGpuMemory: 7 << 30}},
		})
	}
	return l
}

func (l *stubLib) Init() nvml.Return                             { return nvml.SUCCESS }
func (l *stubLib) Shutdown() nvml.Return                         { return nvml.SUCCESS }
func (l *stubLib) Extensions() nvml.ExtendedInterface            { return nil }
func (l *stubLib) DeviceGetCount() (int, nvml.Return)            { return len(l.devs), nvml.SUCCESS }
func (l *stubLib) SystemGetDriverVersion() (string, nvml.Return) { return "580.159.04", nvml.SUCCESS }
func (l *stubLib) SystemGetCudaDriverVersion() (int, nvml.Return) {
	return 13000, nvml.SUCCESS
}
func (l *stubLib) GpmQueryDeviceSupport(nvml.Device) (nvml.GpmSupport, nvml.Return) {
	return nvml.GpmSupport{}, nvml.SUCCESS // no GPM on the stub
}
func (l *stubLib) DeviceGetHandleByIndex(i int) (nvml.Device, nvml.Return) {
	return l.devs[i], nvml.SUCCESS
}

type stubDevice struct {
	nvml.Device
	uuid  string
	procs []nvml.ProcessInfo
}

func (d *stubDevice) GetUUID() (string, nvml.Return) { return d.uuid, nvml.SUCCESS }
func (d *stubDevice) GetName() (string, nvml.Return) { return "NVIDIA H100 80GB HBM3", nvml.SUCCESS }
func (d *stubDevice) GetMemoryInfo() (nvml.Memory, nvml.Return) {
	return nvml.Memory{Total: 81559 << 20, Used: 9 << 30}, nvml.SUCCESS
}
func (d *stubDevice) GetMemoryInfo_v2() (nvml.Memory_v2, nvml.Return) {
	return nvml.Memory_v2{Total: 81559 << 20, Used: 8 << 30, Reserved: 535 << 20}, nvml.SUCCESS
}
func (d *stubDevice) GetAccountingMode() (nvml.EnableState, nvml.Return) {
	return nvml.FEATURE_DISABLED, nvml.SUCCESS
}
func (d *stubDevice) GetUtilizationRates() (nvml.Utilization, nvml.Return) {
	return nvml.Utilization{Gpu: 97, Memory: 41}, nvml.SUCCESS
}
func (d *stubDevice) GetTemperature(nvml.TemperatureSensors) (uint32, nvml.Return) {
	return 61, nvml.SUCCESS
}
func (d *stubDevice) GetPowerUsage() (uint32, nvml.Return)         { return 612345, nvml.SUCCESS }
func (d *stubDevice) GetEnforcedPowerLimit() (uint32, nvml.Return) { return 700000, nvml.SUCCESS }
func (d *stubDevice) GetTotalEnergyConsumption() (uint64, nvml.Return) {
	return 123456789, nvml.SUCCESS
}
func (d *stubDevice) GetClockInfo(nvml.ClockType) (uint32, nvml.Return) { return 1980, nvml.SUCCESS }
func (d *stubDevice) GetCurrentClocksEventReasons() (uint64, nvml.Return) {
	return 4, nvml.SUCCESS
}
func (d *stubDevice) GetComputeRunningProcesses() ([]nvml.ProcessInfo, nvml.Return) {
	return d.procs, nvml.SUCCESS
}
