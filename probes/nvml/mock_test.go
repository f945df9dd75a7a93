package nvml

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"

	"github.com/benchctl/benchctl/probes"
)

// fakeMachine describes the GPUs a mocked NVML reports. testdata/*.json holds
// the same shape.
type fakeMachine struct {
	Note    string    `json:"_note,omitempty"`
	Driver  string    `json:"driver_version"`
	CUDA    int       `json:"cuda_driver_version"`
	GPUs    []fakeGPU `json:"gpus"`
	Missing []string  `json:"-"` // library symbols the fake lacks
}

// fakeGPU is one GPU's readings. MemoryUsed is the v2 figure, without the
// reserved memory; the v1 call reports used+reserved, as real drivers do.
type fakeGPU struct {
	UUID               string      `json:"uuid"`
	Name               string      `json:"name"`
	MemoryTotal        uint64      `json:"memory_total_bytes"`
	MemoryUsed         uint64      `json:"memory_used_bytes"`
	MemoryReserved     uint64      `json:"memory_reserved_bytes"`
	UtilGPU            uint32      `json:"utilization_gpu_percent"`
	UtilMem            uint32      `json:"utilization_memory_percent"`
	TempC              uint32      `json:"temperature_c"`
	PowerMW            uint32      `json:"power_mw"`
	PowerLimitMW       uint32      `json:"power_limit_mw,omitempty"`
	EnergyMJ           uint64      `json:"total_energy_mj"`
	SMClockMHz         uint32      `json:"sm_clock_mhz"`
	ClocksEventReasons uint64      `json:"clocks_event_reasons"`
	Processes          []fakeProc  `json:"processes"`
	AccountingEnabled  bool        `json:"accounting_enabled"`
	SupportedEvents    uint64      `json:"supported_event_types"`
	Accounted          []fakeStats `json:"accounted,omitempty"`
	// GPM holds the performance monitoring figures (percent) of a GPU that
	// has GPM; nil for one that has not.
	GPM *fakeGPM `json:"gpm,omitempty"`
}

type fakeGPM struct {
	SMActivity, SMOccupancy, TensorActivity, DRAMBandwidth float64
}

type fakeProc struct {
	PID  uint32 `json:"pid"`
	Used uint64 `json:"used_bytes"`
}

type fakeStats struct {
	PID     int    `json:"pid"`
	MaxUsed uint64 `json:"max_memory_bytes"`
}

// h100 returns n GPUs shaped like an H100 80GB HBM3 (see testdata).
func h100(n int) fakeMachine {
	m := fakeMachine{Driver: "580.159.04", CUDA: 13000}
	for i := range n {
		m.GPUs = append(m.GPUs, fakeGPU{
			UUID:        fmt.Sprintf("GPU-%02d1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9", i),
			Name:        "NVIDIA H100 80GB HBM3",
			MemoryTotal: 81559 << 20, MemoryUsed: 8 << 30, MemoryReserved: 535 << 20,
			UtilGPU: 97, UtilMem: 41, TempC: 61, PowerMW: 612345, EnergyMJ: 123456789,
			SMClockMHz: 1980, ClocksEventReasons: 0x4,
			Processes:         []fakeProc{{PID: uint32(1000 + i), Used: 7 << 30}},
			SupportedEvents:   nvml.EventTypeXidCriticalError | nvml.EventTypeDoubleBitEccError | nvml.EventTypeSingleBitEccError | nvml.EventTypePState,
			AccountingEnabled: false,
		})
	}
	return m
}

