package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/benchctl/benchctl/result"
)

// ErrClosed is returned by Proc.Set and Proc.Event after Proc.Close.
var ErrClosed = errors.New("simulated gpu process closed")

// Proc is one process's use of simulated GPUs: the client side of the protocol,
// for simulated pipelines. It keeps the process's running peak per GPU and
// rewrites proc-<pid>.json atomically when the use changes.
//
// A nil *Proc, what FromEnv returns outside a sim run, is valid: Set, Event and
// Close do nothing and return nil, so a pipeline calls them unconditionally.
// A Proc is safe for concurrent use.
type Proc struct {
	dir  string
	pid  int
	gpus []result.GPUInfo

	mu      sync.Mutex
	doc     procDoc
	written bool
	closed  bool
	smEff   *float64         // see SetSMEfficiency
	clock   func() time.Time // see SetClock; nil: none
}

// FromEnv attaches the calling process to the state directory named by
// BENCHCTL_SIM_DIR. It returns nil, nil when the variable is not set: the
// process is not on simulated GPUs.
func FromEnv() (*Proc, error) {
	dir := os.Getenv(EnvDir)
	if dir == "" {
		return nil, nil
	}
	return Attach(dir)
}

// Attach attaches the calling process to the state directory dir, whose
// gpus.json must exist. Nothing is written until the first Set.
func Attach(dir string) (*Proc, error) {
	gpus, err := ReadGPUs(dir)
	if err != nil {
		return nil, fmt.Errorf("sim attach: %w", err)
	}
	pid := os.Getpid()
	return &Proc{
		dir:  dir,
		pid:  pid,
		gpus: gpus,
		doc:  procDoc{PID: pid, GPUs: map[string]usage{}, Peak: map[string]uint64{}},
	}, nil
}

// Dir returns the state directory.
func (p *Proc) Dir() string { return p.dir }

// GPUs returns every simulated GPU of the machine.
func (p *Proc) GPUs() []result.GPUInfo { return append([]result.GPUInfo(nil), p.gpus...) }

// Visible returns the GPU indexes this process sees, in CUDA ordinal order:
// CUDA_VISIBLE_DEVICES mapped through indexes and UUIDs as CUDA does, or every
// GPU when it is not set. An entry the machine does not have is an error
// wrapping ErrUnknownGPU (CUDA would silently drop it and the rest).
func (p *Proc) Visible() ([]int, error) {
	env, ok := os.LookupEnv("CUDA_VISIBLE_DEVICES")
	if !ok {
		idx := make([]int, len(p.gpus))
		for i, g := range p.gpus {
			idx[i] = g.Index
		}
		return idx, nil
	}
	var idx []int
	for _, s := range strings.Split(env, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		g, err := lookupGPU(p.gpus, s)
		if err != nil {
			return nil, fmt.Errorf("CUDA_VISIBLE_DEVICES: %w", err)
		}
		idx = append(idx, g.Index)
	}
	return idx, nil
}

// Set records that the process now uses used bytes of GPU gpu (an index) at
// util and memUtil percent, raises its peak on that GPU if need be, and
// rewrites its proc file when anything changed.
func (p *Proc) Set(gpu int, used uint64, util, memUtil float64) error {
	if p == nil {
		return nil
	}
	if err := p.check(gpu); err != nil {
		return fmt.Errorf("sim set: %w", err)
	}
	if math.IsNaN(util) || math.IsNaN(memUtil) || util < 0 || memUtil < 0 {
		return fmt.Errorf("sim set: gpu %d: utilization %v/%v out of range", gpu, util, memUtil)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("sim set: %w", ErrClosed)
	}
	key := strconv.Itoa(gpu)
	u := usage{Used: used, Util: util, MemUtil: memUtil, SMEff: p.smEff}
	old, had := p.doc.GPUs[key]
	if had && old.same(u) && p.written {
		return nil
	}
	p.integrate()
	cur := p.doc.GPUs[key] // its integrals carried on to now
	u.UtilS, u.SMS = cur.UtilS, cur.SMS
	p.doc.GPUs[key] = u
	if used > p.doc.Peak[key] {
		p.doc.Peak[key] = used
	}
	return p.write()
}

// SetSMEfficiency sets the share (0 to 1) of this process's utilization that
// keeps the SMs busy, from its next Set on: a launch-bound pipeline of tiny
// kernels keeps a GPU "utilized" with idle SMs, which GPM's SM activity shows.
func (p *Proc) SetSMEfficiency(eff float64) error {
	if p == nil {
		return nil
	}
	if math.IsNaN(eff) || eff < 0 || eff > 1 {
		return fmt.Errorf("sim: sm efficiency %v: want 0 to 1", eff)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.smEff = &eff
	return nil
}

// SetClock makes the process's use timed by its own model of time: now
// gives the model's time of each change. Each write then carries the model's
// time of the change and, per GPU, the utilization and SM activity
// integrated over model time up to it, from which the backend reads how busy
// the model kept the GPU between two samples, however late a busy machine
// let the process write (see PROTOCOL.md). Call it before the first Set.
func (p *Proc) SetClock(now func() time.Time) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clock = now
}

// integrate carries every GPU's integrals on to the model's now, at the use
// held since the last change; p.mu is held.
func (p *Proc) integrate() {
	if p.clock == nil {
		return
	}
	now := p.clock().UnixNano()
	if p.doc.ModelNS > 0 && now > p.doc.ModelNS {
		dt := float64(now-p.doc.ModelNS) / 1e9
		for k, u := range p.doc.GPUs {
			u.UtilS += u.Util * dt
			u.SMS += u.Util * u.smEff() * dt
			p.doc.GPUs[k] = u
		}
	}
	p.doc.ModelNS = max(p.doc.ModelNS, now)
}

// Event appends an event (kind "xid", "ecc_single", "ecc_double", …) of GPU gpu
// to events.jsonl, with one write so concurrent writers do not interleave.
func (p *Proc) Event(gpu int, kind string, data uint64, msg string) error {
	if p == nil {
		return nil
	}
	if err := p.check(gpu); err != nil {
		return fmt.Errorf("sim event: %w", err)
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return fmt.Errorf("sim event: %w", ErrClosed)
	}
	line, err := json.Marshal(eventLine{GPU: gpu, Kind: kind, Data: data, Message: msg})
	if err != nil {
		return fmt.Errorf("sim event: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(p.dir, eventsFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("sim event: %w", err)
	}
	_, werr := f.Write(append(line, '\n'))
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("sim event: %w", err)
	}
	return nil
}

// Close sets the process's use of every GPU to zero and leaves its file, so its
// peaks stay readable through accounting. Later calls do nothing.
func (p *Proc) Close() error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if !p.written {
		return nil // never used a GPU: no file
	}
	for k := range p.doc.GPUs {
		p.doc.GPUs[k] = usage{}
	}
	if err := p.write(); err != nil {
		return fmt.Errorf("sim close: %w", err)
	}
	return nil
}

func (p *Proc) check(gpu int) error {
	for _, g := range p.gpus {
		if g.Index == gpu {
			return nil
		}
	}
	return fmt.Errorf("gpu %d: %w", gpu, ErrUnknownGPU)
}

// write replaces the proc file; p.mu is held.
func (p *Proc) write() error {
	data, err := json.Marshal(p.doc)
	if err != nil {
		return err
	}
	if err := writeAtomic(p.dir, procName(p.pid), append(data, '\n')); err != nil {
		return err
	}
	p.written = true
	return nil
}
