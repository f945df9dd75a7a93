package runner

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"

	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/probes"
	nvmlprobe "github.com/benchctl/benchctl/probes/nvml"
	"github.com/benchctl/benchctl/result"
)

// NVML faults in the middle of a pipeline run, on a mocked NVML: the fault
// starts when the pipeline prints FAULT and ends when it prints HEALTHY, so
// it falls inside the run whatever the machine's speed. The run must end as
// the pipeline did, the fault must be in its GPU summary, and the GPUs (or
// calls) that still answer must keep their readings.

// faultyNVML is a two-GPU mocked NVML whose calls misbehave while a fault is
// on. Its fields are set before the backend opens and read-only after.
type faultyNVML struct {
	on atomic.Bool
	// call is what a call to a device's field returns while the fault is
	// on; nil leaves it healthy. It may sleep (a slow call).
	call func(gpu int, field string) nvml.Return
	// xid, when set, is delivered once by the event set after the fault
	// starts: an XID error of GPU 0.
	xid     uint64
	xidSent atomic.Bool
	// waitFails makes every event wait fail while the fault is on.
	waitFails bool

	devs []*mock.Device
}

func (f *faultyNVML) ret(gpu int, field string) nvml.Return {
	if f.call == nil || !f.on.Load() {
		return nvml.SUCCESS
	}
	return f.call(gpu, field)
}

func (f *faultyNVML) lib() *mock.Interface {
	for i := range 2 {
		f.devs = append(f.devs, f.device(i))
	}
	return &mock.Interface{
		InitFunc:                       func() nvml.Return { return nvml.SUCCESS },
		ShutdownFunc:                   func() nvml.Return { return nvml.SUCCESS },
		ExtensionsFunc:                 func() nvml.ExtendedInterface { return nil },
		DeviceGetCountFunc:             func() (int, nvml.Return) { return len(f.devs), nvml.SUCCESS },
		SystemGetDriverVersionFunc:     func() (string, nvml.Return) { return "580.159.04", nvml.SUCCESS },
		SystemGetCudaDriverVersionFunc: func() (int, nvml.Return) { return 13000, nvml.SUCCESS },
		DeviceGetHandleByIndexFunc: func(i int) (nvml.Device, nvml.Return) {
			if i < 0 || i >= len(f.devs) {
				return nil, nvml.ERROR_INVALID_ARGUMENT
			}
			return f.devs[i], nvml.SUCCESS
		},
		EventSetCreateFunc: func() (nvml.EventSet, nvml.Return) { return f.eventSet(), nvml.SUCCESS },
		GpmQueryDeviceSupportFunc: func(nvml.Device) (nvml.GpmSupport, nvml.Return) {
			return nvml.GpmSupport{}, nvml.ERROR_NOT_SUPPORTED
		},
	}
}

func (f *faultyNVML) device(i int) *mock.Device {
	const total = 80 << 30
	used := uint64(8<<30) * uint64(i+1)
	return &mock.Device{
		GetUUIDFunc:           func() (string, nvml.Return) { return "GPU-fault-" + string(rune('0'+i)), nvml.SUCCESS },
		GetNameFunc:           func() (string, nvml.Return) { return "NVIDIA H100 80GB HBM3", nvml.SUCCESS },
		GetIndexFunc:          func() (int, nvml.Return) { return i, nvml.SUCCESS },
		GetAccountingModeFunc: func() (nvml.EnableState, nvml.Return) { return 0, nvml.ERROR_NOT_SUPPORTED },
		GetMemoryInfoFunc: func() (nvml.Memory, nvml.Return) {
			return nvml.Memory{Total: total, Used: used}, f.ret(i, "memory")
		},
		GetMemoryInfo_v2Func: func() (nvml.Memory_v2, nvml.Return) {
			return nvml.Memory_v2{Total: total, Used: used}, f.ret(i, "memory")
		},
		GetUtilizationRatesFunc: func() (nvml.Utilization, nvml.Return) {
			return nvml.Utilization{Gpu: 90, Memory: 40}, f.ret(i, "utilization")
		},
		GetTemperatureFunc:               func(nvml.TemperatureSensors) (uint32, nvml.Return) { return 60, f.ret(i, "temperature") },
		GetPowerUsageFunc:                func() (uint32, nvml.Return) { return 600_000, f.ret(i, "power") },
		GetEnforcedPowerLimitFunc:        func() (uint32, nvml.Return) { return 700_000, nvml.SUCCESS },
		GetTotalEnergyConsumptionFunc:    func() (uint64, nvml.Return) { return 1_000_000, f.ret(i, "energy") },
		GetClockInfoFunc:                 func(nvml.ClockType) (uint32, nvml.Return) { return 1980, f.ret(i, "clock") },
		GetCurrentClocksEventReasonsFunc: func() (uint64, nvml.Return) { return 0, f.ret(i, "throttle") },
		GetComputeRunningProcessesFunc:   func() ([]nvml.ProcessInfo, nvml.Return) { return nil, f.ret(i, "processes") },
		GetSamplesFunc: func(nvml.SamplingType, uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
			return nvml.VALUE_TYPE_UNSIGNED_INT, nil, nvml.ERROR_NOT_FOUND
		},
		GetSupportedEventTypesFunc: func() (uint64, nvml.Return) { return nvml.EventTypeXidCriticalError, nvml.SUCCESS },
		RegisterEventsFunc:         func(uint64, nvml.EventSet) nvml.Return { return nvml.SUCCESS },
	}
}

