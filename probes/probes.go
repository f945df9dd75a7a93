// Package probes defines how benchctl reads GPUs: the Backend interface that each
// backend (nvml, sim, none) implements, the optional capabilities a backend may
// have (exact per-process peaks, driver-buffered samples, events), and the
// registry the CLI chooses a backend and learns its flags from. A backend is one
// folder that registers itself in init; probes/all imports them all. Probes know nothing of Lua or of reports; the
// sampler in probes/sampler turns their readings into result summaries.
package probes

import (
	"context"
	"errors"
	"time"

	"github.com/benchctl/benchctl/result"
)

// ErrUnavailable is returned (wrapped, with the reason) when a backend cannot be
// used on this machine: no library, no devices, no permission. It means "no GPU
// here", never a crash.
var ErrUnavailable = errors.New("gpu backend unavailable")

// ErrGPULost is returned (wrapped) by Sample when a GPU stopped answering.
var ErrGPULost = errors.New("gpu lost")

// GPUSample is one reading of one GPU. Fields a backend cannot read are NaN
// (floats) or zero (counters).
type GPUSample struct {
	Index       int
	MemUsed     uint64 // bytes
	MemTotal    uint64
	MemReserved uint64  // driver-reserved bytes, where the driver reports them
	UtilGPU     float64 // percent
	UtilMem     float64 // percent
	TempC       float64
	PowerW      float64
	EnergyMJ    uint64 // total energy counter since driver load, millijoules
	SMClockMHz  float64
	Throttle    uint64 // NVML clocks-event reason bit mask
	// What the GPU's streaming multiprocessors did, in percent, from GPU
	// performance monitoring (GPM, Hopper and later) where the backend has it,
	// NaN elsewhere. Unlike UtilGPU, which says a kernel was running, these say
	// how much of the GPU worked: a launch-bound phase of tiny kernels reads
	// about 20% UtilGPU and 0% SMActivity on an H200. They are read only when
	// GPM is set, so a backend without GPM leaves them as they are.
	GPM            bool
	SMActivity     float64
	SMOccupancy    float64
	TensorActivity float64
	DRAMBandwidth  float64
	Processes      []ProcessMem
}

// ProcessMem is a process's GPU memory on one GPU.
type ProcessMem struct {
	PID  int
	Used uint64 // bytes
}

// Snapshot is one reading of every selected GPU.
type Snapshot struct {
	Time time.Time
	GPUs []GPUSample
	// Errors holds per-GPU failures of this reading; the other GPUs' samples are
	// still in GPUs. A failing call is recorded and sampling goes on.
	Errors []error
}

// Backend is a source of GPU readings.
//
// Devices and Sample are called from one goroutine at a time (the sampler, or the
// engine between runs), never concurrently. Sample is called at the sampling
// interval (10 ms by default) and must not block for longer than a few
// milliseconds; it must not allocate more than the sample it returns.
type Backend interface {
	// Name is the registry name ("nvml", "sim", "none").
	Name() string
	// Devices lists the selected GPUs in the order Sample reports them.
	Devices() []result.GPUInfo
	// Sample reads every selected GPU once.
	Sample() (Snapshot, error)
	// Close releases the backend. Nothing is called after it.
	Close() error
}

// Accounting is implemented by backends that can report each process's exact
// peak memory after it ends (NVML accounting mode).
type Accounting interface {
	// StartAccounting turns accounting on for the selected GPUs where it can and
	// returns a function that restores the mode it found. It returns an error
	// wrapping ErrUnavailable when accounting cannot be used (not root, say).
	StartAccounting() (restore func() error, err error)
	// AccountedPeaks returns the exact peak of each of pids on each GPU it ran on.
	AccountedPeaks(pids []int) ([]result.ProcessPeak, error)
}

// DriverSample is a utilization or power sample buffered by the driver.
type DriverSample struct {
	GPU     int
	Time    time.Time
	UtilGPU float64 // NaN when this sample carries no utilization
	PowerW  float64 // NaN when this sample carries no power
}

// DriverSampler is implemented by backends that can read the samples the driver
// buffered between two of our ticks (nvmlDeviceGetSamples), so averages use every
// driver sample and not only those at our ticks.
type DriverSampler interface {
	// DriverSamples returns the samples buffered after since. Called from the
	// sampling goroutine, at most once a tick.
	DriverSamples(since time.Time) ([]DriverSample, error)
}

// Paced is implemented by backends that can read what changes slowly
// (temperature, clocks, power, the process list) less often than every Sample,
// holding its last value in between. The sampler calls Pace once, before its
// first Sample, with its sampling interval; a backend never paced reads every
// field at every Sample. Memory is read at every Sample either way.
type Paced interface {
	Pace(interval time.Duration)
}

// EventSource is implemented by backends that report XID and ECC events.
type EventSource interface {
	// WatchEvents delivers events on ch until ctx ends. It blocks; the sampler
	// runs it on its own goroutine. Event.Seconds holds the Unix time in seconds;
	// the sampler makes it relative to the run.
	WatchEvents(ctx context.Context, ch chan<- result.Event) error
}

// Config is what a backend is opened with: what every backend understands.
// A backend's own settings come as the values of its flags.
type Config struct {
	// Select lists GPUs by index or UUID; empty means all.
	Select []string
	// Flags holds values of the backend's own flags (see Flag) by name, as
	// given on the command line. The backend takes a flag left out, or empty,
	// at its default.
	Flags map[string]string
}

// ChildEnv is implemented by backends whose pipelines need environment variables
// to take part (the sim backend names its state directory this way). The runner
// adds them to every pipeline it starts.
type ChildEnv interface {
	ChildEnv() []string
}

// Refresher is implemented by Paced backends. Refresh makes the next Sample,
// and the next DriverSamples, read every field whatever its period, so the
// reading that closes a run is fresh: the energy counter, read rarely, gives
// the run's energy as its last reading minus its first. The sampler calls it
// once, before its final reading.
type Refresher interface {
	Refresh()
}
