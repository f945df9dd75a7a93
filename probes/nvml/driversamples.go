package nvml

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
)

// samplingTypes are the driver sample buffers DriverSamples reads; device.seen
// is indexed like this array.
var samplingTypes = [...]struct {
	t nvml.SamplingType
	f field
}{
	{nvml.GPU_UTILIZATION_SAMPLES, fUtilSamples},
	{nvml.TOTAL_POWER_SAMPLES, fPowerSamples},
}

// Bounds of the period at which a paced backend reads each driver sample
// buffer (see fieldPeriods).
const (
	// minDriverPeriod is the shortest period: a buffer that holds less than
	// twice this is read at this period anyway.
	minDriverPeriod = 250 * time.Millisecond
	// maxDriverPeriod is the longest: the samples of the last seconds of a
	// run come in at the final reading (Refresh) in any case.
	maxDriverPeriod = 5 * time.Second
	// unknownDriverPeriod is the period while a buffer's depth is not known
	// (the first read found too few samples to say).
	unknownDriverPeriod = time.Second
	// minDepthSamples is how many samples the first read must return for
	// their span to give the buffer's depth.
	minDepthSamples = 8
)

// driverBuf is what a device remembers of one of its driver sample buffers.
type driverBuf struct {
	// seen is the newest sample timestamp read, in microseconds.
	seen uint64
	// readAt is when the buffer was last read; every is the period it is
	// read at once paced: half the time the buffer holds, within
	// [minDriverPeriod, maxDriverPeriod].
	readAt time.Time
	every  time.Duration
	// depth is the time the buffer holds, from the span of the first read
	// (which asks for every buffered sample); 0 while unknown.
	depth time.Duration
	// overruns counts reads that found a gap before their oldest sample: the
	// buffer had wrapped, and the period was halved.
	overruns int
}

// DriverSamples implements probes.DriverSampler through nvmlDeviceGetSamples:
// the GPU utilization (percent) and total power (milliwatts, returned in
// watts) samples the driver buffered after since, and after the newest sample
// already returned for that GPU and type. Each sample carries one of the two
// values; the other is NaN. Samples come GPU by GPU, in time order within a
// GPU. NOT_FOUND (nothing new) and NOT_SUPPORTED are silent. The slice is the
// caller's.
//
// Paced (Pace), each buffer is read only when its period is due (half the
// time the driver's buffer holds, see driverBuf), or when Refresh asked for a
// fresh reading: one nvmlDeviceGetSamples of utilization costs milliseconds,
// and the buffer keeps seconds of samples, each with its timestamp, so
// reading it rarely loses nothing.
func (b *Backend) DriverSamples(since time.Time) ([]probes.DriverSample, error) {
	if b.closed {
		return nil, errClosed
	}
	var floor uint64
	if us := since.UnixMicro(); !since.IsZero() && us > 0 {
		floor = uint64(us)
	}
	now := b.now()
	refresh := b.refreshDriver
	b.refreshDriver = false
	var out []probes.DriverSample
	var errs []error
	for _, d := range b.sel {
		if d.lost {
			continue
		}
		start := len(out)
		for k, st := range samplingTypes {
			if !d.want(st.f) || !b.driverDue(&d.drv[k], now, refresh) {
				continue
			}
			out = b.readSamples(d, k, floor, out, &errs)
		}
		if d.lost {
			out = out[:start]
			errs = append(errs, lostError(d))
			continue
		}
		slices.SortStableFunc(out[start:], func(a, b probes.DriverSample) int { return a.Time.Compare(b.Time) })
	}
	return out, errors.Join(errs...)
}

// driverDue reports whether buffer db is to be read at now, and if so notes
// the read. Unpaced, every call reads every buffer.
func (b *Backend) driverDue(db *driverBuf, now time.Time, refresh bool) bool {
	if b.paced && !refresh && !db.readAt.IsZero() && now.Sub(db.readAt) < db.every {
		return false
	}
	db.readAt = now
	return true
}

