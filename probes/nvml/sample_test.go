package nvml

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
)

func TestSampleAllFields(t *testing.T) {
	m := h100(2)
	m.GPUs[1].Processes = append(m.GPUs[1].Processes, fakeProc{PID: 4242, Used: 1 << 30})
	b := newFakeLib(m).open(t)
	snap, err := b.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) != 0 {
		t.Fatalf("errors: %v", snap.Errors)
	}
	if !snap.Time.Equal(time.Unix(1_700_000_000, 0)) {
		t.Errorf("time = %v", snap.Time)
	}
	if len(snap.GPUs) != 2 {
		t.Fatalf("%d gpus sampled, want 2", len(snap.GPUs))
	}
	s := snap.GPUs[1]
	want := probes.GPUSample{
		Index: 1, MemUsed: 8 << 30, MemTotal: 81559 << 20, MemReserved: 535 << 20,
		UtilGPU: 97, UtilMem: 41, TempC: 61, PowerW: 612.345, EnergyMJ: 123456789,
		SMClockMHz: 1980, Throttle: 0x4,
	}
	got := s
	got.Processes = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sample\n got %+v\nwant %+v", got, want)
	}
	if len(s.Processes) != 2 || s.Processes[0] != (probes.ProcessMem{PID: 1001, Used: 7 << 30}) ||
		s.Processes[1] != (probes.ProcessMem{PID: 4242, Used: 1 << 30}) {
		t.Errorf("processes = %+v", s.Processes)
	}
	if p := snap.GPUs[0].Processes; len(p) != 1 || p[0].PID != 1000 || cap(p) != 1 {
		t.Errorf("gpu 0 processes = %+v (cap %d), want pid 1000 alone and capped", p, cap(p))
	}
}

// TestSampleOwnedByCaller checks that a snapshot survives the next Sample.
func TestSampleOwnedByCaller(t *testing.T) {
	m := h100(1)
	f := newFakeLib(m)
	b := f.open(t)
	first, _ := b.Sample()
	f.devs[0].GetComputeRunningProcessesFunc = func() ([]nvml.ProcessInfo, nvml.Return) {
		return []nvml.ProcessInfo{{Pid: 9, UsedGpuMemory: 9}}, nvml.SUCCESS
	}
	f.devs[0].GetPowerUsageFunc = func() (uint32, nvml.Return) { return 1000, nvml.SUCCESS }
	second, _ := b.Sample()
	if first.GPUs[0].Processes[0].PID != 1000 || first.GPUs[0].PowerW != 612.345 {
		t.Errorf("first snapshot changed by the second Sample: %+v", first.GPUs[0])
	}
	if second.GPUs[0].Processes[0].PID != 9 || second.GPUs[0].PowerW != 1 {
		t.Errorf("second snapshot = %+v", second.GPUs[0])
	}
}

func TestSampleProcessMemoryNotAvailable(t *testing.T) {
	f := newFakeLib(h100(1))
	f.devs[0].GetComputeRunningProcessesFunc = func() ([]nvml.ProcessInfo, nvml.Return) {
		return []nvml.ProcessInfo{{Pid: 5, UsedGpuMemory: math.MaxUint64}}, nvml.SUCCESS
	}
	snap, _ := f.open(t).Sample()
	if p := snap.GPUs[0].Processes; len(p) != 1 || p[0] != (probes.ProcessMem{PID: 5}) {
		t.Errorf("processes = %+v, want pid 5 with 0 bytes", p)
	}
}

// TestSampleErrorMidRun makes power fail on its 3rd call on GPU 0 only.
func TestSampleErrorMidRun(t *testing.T) {
	f := newFakeLib(h100(2))
	calls := 0
	f.devs[0].GetPowerUsageFunc = func() (uint32, nvml.Return) {
		calls++
		if calls == 3 {
			return 0, nvml.ERROR_UNKNOWN
		}
		return 300000, nvml.SUCCESS
	}
	b := f.open(t)
	for tick := 1; tick <= 4; tick++ {
		snap, err := b.Sample()
		if err != nil {
			t.Fatalf("tick %d: %v", tick, err)
		}
		if len(snap.GPUs) != 2 {
			t.Fatalf("tick %d: %d gpus, want 2", tick, len(snap.GPUs))
		}
		g0, g1 := snap.GPUs[0], snap.GPUs[1]
		if tick == 3 {
			if len(snap.Errors) != 1 || !errors.Is(snap.Errors[0], nvml.ERROR_UNKNOWN) ||
				!strings.Contains(snap.Errors[0].Error(), "gpu 0: power usage") {
				t.Errorf("tick 3 errors = %v", snap.Errors)
			}
			if gi := errorGPU(snap.Errors[0]); gi != 0 {
				t.Errorf("error filed under gpu %d, want 0", gi)
			}
			if !math.IsNaN(g0.PowerW) {
				t.Errorf("tick 3 power = %v, want NaN", g0.PowerW)
			}
		} else {
			if len(snap.Errors) != 0 || g0.PowerW != 300 {
				t.Errorf("tick %d: errors %v, power %v", tick, snap.Errors, g0.PowerW)
			}
		}
		if g0.MemUsed != 8<<30 || g0.TempC != 61 || g0.SMClockMHz != 1980 || len(g0.Processes) != 1 {
			t.Errorf("tick %d: other fields of gpu 0 not read: %+v", tick, g0)
		}
		if g1.PowerW != 612.345 {
			t.Errorf("tick %d: gpu 1 power = %v", tick, g1.PowerW)
		}
	}
}

