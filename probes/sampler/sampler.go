// Package sampler turns a probes.Backend's readings into the result model's
// GPU and host summaries: it samples on its own goroutine at a fixed interval
// and feeds streaming aggregators (count, min, max, mean, p50, p95 per metric
// per GPU and per stage, a bounded min/max timeline, energy, throttle reasons,
// per-process peaks, events), whose memory does not grow with the length of
// the run.
package sampler

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// DefaultInterval is the sampling interval when Options gives none.
const DefaultInterval = 10 * time.Millisecond

// Bounds on what a run may add.
const (
	// maxStages is the most distinct stage names kept; samples of later new
	// stages count for the run but for no stage.
	maxStages = 64
	// maxGPUs is the most GPUs the sampler follows.
	maxGPUs = 64
	// defaultHostPeriod is how often the process tree is read: every
	// ceil(HostPeriod/Interval) ticks, 25 at the default interval, and at once
	// when a GPU shows a pid not known to be in or out of the tree. A reading
	// walks /proc for the tree (a stat and a children file per process). Host
	// CPU is a difference of counters and loses nothing; a host RSS peak shorter
	// than 250 ms can be missed. Four walks a second instead of ten cut the
	// walks' syscalls, and the runtime's wake-ups around their blocking reads,
	// by 60%.
	defaultHostPeriod = 250 * time.Millisecond
	// driverPeriod is how often the sampler asks for the driver's buffered
	// samples. A paced backend reads each of its buffers at its own, longer
	// period (on NVML, half the time the buffer holds, up to 5 s: one
	// nvmlDeviceGetSamples of utilization costs 2.8 ms on an H200) and answers
	// the asks between with nothing, at no cost. Each sample belongs to the
	// stage current at its own timestamp (stageLog).
	defaultDriverPeriod = 250 * time.Millisecond
	// driverStale: a GPU and metric whose newest driver sample is older than
	// this (behind the newest of all) no longer holds back DriverSamples' since.
	// It is well above the longest period a backend reads a buffer at, so a
	// buffer read rarely is never skipped past.
	driverStale = 30 * time.Second
)

// Options configure a Sampler. The zero value samples every 10 ms on the real
// clock, with no host figures and no accounting.
type Options struct {
	// Interval is the sampling interval (default 10 ms).
	Interval time.Duration
	// TimelineBuckets is the capacity of each GPU's timeline (default 512).
	TimelineBuckets int
	// Clock is the time source (default RealClock()).
	Clock Clock
	// Host reads the pipeline's process tree, for host figures and to
	// attribute GPU processes to the pipeline; nil means no host figures, and
	// only the root itself is attributed.
	Host HostProbe
	// Accounting uses probes.Accounting, when the backend has it, for exact
	// per-process peaks.
	Accounting bool
	// HostPeriod is how often Host reads the tree (default 250 ms; at most
	// once a tick).
	HostPeriod time.Duration
	// DriverPeriod is how often the driver's buffered samples are asked for,
	// when the backend has them (default 250 ms; at most once a tick). A paced
	// backend may answer with nothing until its own period for a buffer is due.
	DriverPeriod time.Duration
}

