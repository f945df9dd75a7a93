package nvml

import (
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
)

// BenchmarkRealNVML times each NVML call a sampling tick makes, on the first
// real GPU. It skips where there is no driver (CI); run it on a GPU machine:
//
//	go test -c -o nvml.test ./probes/nvml && ./nvml.test -test.run '^$' -test.bench RealNVML
func BenchmarkRealNVML(b *testing.B) {
	lib := nvml.New()
	if ret := lib.Init(); ret != nvml.SUCCESS {
		b.Skipf("no NVML here: %v", nvml.ErrorString(ret))
	}
	defer lib.Shutdown()
	dev, ret := lib.DeviceGetHandleByIndex(0)
	if ret != nvml.SUCCESS {
		b.Skipf("no GPU 0: %v", nvml.ErrorString(ret))
	}
	calls := []struct {
		name string
		call func()
	}{
		{"MemoryInfo", func() { dev.GetMemoryInfo() }},
		{"MemoryInfo_v2", func() { dev.GetMemoryInfo_v2() }},
		{"UtilizationRates", func() { dev.GetUtilizationRates() }},
		{"Temperature", func() { dev.GetTemperature(nvml.TEMPERATURE_GPU) }},
		{"PowerUsage", func() { dev.GetPowerUsage() }},
		{"TotalEnergyConsumption", func() { dev.GetTotalEnergyConsumption() }},
		{"ClockInfoSM", func() { dev.GetClockInfo(nvml.CLOCK_SM) }},
		{"ClocksEventReasons", func() { dev.GetCurrentClocksEventReasons() }},
		{"ComputeRunningProcesses", func() { dev.GetComputeRunningProcesses() }},
		{"SamplesUtilization", func() { dev.GetSamples(nvml.GPU_UTILIZATION_SAMPLES, 0) }},
		{"SamplesPower", func() { dev.GetSamples(nvml.TOTAL_POWER_SAMPLES, 0) }},
	}
	for _, c := range calls {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.call()
			}
		})
	}
	b.Run("WholeSample", func(b *testing.B) {
		be, err := NewWithLib(lib, probes.Config{})
		if err != nil {
			b.Skip(err)
		}
		for b.Loop() {
			be.Sample()
		}
	})
}
