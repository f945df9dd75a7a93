package sampler

import "fmt"

// throttleNames are NVML's clocks-event reasons (nvmlClocksEventReason*), by bit.
var throttleNames = []struct {
	bit  uint64
	name string
}{
	{0x1, "GpuIdle"},
	{0x2, "ApplicationsClocksSetting"},
	{0x4, "SwPowerCap"},
	{0x8, "HwSlowdown"},
	{0x10, "SyncBoost"},
	{0x20, "SwThermalSlowdown"},
	{0x40, "HwThermalSlowdown"},
	{0x80, "HwPowerBrakeSlowdown"},
	{0x100, "DisplayClockSetting"},
}

// gpuIdle is the reason bit of an idle GPU: its clocks are low because it has
// nothing to do, which is not throttling.
const gpuIdle = 0x1

// ThrottleReasons names the NVML clocks-event reasons set in mask, in bit
// order, leaving out GpuIdle. A bit NVML does not define is named by its hex
// value ("0x200"). It returns nil when no reason is left.
func ThrottleReasons(mask uint64) []string {
	mask &^= gpuIdle
	var out []string
	for _, r := range throttleNames {
		if mask&r.bit != 0 {
			out = append(out, r.name)
			mask &^= r.bit
		}
	}
	for bit := uint64(1); mask != 0; bit <<= 1 {
		if mask&bit != 0 {
			out = append(out, fmt.Sprintf("0x%x", bit))
			mask &^= bit
		}
	}
	return out
}