// loadMachine reads a fakeMachine from testdata.
func loadMachine(t testing.TB, path string) fakeMachine {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m fakeMachine
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// fakeLib is a mocked NVML over a fakeMachine. Tests change the mock's Func
// fields to inject failures.
type fakeLib struct {
	*mock.Interface
	devs []*mock.Device
	mu   sync.Mutex
	mode []nvml.EnableState // accounting mode per GPU
}

func newFakeLib(m fakeMachine) *fakeLib {
	f := &fakeLib{mode: make([]nvml.EnableState, len(m.GPUs))}
	for i := range m.GPUs {
		if m.GPUs[i].AccountingEnabled {
			f.mode[i] = nvml.FEATURE_ENABLED
		}
		f.devs = append(f.devs, f.device(i, m.GPUs[i]))
	}
	missing := map[string]bool{}
	for _, s := range m.Missing {
		missing[s] = true
	}
	ext := &mock.ExtendedInterface{LookupSymbolFunc: func(s string) error {
		if missing[s] {
			return os.ErrNotExist
		}
		return nil
	}}
	f.Interface = &mock.Interface{
		InitFunc:           func() nvml.Return { return nvml.SUCCESS },
		ShutdownFunc:       func() nvml.Return { return nvml.SUCCESS },
		ExtensionsFunc:     func() nvml.ExtendedInterface { return ext },
		DeviceGetCountFunc: func() (int, nvml.Return) { return len(f.devs), nvml.SUCCESS },
		DeviceGetHandleByIndexFunc: func(i int) (nvml.Device, nvml.Return) {
			if i < 0 || i >= len(f.devs) {
				return nil, nvml.ERROR_INVALID_ARGUMENT
			}
			return f.devs[i], nvml.SUCCESS
		},
		SystemGetDriverVersionFunc:     func() (string, nvml.Return) { return m.Driver, nvml.SUCCESS },
		SystemGetCudaDriverVersionFunc: func() (int, nvml.Return) { return m.CUDA, nvml.SUCCESS },
	}
	f.addGPM(m)
	return f
}

// fakeGPMSample is a GPM sample: the GPU it was last read on.
type fakeGPMSample struct {
	mock.GpmSample
	gpu int
}

// addGPM serves GPM calls: a GPU with a GPM entry supports it, and its
// metrics between two samples are the entry's figures.
func (f *fakeLib) addGPM(m fakeMachine) {
	index := func(d nvml.Device) int {
		for i, dev := range f.devs {
			if dev == d {
				return i
			}
		}
		return -1
	}
	f.GpmQueryDeviceSupportFunc = func(d nvml.Device) (nvml.GpmSupport, nvml.Return) {
		i := index(d)
		if i < 0 {
			return nvml.GpmSupport{}, nvml.ERROR_INVALID_ARGUMENT
		}
		if m.GPUs[i].GPM == nil {
			return nvml.GpmSupport{}, nvml.SUCCESS
		}
		return nvml.GpmSupport{IsSupportedDevice: 1}, nvml.SUCCESS
	}
	f.GpmSampleAllocFunc = func() (nvml.GpmSample, nvml.Return) {
		s := &fakeGPMSample{gpu: -1}
		s.FreeFunc = func() nvml.Return { return nvml.SUCCESS }
		return s, nvml.SUCCESS
	}
	f.GpmSampleGetFunc = func(d nvml.Device, s nvml.GpmSample) nvml.Return {
		s.(*fakeGPMSample).gpu = index(d)
		return nvml.SUCCESS
	}
	f.GpmMetricsGetFunc = func(g *nvml.GpmMetricsGetType) nvml.Return {
		s1, s2 := g.Sample1.(*fakeGPMSample), g.Sample2.(*fakeGPMSample)
		if s1.gpu < 0 || s1.gpu != s2.gpu {
			return nvml.ERROR_INVALID_ARGUMENT
		}
		v := m.GPUs[s1.gpu].GPM
		for i := range g.NumMetrics {
			mt := &g.Metrics[i]
			mt.NvmlReturn = uint32(nvml.SUCCESS)
			switch nvml.GpmMetricId(mt.MetricId) {
			case nvml.GPM_METRIC_SM_UTIL:
				mt.Value = v.SMActivity
			case nvml.GPM_METRIC_SM_OCCUPANCY:
				mt.Value = v.SMOccupancy
			case nvml.GPM_METRIC_ANY_TENSOR_UTIL:
				mt.Value = v.TensorActivity
			case nvml.GPM_METRIC_DRAM_BW_UTIL:
				mt.Value = v.DRAMBandwidth
			default:
				mt.NvmlReturn = uint32(nvml.ERROR_NOT_SUPPORTED)
			}
		}
		return nvml.SUCCESS
	}
}

func (f *fakeLib) device(i int, g fakeGPU) *mock.Device {
	procs := make([]nvml.ProcessInfo, len(g.Processes))
	for k, p := range g.Processes {
		procs[k] = nvml.ProcessInfo{Pid: p.PID, UsedGpuMemory: p.Used}
	}
	d := &mock.Device{
		GetUUIDFunc:  func() (string, nvml.Return) { return g.UUID, nvml.SUCCESS },
		GetNameFunc:  func() (string, nvml.Return) { return g.Name, nvml.SUCCESS },
		GetIndexFunc: func() (int, nvml.Return) { return i, nvml.SUCCESS },
		GetMemoryInfoFunc: func() (nvml.Memory, nvml.Return) {
			used := g.MemoryUsed + g.MemoryReserved
			return nvml.Memory{Total: g.MemoryTotal, Used: used, Free: g.MemoryTotal - used}, nvml.SUCCESS
		},
		GetMemoryInfo_v2Func: func() (nvml.Memory_v2, nvml.Return) {
			return nvml.Memory_v2{Total: g.MemoryTotal, Used: g.MemoryUsed, Reserved: g.MemoryReserved,
				Free: g.MemoryTotal - g.MemoryUsed - g.MemoryReserved}, nvml.SUCCESS
		},
		GetUtilizationRatesFunc: func() (nvml.Utilization, nvml.Return) {
			return nvml.Utilization{Gpu: g.UtilGPU, Memory: g.UtilMem}, nvml.SUCCESS
		},
		GetTemperatureFunc: func(s nvml.TemperatureSensors) (uint32, nvml.Return) {
			if s != nvml.TEMPERATURE_GPU {
				return 0, nvml.ERROR_INVALID_ARGUMENT
			}
			return g.TempC, nvml.SUCCESS
		},
		GetPowerUsageFunc: func() (uint32, nvml.Return) { return g.PowerMW, nvml.SUCCESS },
		GetEnforcedPowerLimitFunc: func() (uint32, nvml.Return) {
			if g.PowerLimitMW == 0 {
				return 0, nvml.ERROR_NOT_SUPPORTED
			}
			return g.PowerLimitMW, nvml.SUCCESS
		},
		GetTotalEnergyConsumptionFunc:    func() (uint64, nvml.Return) { return g.EnergyMJ, nvml.SUCCESS },
		GetCurrentClocksEventReasonsFunc: func() (uint64, nvml.Return) { return g.ClocksEventReasons, nvml.SUCCESS },
		GetCurrentClocksThrottleReasonsFunc: func() (uint64, nvml.Return) {
			return g.ClocksEventReasons, nvml.SUCCESS
		},
		GetClockInfoFunc: func(c nvml.ClockType) (uint32, nvml.Return) {
			if c != nvml.CLOCK_SM {
				return 0, nvml.ERROR_INVALID_ARGUMENT
			}
			return g.SMClockMHz, nvml.SUCCESS
		},
		GetComputeRunningProcessesFunc: func() ([]nvml.ProcessInfo, nvml.Return) {
			// go-nvml returns a fresh slice each call; so does the fake.
			return append([]nvml.ProcessInfo(nil), procs...), nvml.SUCCESS
		},
		GetSamplesFunc: func(nvml.SamplingType, uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
			return nvml.VALUE_TYPE_UNSIGNED_INT, nil, nvml.ERROR_NOT_FOUND
		},
		GetAccountingModeFunc: func() (nvml.EnableState, nvml.Return) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.mode[i], nvml.SUCCESS
		},
		SetAccountingModeFunc: func(s nvml.EnableState) nvml.Return {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.mode[i] = s
			return nvml.SUCCESS
		},
		GetAccountingPidsFunc: func() ([]int, nvml.Return) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.mode[i] != nvml.FEATURE_ENABLED {
				return nil, nvml.ERROR_NOT_SUPPORTED
			}
			var pids []int
			for _, a := range g.Accounted {
				pids = append(pids, a.PID)
			}
			return pids, nvml.SUCCESS
		},
		GetAccountingStatsFunc: func(pid uint32) (nvml.AccountingStats, nvml.Return) {
			for _, a := range g.Accounted {
				if a.PID == int(pid) {
					return nvml.AccountingStats{MaxMemoryUsage: a.MaxUsed}, nvml.SUCCESS
				}
			}
			return nvml.AccountingStats{}, nvml.ERROR_NOT_FOUND
		},
		GetSupportedEventTypesFunc: func() (uint64, nvml.Return) { return g.SupportedEvents, nvml.SUCCESS },
		RegisterEventsFunc:         func(uint64, nvml.EventSet) nvml.Return { return nvml.SUCCESS },
	}
	return d
}

// open opens a backend over f, failing the test on error.
func (f *fakeLib) open(t testing.TB, sel ...string) *Backend {
	t.Helper()
	t.Setenv("CUDA_VISIBLE_DEVICES", "") // the machine's own value must not leak in
	b, err := NewWithLib(f, probes.Config{Select: sel})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	b.now = func() time.Time { return time.Unix(1_700_000_000, 0) }
	t.Cleanup(func() { b.Close() })
	return b
}

// asRoot makes the backend believe it runs as root (or not) for one test.
func asRoot(t *testing.T, root bool) {
	old := geteuid
	geteuid = func() int {
		if root {
			return 0
		}
		return 1000
	}
	t.Cleanup(func() { geteuid = old })
}