func (f *faultyNVML) eventSet() *mock.EventSet {
	return &mock.EventSet{
		FreeFunc: func() nvml.Return { return nvml.SUCCESS },
		WaitFunc: func(ms uint32) (nvml.EventData, nvml.Return) {
			if f.on.Load() {
				if f.waitFails {
					time.Sleep(5 * time.Millisecond)
					return nvml.EventData{}, nvml.ERROR_UNKNOWN
				}
				if f.xid != 0 && f.xidSent.CompareAndSwap(false, true) {
					return nvml.EventData{Device: f.devs[0], EventType: nvml.EventTypeXidCriticalError, EventData: f.xid}, nvml.SUCCESS
				}
			}
			time.Sleep(min(time.Duration(ms)*time.Millisecond, 10*time.Millisecond))
			return nvml.EventData{}, nvml.ERROR_TIMEOUT
		},
	}
}

// runFaulty runs a pipeline under a backend over f; the fault is on between
// the pipeline's FAULT and HEALTHY lines.
func runFaulty(t *testing.T, f *faultyNVML) result.Run {
	t.Helper()
	t.Setenv("CUDA_VISIBLE_DEVICES", "")
	b, err := nvmlprobe.NewWithLib(f.lib(), probes.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	markers, err := pipeline.NewMarkers(map[string]string{"fault": "^FAULT$", "healthy": "^HEALTHY$"})
	if err != nil {
		t.Fatal(err)
	}
	spec := pipeline.Spec{
		Name:    "faulty",
		Argv:    []string{"sh", "-c", "sleep 0.1; echo FAULT; sleep 0.3; echo HEALTHY; sleep 0.2"},
		Markers: markers, Grace: 300 * time.Millisecond, LogDir: t.TempDir(),
	}
	spec.Hooks.Stage = func(name string, _ time.Time) { f.on.Store(name == "fault") }
	run := Run(context.Background(), b, spec, Options{Interval: 10 * time.Millisecond})
	if run.Class != result.ExitOK {
		t.Fatalf("class %s (%s): the pipeline's own end was changed by the fault", run.Class, run.Error)
	}
	if run.GPU == nil || len(run.GPU.GPUs) != 2 {
		t.Fatalf("GPU summary %+v", run.GPU)
	}
	return run
}

// readings is how many memory readings GPU gpu has in stage.
func readings(run result.Run, gpu int, stage string) int64 {
	for _, g := range run.GPU.GPUs {
		if g.Index == gpu {
			return g.Stages[stage][result.MemUsed].Count
		}
	}
	return 0
}

func hasEvent(run result.Run, kind string, gpu int, text string) bool {
	for _, ev := range run.GPU.Events {
		if ev.Kind == kind && ev.GPU == gpu && strings.Contains(ev.Message, text) {
			return true
		}
	}
	return false
}

func TestNVMLCallsFailMidRun(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	f := &faultyNVML{call: func(gpu int, field string) nvml.Return {
		if gpu != 0 {
			return nvml.SUCCESS
		}
		mu.Lock()
		calls++
		mu.Unlock()
		return nvml.ERROR_UNKNOWN
	}}
	run := runFaulty(t, f)
	if calls == 0 {
		t.Fatal("the fault never came")
	}
	g := run.GPU
	if g.SampleErrors == 0 || !strings.Contains(g.LastError, "gpu 0:") || !strings.Contains(g.LastError, "ERROR_UNKNOWN") {
		t.Errorf("sample errors %d, last %q", g.SampleErrors, g.LastError)
	}
	if !hasEvent(run, "sample_error", 0, "gpu 0: memory info v2: ERROR_UNKNOWN") {
		t.Errorf("no sample_error event for GPU 0: %+v", g.Events)
	}
	if readings(run, 1, "fault") == 0 {
		t.Error("GPU 1 was not read while GPU 0 failed")
	}
	if readings(run, 0, "healthy") == 0 {
		t.Error("GPU 0 was not read again once its calls succeeded")
	}
}

func TestNVMLCallsTimeOutMidRun(t *testing.T) {
	// Each call of GPU 1 takes 15 ms, longer than the 10 ms interval, and
	// then times out.
	f := &faultyNVML{call: func(gpu int, field string) nvml.Return {
		if gpu != 1 || field != "memory" && field != "utilization" {
			return nvml.SUCCESS
		}
		time.Sleep(15 * time.Millisecond)
		return nvml.ERROR_TIMEOUT
	}}
	run := runFaulty(t, f)
	if !hasEvent(run, "sample_error", 1, "gpu 1: memory info v2: ERROR_TIMEOUT") {
		t.Errorf("no timeout recorded for GPU 1: %+v", run.GPU.Events)
	}
	if readings(run, 0, "fault") == 0 {
		t.Error("GPU 0 was not read while GPU 1 timed out")
	}
	if readings(run, 1, "healthy") == 0 {
		t.Error("GPU 1 was not read again once its calls answered")
	}
}

func TestNVMLGPULostMidRun(t *testing.T) {
	f := &faultyNVML{call: func(gpu int, field string) nvml.Return {
		if gpu == 1 {
			return nvml.ERROR_GPU_IS_LOST
		}
		return nvml.SUCCESS
	}}
	run := runFaulty(t, f)
	if !hasEvent(run, "gpu_lost", 1, "gpu lost (GPU-fault-1)") {
		t.Errorf("no gpu_lost event for GPU 1: %+v", run.GPU.Events)
	}
	if readings(run, 1, "healthy") != 0 {
		t.Error("a lost GPU was read again")
	}
	for _, g := range run.GPU.GPUs {
		if g.Index == 1 && g.Stats[result.MemUsed].Count == 0 {
			t.Error("the lost GPU's readings before the loss were not kept")
		}
	}
	if readings(run, 0, "healthy") == 0 || readings(run, 0, "fault") == 0 {
		t.Error("GPU 0 stopped being read when GPU 1 was lost")
	}
}

func TestNVMLEveryGPULostMidRun(t *testing.T) {
	f := &faultyNVML{call: func(int, string) nvml.Return { return nvml.ERROR_GPU_IS_LOST }}
	run := runFaulty(t, f)
	// Both are lost at the same tick: the reading as a whole fails, and is
	// filed under no GPU.
	if !hasEvent(run, "gpu_lost", -1, "every selected gpu is lost") {
		t.Errorf("the loss is not reported: %+v", run.GPU.Events)
	}
	if run.GPU.SampleErrors == 0 || !strings.Contains(run.GPU.LastError, "every selected gpu is lost") {
		t.Errorf("sample errors %d, last error %q", run.GPU.SampleErrors, run.GPU.LastError)
	}
	if run.GPU.Samples == 0 {
		t.Error("the readings before the loss were not kept")
	}
}

func TestNVMLXIDMidRun(t *testing.T) {
	f := &faultyNVML{xid: 79}
	run := runFaulty(t, f)
	if !run.GPU.XID {
		t.Error("XID flag not set")
	}
	found := false
	for _, ev := range run.GPU.Events {
		found = found || (ev.Kind == "xid" && ev.GPU == 0 && ev.Data == 79 && ev.Seconds > 0)
	}
	if !found {
		t.Errorf("no xid 79 event on GPU 0 inside the run: %+v", run.GPU.Events)
	}
	if readings(run, 0, "healthy") == 0 {
		t.Error("GPU 0 was not read after its XID")
	}
}

func TestNVMLEventWaitFailsMidRun(t *testing.T) {
	f := &faultyNVML{waitFails: true}
	run := runFaulty(t, f)
	if !strings.Contains(run.GPU.LastError, "watch events: wait for gpu events: 10 failures in a row") {
		t.Errorf("last error %q", run.GPU.LastError)
	}
	if readings(run, 0, "healthy") == 0 || readings(run, 1, "healthy") == 0 {
		t.Error("sampling stopped with the event watch")
	}
}
