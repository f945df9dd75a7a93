// Package runner runs a pipeline under the probes: one execution of an
// engine/pipeline.Spec with the GPU sampler and the host probe watching its
// process tree, their summaries attached to the run. It knows no Lua: the
// scenario engine (bench.pipeline.run) and `benchctl monitor` both use it.
// Environment describes the machine a report was made on.
package runner

import (
	"context"
	"time"

	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/probes/host"
	"github.com/benchctl/benchctl/probes/sampler"
	"github.com/benchctl/benchctl/result"
)

// Options configure Run.
type Options struct {
	Interval   time.Duration
	Accounting bool
}

// Run runs one pipeline execution under the GPU sampler and the host probe
// and attaches their summaries, orphaned GPU processes included, to the run.
// Hooks already in spec are kept and called after the sampler's.
func Run(ctx context.Context, b probes.Backend, spec pipeline.Spec, o Options) result.Run {
	if ce, ok := b.(probes.ChildEnv); ok {
		spec.Env = append(append([]string(nil), ce.ChildEnv()...), spec.Env...)
	}
	s := sampler.Start(ctx, b, sampler.Options{Interval: o.Interval, Host: host.NewProbe(), Accounting: o.Accounting})
	var orphans []result.Orphan
	user := spec.Hooks
	spec.Hooks.Started = func(pid int) {
		s.SetRoot(pid)
		if user.Started != nil {
			user.Started(pid)
		}
	}
	spec.Hooks.Stage = func(name string, at time.Time) {
		s.StageAt(name, at)
		if user.Stage != nil {
			user.Stage(name, at)
		}
	}
	spec.Hooks.Leftovers = func(pids []int) {
		// The sampler's goroutine owns the backend (probes.Backend is never
		// sampled concurrently): it takes the reading, now, for us.
		orphans = findOrphans(s.SampleNow(), pids)
		if user.Leftovers != nil {
			user.Leftovers(pids)
		}
	}
	run := pipeline.Run(ctx, spec)
	gpu, hostSum := s.Stop()
	if len(b.Devices()) > 0 && gpu != nil {
		run.GPU = gpu
		run.GPU.Orphans = orphans
	}
	run.Host = hostSum
	return run
}

// findOrphans reports which leftover processes held GPU memory in snap. They
// are ended by the runner right after.
func findOrphans(snap probes.Snapshot, pids []int) []result.Orphan {
	left := map[int]bool{}
	for _, p := range pids {
		left[p] = true
	}
	var out []result.Orphan
	for _, g := range snap.GPUs {
		for _, p := range g.Processes {
			if left[p.PID] && p.Used > 0 {
				out = append(out, result.Orphan{PID: p.PID, GPU: g.Index, Bytes: p.Used, Killed: true})
			}
		}
	}
	return out
}
