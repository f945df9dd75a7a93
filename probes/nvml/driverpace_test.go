package nvml

import (
	"fmt"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// driverRing plays one driver sample buffer: a sample every spacing, from
// the time the clock starts, of which the newest capacity are kept. A read
// returns those newer than lastSeen.
type driverRing struct {
	now      func() time.Time
	start    time.Time
	spacing  time.Duration
	capacity int
	asked    []uint64
}

func (r *driverRing) get(lastSeen uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
	r.asked = append(r.asked, lastSeen)
	n := int(r.now().Sub(r.start) / r.spacing) // samples taken so far, 1..n
	var out []nvml.Sample
	for k := max(1, n-r.capacity+1); k <= n; k++ {
		ts := uint64(r.start.Add(time.Duration(k) * r.spacing).UnixMicro())
		if ts > lastSeen {
			out = append(out, nvml.Sample{TimeStamp: ts, SampleValue: u32(uint32(k))})
		}
	}
	if len(out) == 0 {
		return nvml.VALUE_TYPE_UNSIGNED_INT, nil, nvml.ERROR_NOT_FOUND
	}
	return nvml.VALUE_TYPE_UNSIGNED_INT, out, nvml.SUCCESS
}

// TestDriverSamplesPaced reads the driver's buffers at 10 ms ticks for 30 s,
// paced: each buffer is read at half the time it holds (within the bounds),
// no sample is lost or returned twice, and Refresh reads both at once.
func TestDriverSamplesPaced(t *testing.T) {
	const (
		ms   = time.Millisecond
		tick = 10 * ms
		run  = 30 * time.Second
	)
	tests := []struct {
		name               string
		utilEvery, powEvry time.Duration // sample spacing
		utilCap, powCap    int
		wantUtil, wantPow  time.Duration // the period each buffer gets
	}{
		// An H200's rates: utilization about 6 a second, power 50.
		{"deep utilization, shallow power", 160 * ms, 20 * ms, 100, 120, maxDriverPeriod, 1190 * ms},
		{"a small buffer is read at the shortest period", 160 * ms, 20 * ms, 100, 20, maxDriverPeriod, minDriverPeriod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLib(h100(1))
			b := f.open(t)
			start := time.Unix(1_700_000_000, 0)
			// The driver has run for a minute before: its buffers are full.
			at := time.Minute
			now := func() time.Time { return start.Add(at) }
			b.now = now
			util := &driverRing{now: now, start: start, spacing: tt.utilEvery, capacity: tt.utilCap}
			pow := &driverRing{now: now, start: start, spacing: tt.powEvry, capacity: tt.powCap}
			f.devs[0].GetSamplesFunc = func(st nvml.SamplingType, last uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
				if st == nvml.TOTAL_POWER_SAMPLES {
					return pow.get(last)
				}
				return util.get(last)
			}
			b.Pace(tick)
			since := now()
			seen := map[int64]int{} // util samples by time; power by time plus one
			for ; at <= time.Minute+run; at += tick {
				got, err := b.DriverSamples(since)
				if err != nil {
					t.Fatal(err)
				}
				if at == time.Minute+run {
					b.Refresh()
					more, err := b.DriverSamples(since)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, more...)
				}
				for _, s := range got {
					k := s.Time.UnixMicro() * 2
					if s.PowerW == s.PowerW { // not NaN
						k++
					}
					seen[k]++
				}
			}
			d := &b.sel[0].drv
			if d[0].every != tt.wantUtil || d[1].every != tt.wantPow {
				t.Errorf("periods: utilization %v, power %v; want %v and %v", d[0].every, d[1].every, tt.wantUtil, tt.wantPow)
			}
			if len(util.asked) == 0 || util.asked[0] != 0 {
				t.Errorf("first utilization read asked %v, want 0 (everything)", util.asked)
			}
			// Every sample after since, once each, up to the Refresh at the end.
			for _, r := range []struct {
				ring  *driverRing
				power int64
			}{{util, 0}, {pow, 1}} {
				first := int(time.Minute/r.ring.spacing) + 1
				last := int((time.Minute + run) / r.ring.spacing)
				for k := first; k <= last; k++ {
					key := start.Add(time.Duration(k)*r.ring.spacing).UnixMicro()*2 + r.power
					if seen[key] != 1 {
						t.Fatalf("sample %d of buffer %d read %d times, want 1 (asked %v)", k, r.power, seen[key], r.ring.asked)
					}
				}
			}
			wantReads := func(every time.Duration) int { return int(run/every) + 2 } // + the first, + Refresh
			if n := len(util.asked); n > wantReads(tt.wantUtil) {
				t.Errorf("utilization read %d times in %v, want at most %d", n, run, wantReads(tt.wantUtil))
			}
			if tt.wantPow > minDriverPeriod && len(pow.asked) > wantReads(tt.wantPow) {
				t.Errorf("power read %d times in %v, want at most %d", len(pow.asked), run, wantReads(tt.wantPow))
			}
		})
	}
}

