package sim

import (
	"math"
	"time"
)

// busyReader reads how busy a process kept a GPU between two samples. A
// process that keeps a model of time (model_ns in its file) says how busy its
// model kept each GPU up to its last change (util_s, sm_s), and its current
// use holds from then on; the reading is the growth of that integral since
// the previous sample, per second, between 0 and 100%. What a reading could
// not show (a process that wrote late, its integral jumping) is carried into
// the next readings, so that over a stage the readings add up to the model's
// integral, not to where on the wall clock the busy machine let the process
// change its state. A process without a model reads its current use.
//
// A busyReader is used by the sampling goroutine only.
type busyReader struct {
	seen map[busyKey]*busyState
	live map[busyKey]bool // read in the current sample
}

type busyKey struct{ pid, gpu int }

// busyState is what was read of one process on one GPU: up to when, and
// the integrals reported so far (percent times seconds).
type busyState struct {
	at       time.Time
	util, sm float64
}

// maxUnseen bounds how much of a process's model time before it was first
// read is shown.
const maxUnseen = 2 * time.Second

// read returns the utilization and SM activity process p gave GPU gpu (its
// use u) from the previous sample (at prev) to now.
func (r *busyReader) read(p procState, gpu int, u usage, prev, now time.Time) (util, sm float64) {
	if p.modelNS <= 0 {
		return u.Util, u.Util * u.smEff()
	}
	if r.seen == nil {
		r.seen, r.live = map[busyKey]*busyState{}, map[busyKey]bool{}
	}
	// The integrals at now: the use since the last change holds until now.
	held := max(0, float64(now.UnixNano()-p.modelNS)/1e9)
	totalUtil, totalSM := u.UtilS+u.Util*held, u.SMS+u.Util*u.smEff()*held
	k := busyKey{p.pid, gpu}
	r.live[k] = true
	st, ok := r.seen[k]
	if !ok {
		// First seen: what its model did before is shown from the previous
		// sample on (a worker that a busy machine started late may have
		// caught up on much of its work before it was first read), at most
		// the last maxUnseen of it (a process already running when the
		// backend opened).
		unseen := maxUnseen.Seconds() * 100
		st = &busyState{at: prev, util: max(0, totalUtil-unseen), sm: max(0, totalSM-unseen)}
		r.seen[k] = st
	}
	dt := now.Sub(st.at).Seconds()
	if dt <= 0 {
		return u.Util, u.Util * u.smEff()
	}
	util = clampPercent((totalUtil - st.util) / dt)
	sm = clampPercent((totalSM - st.sm) / dt)
	st.at, st.util, st.sm = now, st.util+util*dt, st.sm+sm*dt
	return util, sm
}

// done forgets the processes the sample did not read: ended, or gone from
// the GPU.
func (r *busyReader) done() {
	for k := range r.seen {
		if !r.live[k] {
			delete(r.seen, k)
		}
	}
	clear(r.live)
}

func clampPercent(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return math.Min(100, math.Max(0, v))
}
