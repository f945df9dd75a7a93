package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The bounds here are one-sided or loose by seconds: a sleep lasts at least
// what it asks, and a clock that catches up does not sleep the time it is
// behind.
func TestModelClock(t *testing.T) {
	const behind = 10 * time.Second
	tests := []struct {
		name          string
		start         time.Duration // the deadline, from now
		hold          bool
		d             time.Duration
		atLeast, less time.Duration // wall time of the call
		wantModel     time.Duration // model time after the call, from the start
	}{
		{"on time: sleeps its length", 0, false, 30 * time.Millisecond, 30 * time.Millisecond, behind, 30 * time.Millisecond},
		{"behind: catches up without sleeping", -behind, false, 100 * time.Millisecond, 0, behind / 2, 100 * time.Millisecond},
		{"ahead: sleeps to the deadline", 40 * time.Millisecond, false, 10 * time.Millisecond, 50 * time.Millisecond, behind, 10 * time.Millisecond},
		{"hold behind: still its whole length", -behind, true, 30 * time.Millisecond, 30 * time.Millisecond, behind / 2, 30 * time.Millisecond},
		{"nothing", 0, false, 0, 0, behind / 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			begin := time.Now()
			c := &modelClock{due: begin.Add(tt.start)}
			start := c.now()
			if tt.hold {
				c.hold(tt.d)
			} else {
				c.pause(tt.d)
			}
			took := time.Since(begin)
			if took < tt.atLeast || took >= tt.less {
				t.Errorf("took %v, want [%v, %v)", took, tt.atLeast, tt.less)
			}
			if got := c.now().Sub(start); got != tt.wantModel {
				t.Errorf("model moved %v, want %v", got, tt.wantModel)
			}
		})
	}
}

func TestModelClockReach(t *testing.T) {
	base := time.Unix(1000, 0)
	c := &modelClock{due: base}
	c.reach(base.Add(-time.Second))
	if c.now() != base {
		t.Errorf("reach backwards moved the clock to %v", c.now())
	}
	c.reach(base.Add(time.Second))
	if c.now() != base.Add(time.Second) {
		t.Errorf("reach forwards: %v, want %v", c.now(), base.Add(time.Second))
	}
}

// A run's length is its model's, workers included: the "Done" line reports
// the model time, which the knobs fix, plus (with --parallel) whatever the
// model stages' workers took to start beyond their modelled start-up: each
// model stage starts its workers anew, as the fork does.
func TestRunTakesModelTime(t *testing.T) {
	knobs := []string{"--startup", "100ms", "--time-per-seq", "10ms", "--load-time", "200ms", "--no-cuda-streams"}
	tests := []struct {
		name     string
		args     []string
		min, max float64 // seconds the Done line may say
	}{
		// startup 100 + translate 10 + loads 2×100 + GPU stages 20×9 ms + consensus 10
		{"one process", nil, 0.50, 0.50},
		// parent: startup 100 + translate 5 (two CPU processes); per model
		// stage, workers: startup 100 + load 100 + 10 sequences (DNABERT-S
		// 20 ms, ESM-2 60 ms); parent: merge and predict 10, consensus 5
		// (max 0: at most the wall time, the workers' real starts included)
		{"two workers", []string{"--parallel", "--gpus", "0,1"}, 0.60, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := simGPUs(t, 2, 80<<30)
			out := filepath.Join(t.TempDir(), "out")
			args := append(append([]string{"predict", writeFASTA(t, 20), "-o", out}, knobs...), tt.args...)
			begin := time.Now()
			o := runPipe(t, b, nil, args...)
			if o.code != 0 {
				t.Fatalf("exit %d, output:\n%s%s", o.code, o.stdout, o.stderr)
			}
			_, rest, ok := strings.Cut(o.stdout, " - INFO - Done: 20 sequences, ")
			var chunks int
			var secs float64
			if ok {
				_, err := fmt.Sscanf(rest, "%d chunks in %f s", &chunks, &secs)
				ok = err == nil
			}
			took := time.Since(begin)
			// The model starts at the process's start as /proc gives it:
			// both /proc/uptime and the start time are cut to ticks of
			// 1/clockTicks s, so that start may lie up to one tick before
			// begin, and the Done line say up to one tick more than took.
			most := tt.max
			if most == 0 {
				most = took.Seconds() + 1.0/clockTicks
			}
			if !ok || secs < tt.min-0.005 || secs > most+0.005 {
				t.Errorf("Done line says %.2f s (found %v), want %.2f to %.2f:\n%s", secs, ok, tt.min, most, o.stdout)
			}
			// The model starts at the process's start as /proc gives it, in
			// ticks of 1/clockTicks s: up to one tick before begin.
			if took < time.Duration(tt.min*float64(time.Second))-time.Second/clockTicks {
				t.Errorf("took %v of wall time, less than the model's %.2f s", took, tt.min)
			}
		})
	}
}