func TestSampleGPULost(t *testing.T) {
	f := newFakeLib(h100(3))
	lost := false
	// GPU 1 falls off the bus between ticks 1 and 2, in the middle of a tick.
	f.devs[1].GetTemperatureFunc = func(nvml.TemperatureSensors) (uint32, nvml.Return) {
		if lost {
			return 0, nvml.ERROR_GPU_IS_LOST
		}
		return 50, nvml.SUCCESS
	}
	b := f.open(t)
	if snap, err := b.Sample(); err != nil || len(snap.GPUs) != 3 {
		t.Fatalf("tick 1: %d gpus, %v", len(snap.GPUs), err)
	}
	lost = true
	powerCalls := len(f.devs[1].GetPowerUsageCalls())
	snap, err := b.Sample()
	if err != nil {
		t.Fatalf("tick 2: %v", err)
	}
	if got := []int{snap.GPUs[0].Index, snap.GPUs[1].Index}; len(snap.GPUs) != 2 || got[0] != 0 || got[1] != 2 {
		t.Fatalf("tick 2 sampled %+v, want gpus 0 and 2", snap.GPUs)
	}
	if snap.GPUs[1].Processes[0].PID != 1002 {
		t.Errorf("gpu 2's processes got gpu 1's: %+v", snap.GPUs[1].Processes)
	}
	if len(snap.Errors) != 1 || !errors.Is(snap.Errors[0], probes.ErrGPULost) || !strings.Contains(snap.Errors[0].Error(), "gpu 1") {
		t.Errorf("tick 2 errors = %v, want one ErrGPULost for gpu 1", snap.Errors)
	} else if gi := errorGPU(snap.Errors[0]); gi != 1 {
		t.Errorf("lost error filed under gpu %d, want 1", gi)
	}
	if n := len(f.devs[1].GetPowerUsageCalls()); n != powerCalls {
		t.Errorf("power read %d times on gpu 1 after it was lost", n-powerCalls)
	}
	snap, err = b.Sample()
	if err != nil || len(snap.GPUs) != 2 || len(snap.Errors) != 0 {
		t.Errorf("tick 3: %d gpus, errors %v, err %v; want 2, none, nil", len(snap.GPUs), snap.Errors, err)
	}
	if n := len(f.devs[1].GetMemoryInfo_v2Calls()); n != 2 {
		t.Errorf("lost gpu read %d times, want 2 (ticks 1 and 2)", n)
	}
}

func TestSampleEveryGPULost(t *testing.T) {
	f := newFakeLib(h100(1))
	f.devs[0].GetMemoryInfo_v2Func = func() (nvml.Memory_v2, nvml.Return) { return nvml.Memory_v2{}, nvml.ERROR_GPU_IS_LOST }
	b := f.open(t)
	snap, err := b.Sample()
	if !errors.Is(err, probes.ErrGPULost) || len(snap.GPUs) != 0 || len(snap.Errors) != 1 {
		t.Errorf("err %v, %d gpus, errors %v", err, len(snap.GPUs), snap.Errors)
	}
}

func TestSampleNotSupportedSilent(t *testing.T) {
	f := newFakeLib(h100(1))
	d := f.devs[0]
	d.GetTotalEnergyConsumptionFunc = func() (uint64, nvml.Return) { return 0, nvml.ERROR_NOT_SUPPORTED }
	d.GetCurrentClocksEventReasonsFunc = func() (uint64, nvml.Return) { return 0, nvml.ERROR_NOT_SUPPORTED }
	d.GetPowerUsageFunc = func() (uint32, nvml.Return) { return 0, nvml.ERROR_NOT_SUPPORTED }
	d.GetUtilizationRatesFunc = func() (nvml.Utilization, nvml.Return) { return nvml.Utilization{}, nvml.ERROR_NOT_SUPPORTED }
	b := f.open(t)
	for range 3 {
		snap, err := b.Sample()
		if err != nil || len(snap.Errors) != 0 {
			t.Fatalf("err %v, errors %v, want none", err, snap.Errors)
		}
		s := snap.GPUs[0]
		if s.EnergyMJ != 0 || s.Throttle != 0 || !math.IsNaN(s.PowerW) || !math.IsNaN(s.UtilGPU) || !math.IsNaN(s.UtilMem) {
			t.Errorf("unsupported fields not empty: %+v", s)
		}
		if s.TempC != 61 || s.MemUsed != 8<<30 {
			t.Errorf("supported fields missing: %+v", s)
		}
	}
	for name, n := range map[string]int{
		"energy":      len(d.GetTotalEnergyConsumptionCalls()),
		"throttle":    len(d.GetCurrentClocksEventReasonsCalls()),
		"power":       len(d.GetPowerUsageCalls()),
		"utilization": len(d.GetUtilizationRatesCalls()),
	} {
		if n != 1 {
			t.Errorf("%s asked %d times, want once", name, n)
		}
	}
	if n := len(d.GetTemperatureCalls()); n != 3 {
		t.Errorf("temperature asked %d times, want 3", n)
	}
}

