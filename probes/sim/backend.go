package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// Defaults for a zero Config.
const (
	DefaultGPUs   = 4
	DefaultMemory = 80 << 30 // bytes, an 80 GiB H100
)

// The simulated sensors (see PROTOCOL.md).
const (
	idleTempC    = 30
	tempPerUtil  = 0.4
	idlePowerW   = 70
	powerPerUtil = 6
	busyClockMHz = 1980
	idleClockMHz = 345
	eventPoll    = 50 * time.Millisecond
)

// Backend is the sim backend: simulated GPUs read from a state directory. It
// implements probes.Backend, probes.Accounting, probes.EventSource and
// probes.ChildEnv.
type Backend struct {
	dir    string
	ownDir bool // created by New, removed by Close
	gpus   []result.GPUInfo

	// Injected for tests.
	now       func() time.Time
	alive     func(pid int) bool
	pollEvery time.Duration

	// Sample's own state: only the sampling goroutine touches it.
	energyMJ []float64 // per selected GPU
	gpm      bool      // the simulated GPUs have GPM figures
	lastTick time.Time
	busy     busyReader

	mu        sync.Mutex // guards eventOff and skipLine
	eventOff  int64      // where the next watcher reads events.jsonl from
	skipLine  bool       // the line at eventOff is the rest of one over maxEventRead
	closeOnce sync.Once
	closeErr  error
}

var (
	_ probes.Backend     = (*Backend)(nil)
	_ probes.Accounting  = (*Backend)(nil)
	_ probes.EventSource = (*Backend)(nil)
	_ probes.ChildEnv    = (*Backend)(nil)
)

// New opens the sim backend: cfg.GPUs GPUs (default 4) of cfg.Memory bytes
// (default 80 GiB) in cfg.Dir (default a new temporary directory, removed by
// Close), of which cfg.Select picks some by index or UUID. It writes gpus.json.
func New(cfg Config) (*Backend, error) {
	n := cfg.GPUs
	if n == 0 {
		n = DefaultGPUs
	}
	if n < 0 {
		return nil, fmt.Errorf("sim: %d gpus: the count must be positive", n)
	}
	if n > MaxGPUs {
		return nil, fmt.Errorf("sim: %d gpus: at most %d", n, MaxGPUs)
	}
	mem := cfg.Memory
	if mem == 0 {
		mem = DefaultMemory
	}
	all := make([]result.GPUInfo, n)
	doc := gpusDoc{GPUs: make([]gpuEntry, n)}
	for i := range all {
		doc.GPUs[i] = gpuEntry{Index: i, UUID: uuidFor(i), Name: gpuName, MemoryTotal: mem}
		all[i] = gpuInfo(doc.GPUs[i])
		all[i].GPM = !cfg.NoGPM
		if cfg.NoGPM {
			all[i].GPMWhy = "simulated gpu without gpm (--sim-gpm=false)"
		}
	}
	selected, err := selectGPUs(all, cfg.Select)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}

	b := &Backend{
		dir:       cfg.Dir,
		gpus:      selected,
		now:       time.Now,
		alive:     processAlive,
		pollEvery: eventPoll,
		energyMJ:  make([]float64, len(selected)),
		gpm:       !cfg.NoGPM,
	}
	if b.dir == "" {
		if b.dir, err = os.MkdirTemp("", "benchctl-sim-"); err != nil {
			return nil, fmt.Errorf("sim: state dir: %w", err)
		}
		b.ownDir = true
	} else if b.dir, err = filepath.Abs(b.dir); err != nil {
		return nil, fmt.Errorf("sim: state dir: %w", err) // the pipeline may run elsewhere
	} else if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return nil, fmt.Errorf("sim: state dir: %w", err)
	}
	data, err := json.Marshal(doc)
	if err == nil {
		err = writeAtomic(b.dir, gpusFile, append(data, '\n'))
	}
	if err != nil {
		if b.ownDir {
			os.RemoveAll(b.dir)
		}
		return nil, fmt.Errorf("sim: %w", err)
	}
	if fi, err := os.Stat(filepath.Join(b.dir, eventsFile)); err == nil {
		b.eventOff = fi.Size() // events from before this backend are not ours
	}
	b.lastTick = b.now()
	return b, nil
}