// TestDriverSamplesOverrun: a buffer that holds less than its first read
// showed (the rate went up) is found wrapped, and its period halves until
// reads no longer find gaps.
func TestDriverSamplesOverrun(t *testing.T) {
	f := newFakeLib(h100(1))
	b := f.open(t)
	start := time.Unix(1_700_000_000, 0)
	at := time.Minute
	now := func() time.Time { return start.Add(at) }
	b.now = now
	ring := &driverRing{now: now, start: start, spacing: 100 * time.Millisecond, capacity: 100} // 10 s
	f.devs[0].GetSamplesFunc = func(st nvml.SamplingType, last uint64) (nvml.ValueType, []nvml.Sample, nvml.Return) {
		if st == nvml.TOTAL_POWER_SAMPLES {
			return 0, nil, nvml.ERROR_NOT_SUPPORTED
		}
		return ring.get(last)
	}
	b.Pace(10 * time.Millisecond)
	since := now().Add(-5 * time.Second)
	if _, err := b.DriverSamples(since); err != nil {
		t.Fatal(err)
	}
	db := &b.sel[0].drv[0]
	if db.every < 4*time.Second || db.depth < 9*time.Second {
		t.Fatalf("after the first read: period %v depth %v, want about 5 s and 10 s", db.every, db.depth)
	}
	// The driver's buffer now holds 1 s: 100 samples 10 ms apart. The
	// samples taken so far stay on the old grid; new ones come faster.
	ring.start, ring.spacing = start, 10*time.Millisecond
	ring.start = start.Add(at - at/ring.spacing*ring.spacing)
	for at += 10 * time.Millisecond; at < 2*time.Minute; at += 10 * time.Millisecond {
		if _, err := b.DriverSamples(since); err != nil {
			t.Fatal(err)
		}
	}
	if db.overruns == 0 || db.every > 500*time.Millisecond {
		t.Errorf("overruns %d, period %v; want some, and a period at most half the 1 s buffer", db.overruns, db.every)
	}
	line := b.driverBufferLines()
	if want := fmt.Sprintf("gpu 0 utilization samples  buffer holds %s, read every %s, wrapped %d times\n",
		db.depth.Round(time.Millisecond), db.every.Round(time.Millisecond), db.overruns); line != want {
		t.Errorf("cost table line = %q, want %q", line, want)
	}
}

// TestRefreshReadsEnergy: paced, the energy counter is read at the first
// reading, at most every energyPeriod after, and at once after Refresh.
func TestRefreshReadsEnergy(t *testing.T) {
	f := newFakeLib(h100(1))
	calls := 0
	f.devs[0].GetTotalEnergyConsumptionFunc = func() (uint64, nvml.Return) {
		calls++
		return uint64(1000 * calls), nvml.SUCCESS
	}
	b := f.open(t)
	start := time.Unix(1_700_000_000, 0)
	var at time.Duration
	b.now = func() time.Time { return start.Add(at) }
	b.Pace(10 * time.Millisecond)
	steps := []struct {
		at      time.Duration
		refresh bool
		wantMJ  uint64
	}{
		{0, false, 1000},
		{energyPeriod / 2, false, 1000},
		{energyPeriod, false, 2000},
		{energyPeriod + time.Second, true, 3000},
		{energyPeriod + 1500*time.Millisecond, false, 3000}, // Refresh is for one reading
	}
	for _, st := range steps {
		at = st.at
		if st.refresh {
			b.Refresh()
		}
		snap, err := b.Sample()
		if err != nil {
			t.Fatal(err)
		}
		if got := snap.GPUs[0].EnergyMJ; got != st.wantMJ {
			t.Errorf("at %v (refresh %v): energy %d mJ, want %d", st.at, st.refresh, got, st.wantMJ)
		}
	}
	// Temperature (1 s period): at 0, 15 s, 30 s, and 31 s by Refresh, not
	// at 31.5 s.
	if n := len(f.devs[0].GetTemperatureCalls()); n != 4 {
		t.Errorf("temperature read %d times, want 4", n)
	}
}
