package main

import (
	"fmt"

	"github.com/benchctl/benchctl/probes/sim"
)

// Fragmentation of activation memory in the caching allocator: the share of a
// batch's bytes reserved on top of what it allocates.
const (
	fragDefault    = 0.25
	fragExpandable = 0.02
)

// device is one process's memory on one GPU, modelled on PyTorch's caching
// allocator: "allocated" is what tensors use; "reserved" is what the allocator
// holds from the driver, which is what the GPU (and benchctl) sees. Reserved
// memory only grows, batch after batch, until the cache is emptied. Every
// change is written to the simulated GPU; without one (proc nil) only the
// figures are kept.
type device struct {
	proc  *sim.Proc
	gpu   int
	total uint64 // the GPU's memory; 0: unknown, only --oom-above limits
	frag  float64

	models   uint64 // allocated by the loaded models
	leak     uint64 // allocated and never freed
	reserved uint64
	util     float64
	// Held outside the allocator's cache, and freed when done with: the
	// working set of the stage running, and the sawtooth's share.
	stageSet, saw uint64

	peakAlloc, peakReserved uint64
}

func newDevice(proc *sim.Proc, gpu int, expandable bool) (*device, error) {
	d := &device{proc: proc, gpu: gpu, frag: fragDefault}
	if expandable {
		d.frag = fragExpandable
	}
	if proc != nil {
		total, err := sim.MemoryTotal(proc.Dir(), gpu)
		if err != nil {
			return nil, fmt.Errorf("gpu %d: %w", gpu, err)
		}
		d.total = total
	}
	return d, nil
}

// base is what stays allocated between batches.
func (d *device) base() uint64 { return d.models + d.leak }

// need is what the allocator must hold to run a batch of activation bytes.
func (d *device) need(activations uint64) uint64 {
	return d.base() + activations + uint64(float64(activations)*d.frag)
}

// held is what the process holds outside the allocator's cache.
func (d *device) held() uint64 { return d.stageSet + d.saw }

// fits reports whether a batch of activation bytes fits in the GPU.
func (d *device) fits(activations uint64) bool {
	return d.total == 0 || d.need(activations)+d.held() <= d.total
}

// allocate runs a batch (or loads models) needing activation bytes on top of
// base at util percent: reserved grows to what it needs and stays there.
func (d *device) allocate(activations uint64, util float64) error {
	d.peakAlloc = max(d.peakAlloc, d.base()+d.held()+activations)
	d.reserved = max(d.reserved, d.need(activations))
	d.util = util
	return d.show(0)
}

// setModels loads (or, with 0, unloads) the models.
func (d *device) setModels(bytes uint64) error {
	d.models = bytes
	if bytes == 0 {
		return d.emptyCache() // models deleted, then torch.cuda.empty_cache()
	}
	return d.allocate(0, 0)
}

// addLeak makes bytes more allocated for good. The leaked tensors hold
// blocks of their own, reserved on top of the cache kept for batches, so the
// GPU sees every leaked byte at once.
func (d *device) addLeak(bytes uint64) error {
	d.leak += bytes
	d.reserved += bytes
	return d.allocate(0, d.util)
}

// grow makes the allocator reserve bytes more for its cache, as PyTorch's does
// when a batch's shapes do not fit the blocks it holds.
func (d *device) grow(bytes uint64) error {
	d.reserved += bytes
	return d.show(0)
}

// setHeld sets what is held outside the cache: the stage's working set and
// the sawtooth's share.
func (d *device) setHeld(stageSet, saw uint64) error {
	d.stageSet, d.saw = stageSet, saw
	d.peakAlloc = max(d.peakAlloc, d.base()+d.held())
	return d.show(0)
}

// emptyCache gives the cached memory back to the driver.
func (d *device) emptyCache() error {
	d.reserved = d.base()
	return d.show(0)
}

// idle sets the utilization, the memory unchanged.
func (d *device) idle(util float64) error {
	d.util = util
	return d.show(0)
}

// spike holds extra bytes for a while (until the next show).
func (d *device) spike(extra uint64) error {
	d.peakAlloc = max(d.peakAlloc, d.base()+d.held()+extra)
	return d.show(extra)
}

// used is what the GPU sees of the process, with extra bytes on top.
func (d *device) used(extra uint64) uint64 { return d.reserved + d.held() + extra }

// show writes the state, with extra bytes on top, to the simulated GPU.
func (d *device) show(extra uint64) error {
	d.peakReserved = max(d.peakReserved, d.used(extra))
	if err := d.proc.Set(d.gpu, d.used(extra), d.util, d.util/2); err != nil {
		return fmt.Errorf("simulated gpu: %w", err)
	}
	return nil
}

// describe is the free-memory part of an out-of-memory message, in PyTorch's
// words and number format.
func (d *device) describe(activations uint64) string {
	s := fmt.Sprintf("Tried to allocate %s.", torchBytes(activations))
	if d.total > 0 {
		free := uint64(0)
		if d.used(0) < d.total {
			free = d.total - d.used(0)
		}
		s += fmt.Sprintf(" GPU %d has a total capacity of %s of which %s is free.",
			d.gpu, torchBytes(d.total), torchBytes(free))
	}
	return s + fmt.Sprintf(" Of the allocated memory %s is allocated by PyTorch, and %s is reserved by PyTorch but unallocated.",
		torchBytes(d.base()), torchBytes(d.reserved-min(d.reserved, d.base())))
}

// torchBytes writes a byte count as PyTorch's allocator messages do, with a
// fixed number of decimals ("2.00 GiB"): the text imitates another program's
// output, which is why it does not use benchctl's internal/format.
func torchBytes(b uint64) string {
	v := float64(b)
	switch {
	case v >= 1<<40:
		return fmt.Sprintf("%.2f TiB", v/(1<<40))
	case v >= 1<<30:
		return fmt.Sprintf("%.2f GiB", v/(1<<30))
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}