// selectGPUs picks GPUs by index or UUID, in the order given, each once; an
// empty selection is every GPU.
func selectGPUs(all []result.GPUInfo, sel []string) ([]result.GPUInfo, error) {
	var out []result.GPUInfo
	seen := map[int]bool{}
	for _, s := range sel {
		if strings.TrimSpace(s) == "" {
			continue // "0,,1" or a trailing comma
		}
		g, err := lookupGPU(all, s)
		if err != nil {
			return nil, fmt.Errorf("select: %w", err)
		}
		if !seen[g.Index] {
			seen[g.Index] = true
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		return all, nil
	}
	return out, nil
}

// Name implements probes.Backend.
func (*Backend) Name() string { return "sim" }

// Dir returns the state directory.
func (b *Backend) Dir() string { return b.dir }

// ChildEnv implements probes.ChildEnv: the variable that names the state
// directory to the pipeline.
func (b *Backend) ChildEnv() []string { return []string{EnvDir + "=" + b.dir} }

// Devices implements probes.Backend.
func (b *Backend) Devices() []result.GPUInfo {
	return append([]result.GPUInfo(nil), b.gpus...)
}

// Sample implements probes.Backend. It reads the proc files of live processes;
// a corrupt file or a lost GPU is an error in Snapshot.Errors, not a failure of
// the whole reading.
func (b *Backend) Sample() (probes.Snapshot, error) {
	now := b.now()
	procs, errs, err := b.liveProcs()
	if err != nil {
		return probes.Snapshot{Time: now}, fmt.Errorf("sim: %w", err)
	}
	prev := b.lastTick
	dt := now.Sub(prev).Seconds()
	b.lastTick = now

	snap := probes.Snapshot{Time: now, GPUs: make([]probes.GPUSample, 0, len(b.gpus)), Errors: errs}
	for i, g := range b.gpus {
		if b.lost(g.Index) {
			snap.Errors = append(snap.Errors, fmt.Errorf("sim gpu %d: %w", g.Index, probes.ErrGPULost))
			continue
		}
		s := probes.GPUSample{Index: g.Index, MemTotal: g.MemoryTotal, GPM: b.gpm}
		for _, p := range procs {
			u, ok := p.gpus[g.Index]
			if !ok {
				continue
			}
			util, sm := b.busy.read(p, g.Index, u, prev, now)
			s.MemUsed += u.Used
			s.UtilGPU += util
			s.UtilMem += u.MemUtil
			s.SMActivity += sm
			if u.Used > 0 {
				s.Processes = append(s.Processes, probes.ProcessMem{PID: p.pid, Used: u.Used})
			}
		}
		s.UtilGPU = math.Min(100, s.UtilGPU)
		s.UtilMem = math.Min(100, s.UtilMem)
		if b.gpm {
			simGPM(&s)
		}
		s.TempC = idleTempC + s.UtilGPU*tempPerUtil
		s.PowerW = idlePowerW + s.UtilGPU*powerPerUtil
		s.SMClockMHz = idleClockMHz
		if s.UtilGPU > 0 {
			s.SMClockMHz = busyClockMHz
		}
		if dt > 0 {
			b.energyMJ[i] += s.PowerW * dt * 1000
		}
		s.EnergyMJ = uint64(b.energyMJ[i])
		snap.GPUs = append(snap.GPUs, s)
	}
	b.busy.done()
	return snap, nil
}

// liveProcs parses the proc files of live processes, in pid order. Files that
// cannot be parsed are returned as errors; a failure to list the directory is
// the returned err.
func (b *Backend) liveProcs() ([]procState, []error, error) {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("read state dir: %w", err)
	}
	var procs []procState
	var errs []error
	for _, e := range entries {
		pid, ok := procPID(e.Name())
		if !ok || !b.alive(pid) {
			continue
		}
		st, err := readProc(b.dir, pid)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Removed between the listing and the read.
		case err != nil:
			errs = append(errs, err)
		default:
			procs = append(procs, st)
		}
	}
	sort.Slice(procs, func(i, j int) bool { return procs[i].pid < procs[j].pid })
	return procs, errs, nil
}

