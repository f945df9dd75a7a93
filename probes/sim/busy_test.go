package sim

import (
	"math"
	"testing"
	"time"
)

// TestBusyReader: a process that keeps a model of time is read by its
// model's integral: the readings between samples add up to how busy the model
// kept the GPU, whether the process wrote its changes on time or late, each
// reading between 0 and 100%; a process without a model reads its current
// use.
func TestBusyReader(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	// write is what the file says at a sample: the model time of the last
	// change it holds (seconds), the use since then and the integral up to it.
	type write struct{ changed, util, utilS float64 }
	// busyThenIdle: busy at 90% from 0 to 1 s, idle after; written at changed.
	busyThenIdle := func(changed float64) write {
		if changed == 0 {
			return write{0, 90, 0}
		}
		return write{changed, 0, 90 * changed}
	}
	// idleThenBusy: idle from 0 to 1 s, busy at 90% after; written at changed.
	idleThenBusy := func(changed float64) write {
		if changed == 0 {
			return write{0, 0, 0}
		}
		return write{changed, 90, 0}
	}
	repeat := func(n int, w write) []write {
		out := make([]write, n)
		for i := range out {
			out[i] = w
		}
		return out
	}
	every := func(step, end float64) []float64 {
		var out []float64
		for s := 0.0; s <= end+1e-9; s += step {
			out = append(out, s)
		}
		return out
	}
	tests := []struct {
		name    string
		model   bool
		samples []float64 // sample times, seconds
		file    []write   // what the file says at each sample
		want    float64   // the readings' integral over the samples (percent seconds)
	}{
		// Busy 0-1 s, idle 1-2 s, sampled every 0.25 s, written on time.
		{"on time", true, every(0.25, 2), append(repeat(4, busyThenIdle(0)), repeat(5, busyThenIdle(1))...), 90},
		// Idle 0-1 s, then busy to 8 s; the process was starved and wrote its
		// change at 1 s only at 1.75 s: the readings still add up to the
		// model's 630 (what they could not show at once, up to 100%, they
		// show in the 10% the model leaves after).
		{"written late", true, every(0.25, 8), append(repeat(7, idleThenBusy(0)), repeat(26, idleThenBusy(1))...), 630},
		// Without a model the late change reads as half a second less busy.
		{"no model: its current use", false, every(0.25, 4),
			append(repeat(7, idleThenBusy(0)), repeat(10, idleThenBusy(1))...), 90 * 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r busyReader
			sum, smSum, prev := 0.0, 0.0, 0.0
			for i, s := range tt.samples {
				w := tt.file[i]
				p := procState{pid: 7}
				if tt.model {
					p.modelNS = at(w.changed).UnixNano()
				}
				u := usage{Used: 1, Util: w.util, UtilS: w.utilS, SMS: w.utilS * DefaultSMEfficiency}
				util, sm := r.read(p, 0, u, at(prev), at(s))
				r.done()
				if util < 0 || util > 100 || sm < 0 || sm > util+1e-9 {
					t.Fatalf("sample %d: util %v, sm %v", i, util, sm)
				}
				if i > 0 {
					sum += util * (s - prev)
					smSum += sm * (s - prev)
				}
				prev = s
			}
			if math.Abs(sum-tt.want) > 1e-6 {
				t.Errorf("readings add up to %v percent seconds, want %v", sum, tt.want)
			}
			if want := tt.want * DefaultSMEfficiency; math.Abs(smSum-want) > 1e-6 {
				t.Errorf("SM activity adds up to %v percent seconds, want %v", smSum, want)
			}
		})
	}
}