// readSamples appends the new samples of sampling type k of d to out. The
// first read of a buffer asks for everything it holds, to learn its depth,
// and keeps only what is newer than floor.
func (b *Backend) readSamples(d *device, k int, floor uint64, out []probes.DriverSample, errs *[]error) []probes.DriverSample {
	st := samplingTypes[k]
	db := &d.drv[k]
	first := db.seen == 0
	ask := max(db.seen, floor)
	if first {
		ask = 0
	}
	last := max(db.seen, floor)
	t0 := b.cost.start()
	vt, samples, ret := d.h.GetSamples(st.t, ask)
	b.cost.done(st.f, t0)
	if ret == nvml.ERROR_NOT_FOUND || !check(d, st.f, ret, errs) {
		if first && db.every == 0 {
			db.every = unknownDriverPeriod
		}
		return out
	}
	db.learn(samples, first, last)
	for _, smp := range samples {
		// The buffer is a ring: skip empty slots and anything not newer.
		if smp.TimeStamp <= last {
			continue
		}
		v, ok := sampleValue(vt, smp.SampleValue)
		if !ok {
			*errs = append(*errs, gpuErrorf(d.info.Index, "%s: unknown sample value type %d", st.f, vt))
			return out
		}
		ds := probes.DriverSample{GPU: d.info.Index, Time: time.UnixMicro(int64(smp.TimeStamp)), UtilGPU: math.NaN(), PowerW: math.NaN()}
		if st.t == nvml.TOTAL_POWER_SAMPLES {
			ds.PowerW = v / 1000
		} else {
			ds.UtilGPU = v
		}
		out = append(out, ds)
		db.seen = max(db.seen, smp.TimeStamp)
	}
	return out
}

// learn sets the buffer's period from the samples one read returned: on the
// first read (the whole buffer) from their span, the buffer's depth; on a
// later read whose oldest new sample lies well after last (the newest one
// seen before, or the floor), a sign that the buffer wrapped between the two
// reads, from their span too, and at most half the period before.
func (db *driverBuf) learn(samples []nvml.Sample, first bool, last uint64) {
	var oldest, newest uint64
	n := 0
	for _, smp := range samples {
		if smp.TimeStamp == 0 || (!first && smp.TimeStamp <= last) {
			continue
		}
		if n == 0 || smp.TimeStamp < oldest {
			oldest = smp.TimeStamp
		}
		newest = max(newest, smp.TimeStamp)
		n++
	}
	span := time.Duration(newest-oldest) * time.Microsecond
	switch {
	case first && n >= minDepthSamples:
		db.setDepth(span)
	case first:
		db.every = unknownDriverPeriod
	case n >= 2 && last > 0:
		// A wrapped buffer returned all it holds: its span is the depth.
		spacing := (newest - oldest) / uint64(n-1)
		if gap := oldest - last; gap > 4*spacing {
			db.overruns++
			db.setDepth(min(span, db.every/2*2))
		}
	}
}

// setDepth sets the buffer's depth and its period from it.
func (db *driverBuf) setDepth(depth time.Duration) {
	db.depth = depth
	db.every = min(max(depth/2, minDriverPeriod), maxDriverPeriod)
}

// sampleValue reads an nvmlValue_t union (native byte order) as the type
// NVML says it holds.
func sampleValue(vt nvml.ValueType, raw [8]byte) (float64, bool) {
	ne := binary.NativeEndian
	switch vt {
	case nvml.VALUE_TYPE_DOUBLE:
		return math.Float64frombits(ne.Uint64(raw[:])), true
	case nvml.VALUE_TYPE_UNSIGNED_INT:
		return float64(ne.Uint32(raw[:4])), true
	case nvml.VALUE_TYPE_UNSIGNED_LONG, nvml.VALUE_TYPE_UNSIGNED_LONG_LONG:
		return float64(ne.Uint64(raw[:])), true
	case nvml.VALUE_TYPE_SIGNED_LONG_LONG:
		return float64(int64(ne.Uint64(raw[:]))), true
	case nvml.VALUE_TYPE_SIGNED_INT:
		return float64(int32(ne.Uint32(raw[:4]))), true
	case nvml.VALUE_TYPE_UNSIGNED_SHORT:
		return float64(ne.Uint16(raw[:2])), true
	}
	return 0, false
}
