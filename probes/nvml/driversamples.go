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

// DriverSamples implements probes.DriverSampler through nvmlDeviceGetSamples:
// the GPU utilization (percent) and total power (milliwatts, returned in
// watts) samples the driver buffered after since, and after the newest sample
// already returned for that GPU and type. Each sample carries one of the two
// values; the other is NaN. Samples come GPU by GPU, in time order within a
// GPU. NOT_FOUND (nothing new) and NOT_SUPPORTED are silent. The slice is the
// caller's.
func (b *Backend) DriverSamples(since time.Time) ([]probes.DriverSample, error) {
	if b.closed {
		return nil, errClosed
	}
	var floor uint64
	if us := since.UnixMicro(); !since.IsZero() && us > 0 {
		floor = uint64(us)
	}
	var out []probes.DriverSample
	var errs []error
	for _, d := range b.sel {
		if d.lost {
			continue
		}
		start := len(out)
		for k, st := range samplingTypes {
			if !d.want(st.f) {
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

// readSamples appends the new samples of sampling type k of d to out.
func (b *Backend) readSamples(d *device, k int, floor uint64, out []probes.DriverSample, errs *[]error) []probes.DriverSample {
	st := samplingTypes[k]
	last := max(d.seen[k], floor)
	t0 := b.cost.start()
	vt, samples, ret := d.h.GetSamples(st.t, last)
	b.cost.done(st.f, t0)
	if ret == nvml.ERROR_NOT_FOUND || !check(d, st.f, ret, errs) {
		return out
	}
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
		d.seen[k] = max(d.seen[k], smp.TimeStamp)
	}
	return out
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