// Sampler samples a backend over one run. Start it, tell it the pipeline's pid
// and stages as they become known, and Stop it for the summaries. Its methods
// are safe for concurrent use.
//
// Per GPU, the summary holds Stats of memory used and reserved (reserved only
// when the backend ever reported it), utilization of GPU and memory,
// temperature, power and SM clock, over the run and per stage; the energy
// counter's difference between the first and last readings; a timeline of
// memory used, GPU utilization, power and temperature; the slope of the memory
// floor (FloorSlope); the memory used at the first and last readings; and the
// throttle reasons seen (ThrottleReasons).
//
// Driver samples: when the backend is a probes.DriverSampler, every tick also
// reads the utilization and power samples the driver buffered since the last
// read. For each GPU and metric, the Stat of the run (and of each stage) is
// computed from the driver's samples alone when it got at least one, and from
// the ticks' readings alone otherwise: the two are never mixed, so no moment
// is counted twice. Driver samples also go into the timeline, at their own
// time, so a power peak between ticks survives; they belong to the stage
// current at their own timestamp, however late they are read.
// GPURun.DriverSamples counts them.
//
// Errors: each failed reading (a Sample error, each of Snapshot.Errors, a
// DriverSamples or WatchEvents error) counts in SampleErrors and LastError,
// and the first occurrence of each distinct message is an event ("gpu_lost"
// when it wraps probes.ErrGPULost, "sample_error" otherwise, at most 50);
// sampling goes on. Backend events are kept too, with times made relative to
// the start, at most 100 events in all; an "xid" event sets XID even when it is
// not kept.
type Sampler struct {
	b         probes.Backend
	opts      Options
	clock     Clock
	start     time.Time
	hostEvery int
	drvEvery  int // ticks between reads of the driver's buffered samples

	drv     probes.DriverSampler // nil: none, or it reported it cannot
	acct    probes.Accounting    // nil unless accounting was started
	restore func() error

	cancel   context.CancelFunc
	loopDone chan struct{}
	nowReq   chan chan struct{} // SampleNow's requests to the sampling goroutine
	evDone   chan struct{}      // nil without an event source

	stopOnce sync.Once
	gpuSum   *result.GPUSummary
	hostSum  *result.HostSummary

	// Owned by the sampling goroutine, then by Stop once it has ended.
	ticks     int64
	samples   int64
	gpus      []*gpuAgg
	byIndex   map[int]*gpuAgg
	hostAgg   hostAgg
	procs     procAgg
	treeRoot  int // the root procs.tree was last read for
	drvSince  time.Time
	drvNewest time.Time
	drvLatest map[driverKey]time.Time // newest driver sample per GPU and metric
	marks     []stageMark             // scratch: the stage log as of a fold
	pending   []pendingReading        // tick readings whose stage is not settled yet, oldest first

	mu          sync.Mutex // guards what follows, and writes to procs.tree
	root        int
	rootChanged bool
	stageNames  []string
	stageIDs    map[string]int
	stageLog    stageLog
	latest      probes.Snapshot
	events      eventLog
	accErr      error
}

// Start opens accounting when asked, takes a first sample at once (the
// baseline), then samples b every Interval on its own goroutine until Stop or
// until ctx ends. The backend stays the caller's: Stop does not close it.
func Start(ctx context.Context, b probes.Backend, opts Options) *Sampler {
	s := newSampler(b, opts)
	if opts.Accounting {
		s.startAccounting()
	}
	if p, ok := s.b.(probes.Paced); ok {
		p.Pace(s.opts.Interval)
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.loopDone = make(chan struct{})
	s.nowReq = make(chan chan struct{})
	if es, ok := s.b.(probes.EventSource); ok {
		s.watchEvents(ctx, es)
	}
	tk := s.clock.NewTicker(s.opts.Interval)
	s.tick(s.start, false)
	go s.loop(ctx, tk)
	return s
}

// newSampler returns a sampler with its options defaulted and no goroutine.
func newSampler(b probes.Backend, opts Options) *Sampler {
	if b == nil {
		b = probes.None("no backend")
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.TimelineBuckets <= 0 {
		opts.TimelineBuckets = DefaultTimelineBuckets
	}
	if opts.HostPeriod <= 0 {
		opts.HostPeriod = defaultHostPeriod
	}
	if opts.DriverPeriod <= 0 {
		opts.DriverPeriod = defaultDriverPeriod
	}
	if opts.Clock == nil {
		opts.Clock = RealClock()
	}
	s := &Sampler{
		b:         b,
		opts:      opts,
		clock:     opts.Clock,
		hostEvery: max(1, int((opts.HostPeriod+opts.Interval-1)/opts.Interval)),
		drvEvery:  max(1, int((opts.DriverPeriod+opts.Interval-1)/opts.Interval)),
		byIndex:   make(map[int]*gpuAgg),
		procs:     newProcAgg(),
		drvLatest: make(map[driverKey]time.Time),
		stageIDs:  make(map[string]int),
	}
	s.start = s.clock.Now()
	s.drvSince = s.start
	if d, ok := b.(probes.DriverSampler); ok {
		s.drv = d
	}
	for _, info := range b.Devices() {
		s.gpu(info)
	}
	return s
}

// gpu returns the aggregator of the GPU info describes, adding it if it is
// new and there is room.
func (s *Sampler) gpu(info result.GPUInfo) *gpuAgg {
	if g := s.byIndex[info.Index]; g != nil {
		return g
	}
	if len(s.gpus) >= maxGPUs {
		return nil
	}
	g := newGPUAgg(info, s.opts.TimelineBuckets, s.opts.Interval)
	s.gpus = append(s.gpus, g)
	s.byIndex[info.Index] = g
	return g
}

// loop samples on every tick until ctx ends.
//
// It keeps to one OS thread (runtime.LockOSThread). A tick then wakes that
// thread alone, handed the processor by whichever thread ran the timer, and
// its backend calls (cgo into NVML, /proc reads) leave the runtime nothing to
// balance; unlocked, a tick also started a spinning thread to look for work
// and kept the runtime's monitor thread (sysmon) polling every 20 us through
// the tick. Measured with the sim backend at 10 ms: context switches from
// about 1,200 to 550 a second, most of them sysmon's (BENCHMARKS.md,
// section 2).
func (s *Sampler) loop(ctx context.Context, tk Ticker) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(s.loopDone)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tk.C():
			s.tick(now, false)
		case done := <-s.nowReq:
			s.tick(s.clock.Now(), false)
			close(done)
		}
	}
}

