package main

import "time"

// modelClock paces the process by its own model of time. Each pause moves a
// deadline on by the modelled duration and sleeps until that deadline, so time
// lost to a busy machine (a late wake-up, a slow start, CPU work between
// pauses) is made up at the next pause instead of adding up: a run lasts what
// its knobs say, not what the machine's load makes of them. Workers start
// from their parent's deadline (--worker-epoch) and hand theirs back, so every
// process of a --parallel run keeps the same model time.
//
// A modelClock is used by one goroutine.
type modelClock struct {
	due time.Time // where the model is: the end of the last pause
}

// clock is the process's model clock; it starts when the kernel started the
// process, not when its runtime got round to running main.
var clock = &modelClock{due: processStart()}

// pause takes d of model time: it sleeps until the deadline, if it is not
// already past.
func (c *modelClock) pause(d time.Duration) {
	if d > 0 {
		c.due = c.due.Add(d)
	}
	if wait := time.Until(c.due); wait > 0 {
		time.Sleep(wait)
	}
}

// hold takes d of model time and at least d of wall time: what must be seen
// for its whole length (a memory spike) is not cut short by catching up.
func (c *modelClock) hold(d time.Duration) {
	if d <= 0 {
		return
	}
	c.due = c.due.Add(d)
	time.Sleep(max(d, time.Until(c.due)))
}

// now is the model's time: the end of the last pause.
func (c *modelClock) now() time.Time { return c.due }

// reach moves the model on to t, when t is later: the end of the workers a
// parent waited for.
func (c *modelClock) reach(t time.Time) {
	if t.After(c.due) {
		c.due = t
	}
}

// pause takes d of simulated time, times this run's noise factor
// (timeScale), on the process's model clock.
func pause(d time.Duration) { clock.pause(time.Duration(float64(d) * timeScale)) }

// unixSeconds is t as fractional seconds since the Unix epoch, as a pipeline
// prints the time of a progress line.
func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