func TestSampleNoPermissionReportedOnce(t *testing.T) {
	f := newFakeLib(h100(1))
	f.devs[0].GetComputeRunningProcessesFunc = func() ([]nvml.ProcessInfo, nvml.Return) { return nil, nvml.ERROR_NO_PERMISSION }
	b := f.open(t)
	first, _ := b.Sample()
	second, _ := b.Sample()
	if len(first.Errors) != 1 || !errors.Is(first.Errors[0], nvml.ERROR_NO_PERMISSION) || len(second.Errors) != 0 {
		t.Errorf("errors: first %v, second %v; want one, then none", first.Errors, second.Errors)
	}
}

func TestSampleMemory(t *testing.T) {
	tests := []struct {
		name         string
		missing      []string
		v2           func() (nvml.Memory_v2, nvml.Return)
		wantUsed     uint64
		wantReserved uint64
		wantV1Calls  int
	}{
		{"v2 separates reserved", nil, nil, 8 << 30, 535 << 20, 0},
		{"library without v2", []string{"nvmlDeviceGetMemoryInfo_v2"}, nil, 8<<30 + 535<<20, 0, 2},
		{"v2 not supported", nil, func() (nvml.Memory_v2, nvml.Return) {
			return nvml.Memory_v2{}, nvml.ERROR_NOT_SUPPORTED
		}, 8<<30 + 535<<20, 0, 2},
		{"v2 version mismatch", nil, func() (nvml.Memory_v2, nvml.Return) {
			return nvml.Memory_v2{}, nvml.ERROR_ARGUMENT_VERSION_MISMATCH
		}, 8<<30 + 535<<20, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := h100(1)
			m.Missing = tt.missing
			f := newFakeLib(m)
			if tt.v2 != nil {
				f.devs[0].GetMemoryInfo_v2Func = tt.v2
			}
			b := f.open(t)
			v1AtOpen := len(f.devs[0].GetMemoryInfoCalls())
			for range 2 {
				snap, err := b.Sample()
				if err != nil || len(snap.Errors) != 0 {
					t.Fatalf("err %v errors %v", err, snap.Errors)
				}
				s := snap.GPUs[0]
				if s.MemUsed != tt.wantUsed || s.MemReserved != tt.wantReserved || s.MemTotal != 81559<<20 {
					t.Errorf("used %d reserved %d total %d, want %d %d", s.MemUsed, s.MemReserved, s.MemTotal, tt.wantUsed, tt.wantReserved)
				}
			}
			if n := len(f.devs[0].GetMemoryInfoCalls()) - v1AtOpen; n != tt.wantV1Calls {
				t.Errorf("v1 memory asked %d times, want %d", n, tt.wantV1Calls)
			}
			if tt.missing != nil && len(f.devs[0].GetMemoryInfo_v2Calls()) != 0 {
				t.Error("v2 called although the library lacks it: a real binary would abort")
			}
			if tt.v2 != nil && len(f.devs[0].GetMemoryInfo_v2Calls()) != 1 {
				t.Errorf("failing v2 asked %d times, want once", len(f.devs[0].GetMemoryInfo_v2Calls()))
			}
		})
	}
}

func TestSampleThrottleOnOlderDriver(t *testing.T) {
	m := h100(1)
	m.Missing = []string{"nvmlDeviceGetCurrentClocksEventReasons"}
	f := newFakeLib(m)
	snap, _ := f.open(t).Sample()
	if snap.GPUs[0].Throttle != 0x4 {
		t.Errorf("throttle = %#x", snap.GPUs[0].Throttle)
	}
	if len(f.devs[0].GetCurrentClocksEventReasonsCalls()) != 0 || len(f.devs[0].GetCurrentClocksThrottleReasonsCalls()) != 1 {
		t.Error("want the throttle-reasons call, not the missing event-reasons one")
	}
}

// errorGPU is the GPU an error names through GPUIndex (the sampler's
// GPUError interface), or -1.
func errorGPU(err error) int {
	if ge, ok := errors.AsType[interface {
		error
		GPUIndex() int
	}](err); ok {
		return ge.GPUIndex()
	}
	return -1
}
