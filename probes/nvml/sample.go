package nvml

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
)

// span is where one GPU's processes lie in the tick's process scratch.
type span struct{ start, end int }

// valueNotAvailable is NVML_VALUE_NOT_AVAILABLE in an unsigned long long field
// (a process's memory, when the driver cannot attribute it).
const valueNotAvailable = math.MaxUint64

// errClosed is returned by calls made after Close.
var errClosed = errors.New("nvml backend closed")

// Sample implements probes.Backend: one reading of every selected GPU.
//
// A field that fails is NaN (or 0) and its error is in Snapshot.Errors;
// NOT_SUPPORTED is silent and not asked again. A GPU that answers
// ERROR_GPU_IS_LOST is left out of GPUs from then on; the tick that finds it
// reports an error wrapping probes.ErrGPULost. Sample itself fails only when
// every selected GPU is lost.
//
// The snapshot is the caller's to keep: Sample allocates, per tick, the GPUs
// slice and one array shared by every GPU's Processes (each capped at its own
// length), and Errors only when there are errors. go-nvml allocates the
// process list of each GPU as well.
func (b *Backend) Sample() (probes.Snapshot, error) {
	if b.closed {
		return probes.Snapshot{}, errClosed
	}
	now := b.now()
	snap := probes.Snapshot{Time: now, GPUs: make([]probes.GPUSample, 0, len(b.sel))}
	b.procs, b.spans = b.procs[:0], b.spans[:0]
	var errs []error
	for _, d := range b.sel {
		if d.lost {
			continue
		}
		s := b.sampleDevice(d, now, &errs)
		if d.lost {
			errs = append(errs, lostError(d))
			b.procs = b.procs[:b.spanStart()]
			continue
		}
		snap.GPUs = append(snap.GPUs, s)
		b.spans = append(b.spans, span{b.spanStart(), len(b.procs)})
	}
	if len(b.procs) > 0 {
		procs := make([]probes.ProcessMem, len(b.procs))
		copy(procs, b.procs)
		for i, sp := range b.spans {
			if sp.end > sp.start {
				snap.GPUs[i].Processes = procs[sp.start:sp.end:sp.end]
			}
		}
	}
	snap.Errors = errs
	b.refreshSample = false
	if len(snap.GPUs) == 0 && len(b.sel) > 0 {
		return snap, fmt.Errorf("%w: every selected gpu is lost", probes.ErrGPULost)
	}
	return snap, nil
}

// spanStart is where the next GPU's processes start in b.procs.
func (b *Backend) spanStart() int {
	if len(b.spans) == 0 {
		return 0
	}
	return b.spans[len(b.spans)-1].end
}

// sampleDevice reads the fields of d that are due (every field, unless the
// backend is paced), appending its processes to b.procs. A paced field not due
// holds its last value. Once d is lost, the remaining fields are not read.
func (b *Backend) sampleDevice(d *device, now time.Time, errs *[]error) probes.GPUSample {
	s := probes.GPUSample{Index: d.info.Index, MemTotal: d.info.MemoryTotal}
	b.readMemory(d, &s, errs)
	b.readPaced(d, now, errs)
	if d.want(fEnergy) {
		if t := now; b.refreshSample || d.energyAt.IsZero() || t.Sub(d.energyAt) >= energyPeriod {
			t0 := b.cost.start()
			mj, ret := d.h.GetTotalEnergyConsumption()
			b.cost.done(fEnergy, t0)
			if check(d, fEnergy, ret, errs) {
				d.energy, d.energyAt = mj, t
			}
		}
		s.EnergyMJ = d.energy
	}
	h := &d.held
	s.UtilGPU, s.UtilMem, s.TempC, s.PowerW, s.SMClockMHz = h.utilGPU, h.utilMem, h.tempC, h.powerW, h.smClock
	s.Throttle = h.throttle
	b.readGPM(d, &s, b.now(), errs)
	b.procs = append(b.procs, h.procs...)
	return s
}

