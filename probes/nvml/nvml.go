// Package nvml is benchctl's GPU backend over NVIDIA's management library
// (github.com/NVIDIA/go-nvml). It reads memory, utilization, temperature,
// power, energy, SM clock, clocks-event reasons and running processes of the
// selected GPUs, the utilization and power samples the driver buffers between
// two ticks, each process's exact peak memory through accounting mode, and XID
// and ECC events.
//
// The NVML library is injected (NewWithLib) so tests run on
// go-nvml/pkg/nvml/mock; the registered factory uses nvml.New(). Where no
// driver is installed, Init returns ERROR_LIBRARY_NOT_FOUND and opening fails
// with an error wrapping probes.ErrUnavailable: "no GPU here", not a crash.
// Binaries must be linked with -ldflags=-extldflags=-Wl,-z,lazy for that.
package nvml

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

func init() {
	probes.Register(probes.Registration{Name: "nvml", Auto: true,
		Open: func(cfg probes.Config) (probes.Backend, error) { return NewWithLib(newLib(), cfg) }})
}

// newLib is the library the registered factory opens; tests put a mock there
// to drive --gpu-backend auto through the registry.
var newLib = func() nvml.Interface { return nvml.New() }

var (
	_ probes.Backend       = (*Backend)(nil)
	_ probes.Accounting    = (*Backend)(nil)
	_ probes.DriverSampler = (*Backend)(nil)
	_ probes.EventSource   = (*Backend)(nil)
	_ probes.Refresher     = (*Backend)(nil)
)

// Backend is a probes.Backend over NVML. It also implements probes.Accounting,
// probes.DriverSampler and probes.EventSource.
//
// Devices, Sample, DriverSamples, StartAccounting and AccountedPeaks are called
// from one goroutine at a time, as probes.Backend requires. WatchEvents may run
// on its own goroutine beside them; Close ends it (within one wait timeout)
// before shutting NVML down.
type Backend struct {
	lib nvml.Interface
	now func() time.Time

	all     []*device // every GPU NVML opened, by NVML index
	sel     []*device // the selected ones, by NVML index
	infos   []result.GPUInfo
	skipped []string

	driver string
	cuda   string

	// Whether the loaded library has these symbols: calling a missing one
	// through a lazily bound binary aborts the process, so look first.
	memV2        bool
	eventReasons bool

	// Scratch reused across ticks; never handed out.
	procs []probes.ProcessMem
	spans []span

	// paced: fields are read at their own periods (Pace); slack is half the
	// sampling interval. refreshSample and refreshDriver make the next Sample
	// and the next DriverSamples read every field (Refresh).
	paced         bool
	slack         time.Duration
	refreshSample bool
	refreshDriver bool
	cost          *costs // nil unless CostEnv is set

	mu       sync.Mutex // guards closed, restores and watchers.Add
	closed   bool
	closing  chan struct{}
	watchers sync.WaitGroup
	restores []func() error
}

// device is one GPU NVML opened and what the backend remembers of it.
type device struct {
	h    nvml.Device
	info result.GPUInfo
	// skip holds the fields not read again: not supported, or denied.
	skip field
	// lost is set once the GPU answered ERROR_GPU_IS_LOST; it is not read again.
	lost bool
	// drv is what the backend remembers of each driver sample buffer, per
	// entry of samplingTypes.
	drv [len(samplingTypes)]driverBuf
	// energy and energyAt cache the energy counter: see energyPeriod.
	energy   uint64
	energyAt time.Time
	// gpm is nil where the GPU has no performance monitoring.
	gpm *gpmState
	// readAt is when each paced field was last read, by field bit; held is
	// what those reads gave.
	readAt [numFields]time.Time
	held   held
}

// energyPeriod is how often the total energy counter is read between the
// first reading and the one Refresh asks for at the end of a run. On an H200
// (driver 580) nvmlDeviceGetTotalEnergyConsumption takes 3.9 ms, a hundred
// times a memory read; the counter only serves the run's energy (last minus
// first, both read fresh), so the reads between only guard against a final
// reading that fails, and cost 0.013% of a core at this period.
const energyPeriod = 30 * time.Second

// want reports whether field f of d should be read this time.
func (d *device) want(f field) bool { return !d.lost && d.skip&f == 0 }

// Name implements probes.Backend.
func (*Backend) Name() string { return "nvml" }

// Devices implements probes.Backend: the selected GPUs, by NVML index. The
// slice is the caller's.
func (b *Backend) Devices() []result.GPUInfo { return slices.Clone(b.infos) }

// AllDevices lists every GPU NVML could open, selected or not, by NVML index.
// It is the list MapCUDAVisible expects.
func (b *Backend) AllDevices() []result.GPUInfo {
	out := make([]result.GPUInfo, len(b.all))
	for i, d := range b.all {
		out[i] = d.info
	}
	return out
}

// Skipped says, one line a GPU, which GPUs NVML counted but could not open
// (no permission to its device file, lost), for `benchctl gpus`.
func (b *Backend) Skipped() []string { return slices.Clone(b.skipped) }

// DriverVersion is the NVIDIA driver version ("580.159.04"), or "" when NVML
// did not say.
func (b *Backend) DriverVersion() string { return b.driver }

// CUDAVersion is the newest CUDA version the driver supports ("13.0"), or ""
// when NVML did not say.
func (b *Backend) CUDAVersion() string { return b.cuda }

// Close implements probes.Backend. It ends running WatchEvents calls, restores
// the accounting modes that StartAccounting changed and whose restore function
// was not called, and shuts NVML down.
func (b *Backend) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	close(b.closing)
	restores := b.restores
	b.restores = nil
	b.mu.Unlock()

	b.watchers.Wait()
	b.closeGPM()
	b.cost.write(b.driverBufferLines())
	var errs []error
	for _, restore := range restores {
		if err := restore(); err != nil {
			errs = append(errs, err)
		}
	}
	if ret := b.lib.Shutdown(); ret != nvml.SUCCESS {
		errs = append(errs, wrapRet("nvml shutdown", ret))
	}
	return errors.Join(errs...)
}