func (b *Backend) lost(index int) bool {
	_, err := os.Stat(b.lostPath(index))
	return err == nil
}

func (b *Backend) lostPath(index int) string {
	return filepath.Join(b.dir, lostPrefix+strconv.Itoa(index))
}

// SetLost makes GPU index stop answering (lost true) or come back, by creating
// or removing <dir>/lost-<index>: fault injection for scenarios and tests.
func (b *Backend) SetLost(index int, lost bool) error {
	var err error
	if lost {
		err = os.WriteFile(b.lostPath(index), nil, 0o644)
	} else if err = os.Remove(b.lostPath(index)); errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("sim: set gpu %d lost: %w", index, err)
	}
	return nil
}

// StartAccounting implements probes.Accounting. Simulated accounting is always
// on; there is nothing to restore.
func (b *Backend) StartAccounting() (func() error, error) {
	return func() error { return nil }, nil
}

// AccountedPeaks implements probes.Accounting: the "peak" of each pid's proc
// file on each selected GPU, whether the process is alive or not, by pid then
// GPU. A pid without a file never used a simulated GPU and has no peaks. Corrupt
// files are returned joined in the error, alongside the peaks of the others.
func (b *Backend) AccountedPeaks(pids []int) ([]result.ProcessPeak, error) {
	selected := make(map[int]bool, len(b.gpus))
	for _, g := range b.gpus {
		selected[g.Index] = true
	}
	var peaks []result.ProcessPeak
	var errs []error
	for _, pid := range pids {
		st, err := readProc(b.dir, pid)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for gpu, u := range st.gpus {
			if u.Used > st.peak[gpu] {
				st.peak[gpu] = u.Used // a writer that kept no peak
			}
		}
		for gpu, peak := range st.peak {
			if selected[gpu] && peak > 0 {
				peaks = append(peaks, result.ProcessPeak{PID: pid, GPU: gpu, PeakBytes: peak, Exact: true, Source: "accounting"})
			}
		}
	}
	sort.Slice(peaks, func(i, j int) bool {
		if peaks[i].PID != peaks[j].PID {
			return peaks[i].PID < peaks[j].PID
		}
		return peaks[i].GPU < peaks[j].GPU
	})
	if err := errors.Join(errs...); err != nil {
		return peaks, fmt.Errorf("sim accounting: %w", err)
	}
	return peaks, nil
}

// Close implements probes.Backend. It removes the proc files of ended processes,
// or the whole directory when New created it. Files of live processes stay, as
// the memory of a process that outlives benchctl stays held.
func (b *Backend) Close() error {
	b.closeOnce.Do(func() {
		if b.ownDir {
			if err := os.RemoveAll(b.dir); err != nil {
				b.closeErr = fmt.Errorf("sim: close: %w", err)
			}
			return
		}
		entries, err := os.ReadDir(b.dir)
		if err != nil {
			b.closeErr = fmt.Errorf("sim: close: %w", err)
			return
		}
		var errs []error
		for _, e := range entries {
			if pid, ok := procPID(e.Name()); ok && !b.alive(pid) {
				if err := os.Remove(filepath.Join(b.dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
				}
			}
		}
		if err := errors.Join(errs...); err != nil {
			b.closeErr = fmt.Errorf("sim: close: %w", err)
		}
	})
	return b.closeErr
}

// DefaultSMEfficiency is the share of a process's utilization that keeps the
// SMs busy when the process does not say (Proc.SetSMEfficiency): about what a
// bf16 matmul loop shows on an H200 (98% utilization, 94.7% SM activity).
const DefaultSMEfficiency = 0.95

// simGPM derives the other GPM figures from the SM activity already summed in
// s: occupancy and tensor activity follow the SMs' work, DRAM bandwidth the
// memory controller's utilization.
func simGPM(s *probes.GPUSample) {
	s.SMActivity = math.Min(100, s.SMActivity)
	s.SMOccupancy = s.SMActivity * 0.45
	s.TensorActivity = s.SMActivity * 0.9
	s.DRAMBandwidth = s.UtilMem
}
