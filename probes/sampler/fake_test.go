package sampler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/probes/host"
	"github.com/benchctl/benchctl/result"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

const (
	gib = 1 << 30
	iv  = 10 * time.Millisecond
)

// scriptedBackend is a fake probes.Backend whose k-th reading (k from 0) is
// script(k). Every call is announced on sampled, so a test knows a tick has
// read its stage and root before it changes them.
type scriptedBackend struct {
	devices []result.GPUInfo
	script  func(k int) (probes.Snapshot, error)
	calls   int // touched by the sampler's goroutines one at a time
	sampled chan int
}

var _ probes.Backend = (*scriptedBackend)(nil)

func newScripted(gpus int, script func(k int) (probes.Snapshot, error)) *scriptedBackend {
	b := &scriptedBackend{script: script, sampled: make(chan int, 1<<16)}
	for i := range gpus {
		b.devices = append(b.devices, result.GPUInfo{Index: i, UUID: fmt.Sprintf("GPU-%d", i), Name: "Fake H100", MemoryTotal: 80 * gib})
	}
	return b
}

func (b *scriptedBackend) Name() string              { return "fake" }
func (b *scriptedBackend) Devices() []result.GPUInfo { return b.devices }
func (b *scriptedBackend) Close() error              { return nil }
func (b *scriptedBackend) Sample() (probes.Snapshot, error) {
	k := b.calls
	b.calls++
	select {
	case b.sampled <- k:
	default:
	}
	return b.script(k)
}

// gpuAt is GPU g's reading at call k: memory (k+1)·(g+1) GiB, utilization k,
// power 100+k, energy 1000 J + k·10 J, and the throttle bits given.
func gpuAt(g, k int, throttle uint64, procs ...probes.ProcessMem) probes.GPUSample {
	return probes.GPUSample{
		Index:      g,
		MemUsed:    uint64((k + 1) * (g + 1) * gib),
		MemTotal:   80 * gib,
		UtilGPU:    float64(k),
		UtilMem:    float64(k) / 2,
		TempC:      50,
		PowerW:     float64(100 + k),
		EnergyMJ:   uint64(1_000_000 + k*10_000),
		SMClockMHz: 1980,
		Throttle:   throttle,
		Processes:  procs,
	}
}

// driverBackend adds probes.DriverSampler to a scripted backend.
type driverBackend struct {
	*scriptedBackend
	drv    func(k int, since time.Time) ([]probes.DriverSample, error)
	dcalls int
	sinces []time.Time
}

var _ probes.DriverSampler = (*driverBackend)(nil)

func (b *driverBackend) DriverSamples(since time.Time) ([]probes.DriverSample, error) {
	k := b.dcalls
	b.dcalls++
	b.sinces = append(b.sinces, since)
	return b.drv(k, since)
}

// eventBackend adds probes.EventSource: it sends events, closes sent, and
// blocks until ctx ends.
type eventBackend struct {
	*scriptedBackend
	events []result.Event
	err    error
	sent   chan struct{}
}

var _ probes.EventSource = (*eventBackend)(nil)

func (b *eventBackend) WatchEvents(ctx context.Context, ch chan<- result.Event) error {
	for _, ev := range b.events {
		select {
		case ch <- ev:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	close(b.sent)
	if b.err != nil {
		return b.err
	}
	<-ctx.Done()
	return ctx.Err()
}

// acctBackend adds probes.Accounting.
type acctBackend struct {
	*scriptedBackend
	startErr  error
	peaksErr  error
	peaks     []result.ProcessPeak
	started   int
	restored  int
	askedPIDs []int
}

var _ probes.Accounting = (*acctBackend)(nil)

func (b *acctBackend) StartAccounting() (func() error, error) {
	b.started++
	if b.startErr != nil {
		return nil, b.startErr
	}
	return func() error { b.restored++; return nil }, nil
}

func (b *acctBackend) AccountedPeaks(pids []int) ([]result.ProcessPeak, error) {
	b.askedPIDs = slices.Clone(pids)
	return b.peaks, b.peaksErr
}

// fakeHost is a HostProbe whose k-th call (k from 0) returns script(k, root).
type fakeHost struct {
	mu     sync.Mutex
	script func(k, root int) (host.TreeSample, error)
	calls  int
}

func (h *fakeHost) Sample(root int) (host.TreeSample, error) {
	h.mu.Lock()
	k := h.calls
	h.calls++
	h.mu.Unlock()
	return h.script(k, root)
}

func (h *fakeHost) Calls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls
}

// harness runs a Sampler on a fake clock, one tick at a time.
type harness struct {
	t     *testing.T
	clock *FakeClock
	b     *scriptedBackend
	s     *Sampler
}

// start starts a sampler on b (whose scripted part is sb) and waits for the
// first reading.
func start(t *testing.T, b probes.Backend, sb *scriptedBackend, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, clock: NewFakeClock(t0), b: sb}
	opts.Clock = h.clock
	if opts.Interval == 0 {
		opts.Interval = iv
	}
	h.s = Start(context.Background(), b, opts)
	h.wait()
	t.Cleanup(func() { h.s.Stop() })
	return h
}

// wait waits for the backend's next reading.
func (h *harness) wait() {
	h.t.Helper()
	select {
	case <-h.b.sampled:
	case <-time.After(time.Minute): // a hang, not a timing assumption
		h.t.Fatal("no sample taken")
	}
}

// ticks advances the clock n intervals, waiting after each for the reading it
// starts: when it returns, every tick has read its stage and root.
func (h *harness) ticks(n int) {
	for range n {
		h.clock.Advance(h.s.opts.Interval)
		h.wait()
	}
}

// errGPU is a backend error that names its GPU.
type errGPU struct {
	gpu int
	err error
}

func (e errGPU) Error() string { return fmt.Sprintf("gpu %d: %v", e.gpu, e.err) }
func (e errGPU) Unwrap() error { return e.err }
func (e errGPU) GPUIndex() int { return e.gpu }

var errBoom = errors.New("boom")

// approx reports whether a and b agree to 1e-9 relative.
func approx(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
