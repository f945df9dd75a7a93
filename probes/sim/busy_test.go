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
	type write struct {
		changed, util, utilS float64
		absent               bool // no file yet
	}
	// busyThenIdle: busy at 90% from 0 to 1 s, idle after; written at changed.
	busyThenIdle := func(changed float64) write {
		if changed == 0 {
			return write{changed: 0, util: 90}
		}
		return write{changed: changed, utilS: 90 * changed}
	}
	// idleThenBusy: idle from 0 to 1 s, busy at 90% after; written at changed.
	idleThenBusy := func(changed float64) write {
		if changed == 0 {
			return write{}
		}
		return write{changed: changed, util: 90}
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
		// A worker that a busy machine started late did all its work (busy
		// 0-0.5 s) before its file was first read at 1 s: shown from then on.
		{"first read after its work", true, every(0.25, 2),
			append(repeat(4, write{absent: true}), repeat(5, busyThenIdle(0.5))...), 45},
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
				if w.absent {
					r.done()
					prev = s
					continue
				}
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

// TestSetClockIntegrates: with a model clock each write carries the model's
// time of the change and the integrals up to it, at the use held before.
func TestSetClockIntegrates(t *testing.T) {
	b := open(t, Config{GPUs: 2})
	p, err := Attach(b.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	model := time.Unix(2000, 0)
	p.SetClock(func() time.Time { return model })
	steps := []struct {
		after      time.Duration // model time since the previous step
		gpu        int
		used       uint64
		util       float64
		wantUtilS0 float64 // GPU 0's util_s in the file after the step
	}{
		{0, 0, 1 << 30, 0, 0},                          // loading: idle
		{time.Second, 0, 2 << 30, 90, 0},               // a second idle, then busy
		{500 * time.Millisecond, 0, 3 << 30, 90, 45},   // half a second at 90%
		{500 * time.Millisecond, 1, 1 << 30, 50, 90},   // another GPU's change carries GPU 0 on
		{250 * time.Millisecond, 0, 3 << 30, 0, 112.5}, // idle again
	}
	for i, st := range steps {
		model = model.Add(st.after)
		if err := p.Set(st.gpu, st.used, st.util, 0); err != nil {
			t.Fatal(err)
		}
		ps, err := readProc(b.Dir(), p.pid)
		if err != nil {
			t.Fatal(err)
		}
		if ps.modelNS != model.UnixNano() {
			t.Errorf("step %d: model_ns %d, want %d", i, ps.modelNS, model.UnixNano())
		}
		if u := ps.gpus[0]; math.Abs(u.UtilS-st.wantUtilS0) > 1e-9 || math.Abs(u.SMS-st.wantUtilS0*DefaultSMEfficiency) > 1e-9 {
			t.Errorf("step %d: gpu 0 util_s %v, sm_s %v, want %v", i, u.UtilS, u.SMS, st.wantUtilS0)
		}
	}
}
