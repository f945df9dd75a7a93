package nvml

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
)

// u32 packs an unsigned int into an nvmlValue_t.
func u32(v uint32) (raw [8]byte) {
	binary.NativeEndian.PutUint32(raw[:4], v)
	return raw
}

// ringBuffer plays the driver's sample buffer of one type: it returns the
// samples newer than lastSeen, plus an empty slot, out of order, as a ring
// buffer can.
func ringBuffer(vt nvml.ValueType, samples []nvml.Sample, asked *[]uint64) func(uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
	return func(lastSeen uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
		*asked = append(*asked, lastSeen)
		var out []nvml.Sample
		for i := len(samples) - 1; i >= 0; i-- {
			if samples[i].TimeStamp > lastSeen {
				out = append(out, samples[i])
			}
		}
		if len(out) == 0 {
			return vt, nil, nvml.ERROR_NOT_FOUND
		}
		return vt, append(out, nvml.Sample{}), nvml.SUCCESS
	}
}

func TestDriverSamples(t *testing.T) {
	base := uint64(1_700_000_000_000_000) // microseconds
	util := []nvml.Sample{{TimeStamp: base + 10, SampleValue: u32(40)}, {TimeStamp: base + 30, SampleValue: u32(90)}}
	power := []nvml.Sample{{TimeStamp: base + 20, SampleValue: u32(350000)}}
	f := newFakeLib(h100(2))
	var utilAsked, powerAsked []uint64
	utilFn, powerFn := ringBuffer(nvml.VALUE_TYPE_UNSIGNED_INT, util, &utilAsked), ringBuffer(nvml.VALUE_TYPE_UNSIGNED_INT, power, &powerAsked)
	f.devs[1].GetSamplesFunc = func(st nvml.SamplingType, last uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
		switch st {
		case nvml.GPU_UTILIZATION_SAMPLES:
			return utilFn(last)
		case nvml.TOTAL_POWER_SAMPLES:
			return powerFn(last)
		}
		return 0, nil, nvml.ERROR_INVALID_ARGUMENT
	}
	b := f.open(t)

	got, err := b.DriverSamples(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	at := func(us uint64) time.Time { return time.UnixMicro(int64(us)) }
	want := []struct {
		t           time.Time
		util, power float64
	}{
		{at(base + 10), 40, math.NaN()},
		{at(base + 20), math.NaN(), 350},
		{at(base + 30), 90, math.NaN()},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d samples %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.GPU != 1 || !g.Time.Equal(w.t) || !sameFloat(g.UtilGPU, w.util) || !sameFloat(g.PowerW, w.power) {
			t.Errorf("sample %d = %+v, want %+v", i, g, w)
		}
	}

	// The next call asks only for newer samples, and there are none.
	got, err = b.DriverSamples(time.Time{})
	if err != nil || len(got) != 0 {
		t.Fatalf("second call: %d samples, %v", len(got), err)
	}
	if utilAsked[1] != base+30 || powerAsked[1] != base+20 {
		t.Errorf("last seen passed: util %v power %v", utilAsked, powerAsked)
	}

	// since moves the floor forward when it is newer than what was seen.
	since := at(base + 1000)
	if _, err := b.DriverSamples(since); err != nil {
		t.Fatal(err)
	}
	if utilAsked[2] != base+1000 || powerAsked[2] != base+1000 {
		t.Errorf("since not passed: util %v power %v", utilAsked, powerAsked)
	}
}

func TestDriverSamplesErrors(t *testing.T) {
	f := newFakeLib(h100(3))
	f.devs[0].GetSamplesFunc = func(nvml.SamplingType, uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
		return 0, nil, nvml.ERROR_NOT_SUPPORTED
	}
	f.devs[1].GetSamplesFunc = func(nvml.SamplingType, uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
		return 0, nil, nvml.ERROR_GPU_IS_LOST
	}
	f.devs[2].GetSamplesFunc = func(st nvml.SamplingType, _ uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
		if st == nvml.TOTAL_POWER_SAMPLES {
			return 0, nil, nvml.ERROR_UNKNOWN
		}
		return nvml.VALUE_TYPE_UNSIGNED_INT, []nvml.Sample{{TimeStamp: 5, SampleValue: u32(7)}}, nvml.SUCCESS
	}
	b := f.open(t)
	got, err := b.DriverSamples(time.Time{})
	if len(got) != 1 || got[0].GPU != 2 || got[0].UtilGPU != 7 {
		t.Errorf("samples = %+v, want gpu 2's utilization", got)
	}
	if !errors.Is(err, probes.ErrGPULost) || !errors.Is(err, nvml.ERROR_UNKNOWN) {
		t.Errorf("err = %v, want gpu 1 lost and gpu 2 power unknown", err)
	}
	if _, err := b.DriverSamples(time.Time{}); errors.Is(err, probes.ErrGPULost) {
		t.Error("lost gpu reported twice")
	}
	if n := len(f.devs[0].GetSamplesCalls()); n != 2 {
		t.Errorf("unsupported sample types asked %d times, want 2 (once each)", n)
	}
	if snap, _ := b.Sample(); len(snap.GPUs) != 2 || snap.GPUs[1].Index != 2 {
		t.Errorf("gpu lost in DriverSamples still sampled: %+v", snap.GPUs)
	}
}

func TestSampleValue(t *testing.T) {
	var raw [8]byte
	ne := binary.NativeEndian
	tests := []struct {
		name string
		vt   nvml.ValueType
		put  func()
		want float64
	}{
		{"double", nvml.VALUE_TYPE_DOUBLE, func() { ne.PutUint64(raw[:], math.Float64bits(12.5)) }, 12.5},
		{"unsigned int", nvml.VALUE_TYPE_UNSIGNED_INT, func() { ne.PutUint32(raw[:4], 99); raw[4], raw[7] = 0xde, 0xad }, 99},
		{"unsigned long", nvml.VALUE_TYPE_UNSIGNED_LONG, func() { ne.PutUint64(raw[:], 1<<40) }, 1 << 40},
		{"unsigned long long", nvml.VALUE_TYPE_UNSIGNED_LONG_LONG, func() { ne.PutUint64(raw[:], 1<<50) }, 1 << 50},
		{"signed long long", nvml.VALUE_TYPE_SIGNED_LONG_LONG, func() { ne.PutUint64(raw[:], uint64(1<<64-3)) }, -3},
		{"signed int", nvml.VALUE_TYPE_SIGNED_INT, func() { ne.PutUint32(raw[:4], uint32(1<<32-5)) }, -5},
		{"unsigned short", nvml.VALUE_TYPE_UNSIGNED_SHORT, func() { ne.PutUint16(raw[:2], 258); raw[2], raw[7] = 0xff, 0xff }, 258},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw = [8]byte{}
			tt.put()
			got, ok := sampleValue(tt.vt, raw)
			if !ok || got != tt.want {
				t.Errorf("sampleValue = %v, %v; want %v", got, ok, tt.want)
			}
		})
	}
	if _, ok := sampleValue(nvml.VALUE_TYPE_COUNT, raw); ok {
		t.Error("unknown value type accepted")
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