// readPaced reads into d.held the fields other than memory, energy and GPM
// that are due at now. A read that fails leaves the field empty (NaN, 0 or no
// processes) until its next read.
func (b *Backend) readPaced(d *device, now time.Time, errs *[]error) {
	h := &d.held
	if b.due(d, fUtil, now) {
		t0 := b.cost.start()
		u, ret := d.h.GetUtilizationRates()
		b.cost.done(fUtil, t0)
		h.utilGPU, h.utilMem = math.NaN(), math.NaN()
		if check(d, fUtil, ret, errs) {
			h.utilGPU, h.utilMem = float64(u.Gpu), float64(u.Memory)
		}
	}
	if b.due(d, fTemp, now) {
		t0 := b.cost.start()
		t, ret := d.h.GetTemperature(nvml.TEMPERATURE_GPU)
		b.cost.done(fTemp, t0)
		h.tempC = math.NaN()
		if check(d, fTemp, ret, errs) {
			h.tempC = float64(t)
		}
	}
	if b.due(d, fPower, now) {
		t0 := b.cost.start()
		mw, ret := d.h.GetPowerUsage()
		b.cost.done(fPower, t0)
		h.powerW = math.NaN()
		if check(d, fPower, ret, errs) {
			h.powerW = float64(mw) / 1000
		}
	}
	if b.due(d, fClock, now) {
		t0 := b.cost.start()
		mhz, ret := d.h.GetClockInfo(nvml.CLOCK_SM)
		b.cost.done(fClock, t0)
		h.smClock = math.NaN()
		if check(d, fClock, ret, errs) {
			h.smClock = float64(mhz)
		}
	}
	if b.due(d, fThrottle, now) {
		h.throttle = b.readThrottle(d, errs)
	}
	if b.due(d, fProcs, now) {
		b.readProcs(d, errs)
	}
}

// readProcs replaces d.held.procs with the GPU's compute processes.
func (b *Backend) readProcs(d *device, errs *[]error) {
	h := &d.held
	h.procs = h.procs[:0]
	t0 := b.cost.start()
	ps, ret := d.h.GetComputeRunningProcesses()
	b.cost.done(fProcs, t0)
	if !check(d, fProcs, ret, errs) {
		return
	}
	for _, p := range ps {
		used := p.UsedGpuMemory
		if used == valueNotAvailable {
			used = 0
		}
		h.procs = append(h.procs, probes.ProcessMem{PID: int(p.Pid), Used: used})
	}
}

// readMemory reads memory through nvmlDeviceGetMemoryInfo_v2, which separates
// driver-reserved memory from used memory, where the library has it, and
// otherwise through nvmlDeviceGetMemoryInfo, whose used figure includes the
// reserved memory.
func (b *Backend) readMemory(d *device, s *probes.GPUSample, errs *[]error) {
	if b.memV2 && d.want(fMemV2) {
		t0 := b.cost.start()
		m, ret := d.h.GetMemoryInfo_v2()
		b.cost.done(fMemV2, t0)
		switch ret {
		case nvml.SUCCESS:
			s.MemUsed, s.MemReserved = m.Used, m.Reserved
			return
		case nvml.ERROR_NOT_SUPPORTED, nvml.ERROR_FUNCTION_NOT_FOUND, nvml.ERROR_ARGUMENT_VERSION_MISMATCH:
			d.skip |= fMemV2 // fall back to v1, now and from now on
		default:
			check(d, fMemV2, ret, errs)
			return
		}
	}
	if d.want(fMem) {
		t0 := b.cost.start()
		m, ret := d.h.GetMemoryInfo()
		b.cost.done(fMem, t0)
		if check(d, fMem, ret, errs) {
			s.MemUsed = m.Used
		}
	}
}

// readThrottle reads the clocks-event reasons bit mask, through the older
// "throttle reasons" call on drivers that predate the new name.
func (b *Backend) readThrottle(d *device, errs *[]error) uint64 {
	var mask uint64
	var ret nvml.Return
	t0 := b.cost.start()
	defer b.cost.done(fThrottle, t0)
	if b.eventReasons {
		mask, ret = d.h.GetCurrentClocksEventReasons()
	} else {
		mask, ret = d.h.GetCurrentClocksThrottleReasons()
	}
	if check(d, fThrottle, ret, errs) {
		return mask
	}
	return 0
}