// SampleNow has the sampling goroutine take a reading at once and returns
// it (Latest once sampling has ended): a fresh reading for the caller without
// a second goroutine sampling the backend, which probes.Backend forbids. The
// reading counts in the summaries like any other.
func (s *Sampler) SampleNow() probes.Snapshot {
	if s.nowReq != nil {
		done := make(chan struct{})
		select {
		case s.nowReq <- done:
			<-done
		case <-s.loopDone:
		}
	}
	return s.Latest()
}

// Stop ends sampling: it stops the goroutines, takes a final sample (the
// "after" figures), reads exact peaks when accounting is on and restores the
// accounting mode, then returns the summaries. The host summary is nil when
// no tree reading succeeded. Later calls return the same summaries.
func (s *Sampler) Stop() (*result.GPUSummary, *result.HostSummary) {
	s.stopOnce.Do(func() {
		if s.cancel != nil { // nil, with loopDone, on a sampler that was never started
			s.cancel()
			<-s.loopDone
		}
		if r, ok := s.b.(probes.Refresher); ok {
			r.Refresh() // the final reading reads every field: energy's last
		}
		final := s.clock.Now()
		s.tick(final, true)
		s.foldPending(final) // every stage has started by now
		if s.evDone != nil {
			<-s.evDone
		}
		exact := s.stopAccounting()
		s.gpuSum, s.hostSum = s.summaries(exact)
	})
	return s.gpuSum, s.hostSum
}

// summaries builds the results once sampling has ended.
func (s *Sampler) summaries(exact []result.ProcessPeak) (*result.GPUSummary, *result.HostSummary) {
	s.mu.Lock()
	stageNames := slices.Clone(s.stageNames)
	ev := s.events.sorted()
	gs := &result.GPUSummary{
		Backend:         s.b.Name(),
		IntervalSeconds: s.opts.Interval.Seconds(),
		Samples:         s.samples,
		SampleErrors:    s.events.sampleErrors,
		LastError:       s.events.lastError,
		XID:             s.events.xid,
		GPUs:            make([]result.GPURun, 0, len(s.gpus)),
	}
	s.mu.Unlock()
	if len(ev) > 0 {
		gs.Events = ev
	}
	for _, g := range s.gpus {
		gs.GPUs = append(gs.GPUs, g.result(stageNames))
	}
	if p := s.procs.result(exact); len(p) > 0 {
		gs.Processes = p
	}
	return gs, s.hostAgg.result()
}
