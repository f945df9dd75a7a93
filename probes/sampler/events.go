package sampler

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// Event kinds the sampler writes or reads.
const (
	kindSampleError = "sample_error"
	kindGPULost     = "gpu_lost"
	kindXID         = "xid"
)

// Bounds of what the sampler keeps of events and errors.
const (
	// maxEvents is the most events kept in a summary; later ones are counted
	// in dropped and not kept.
	maxEvents = 100
	// maxErrorEvents is the most of those that may be sample errors, so
	// errors cannot crowd out XID and ECC events.
	maxErrorEvents = 50
	// maxDistinctErrors is the most distinct error messages remembered to
	// record each one once.
	maxDistinctErrors = 100
)

// eventLog keeps the first events of a run, within maxEvents.
type eventLog struct {
	events      []result.Event
	errorEvents int
	dropped     int64
	xid         bool

	sampleErrors int64
	lastError    string
	seenErrors   map[string]struct{}
}

// add keeps ev if there is room for it.
func (l *eventLog) add(ev result.Event) {
	if ev.Kind == kindXID {
		l.xid = true
	}
	isErr := ev.Kind == kindSampleError || ev.Kind == kindGPULost
	if len(l.events) >= maxEvents || (isErr && l.errorEvents >= maxErrorEvents) {
		l.dropped++
		return
	}
	if isErr {
		l.errorEvents++
	}
	l.events = append(l.events, ev)
}

// addError counts a failed reading and records the first occurrence of each
// distinct error as an event: "gpu_lost" when it wraps probes.ErrGPULost,
// "sample_error" otherwise.
func (l *eventLog) addError(t float64, err error) {
	msg := err.Error()
	l.sampleErrors++
	l.lastError = msg
	if _, seen := l.seenErrors[msg]; seen || len(l.seenErrors) >= maxDistinctErrors {
		return
	}
	if l.seenErrors == nil {
		l.seenErrors = make(map[string]struct{})
	}
	l.seenErrors[msg] = struct{}{}
	kind := kindSampleError
	if errors.Is(err, probes.ErrGPULost) {
		kind = kindGPULost
	}
	l.add(result.Event{Seconds: t, GPU: errorGPU(err), Kind: kind, Message: msg})
}

// sorted returns a copy of the events in time order.
func (l *eventLog) sorted() []result.Event {
	out := slices.Clone(l.events)
	slices.SortStableFunc(out, func(a, b result.Event) int {
		switch {
		case a.Seconds < b.Seconds:
			return -1
		case a.Seconds > b.Seconds:
			return 1
		}
		return 0
	})
	return out
}

// GPUError is implemented by backend errors that concern one GPU; the sampler
// files the error's event under that GPU. Errors without it are filed under
// GPU -1 (the reading as a whole, or a GPU the error does not name).
type GPUError interface {
	error
	// GPUIndex is the index of the GPU the error concerns.
	GPUIndex() int
}

// errorGPU is the GPU an error concerns, or -1.
func errorGPU(err error) int {
	if ge, ok := errors.AsType[GPUError](err); ok {
		return ge.GPUIndex()
	}
	return -1
}

// recordError counts a failed reading and records it as an event.
func (s *Sampler) recordError(t float64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events.addError(t, err)
}

// watchEvents runs the backend's event watch until ctx ends, and a second
// goroutine that files the events it sends with times relative to the run.
func (s *Sampler) watchEvents(ctx context.Context, es probes.EventSource) {
	ch := make(chan result.Event, 64)
	watchDone := make(chan struct{})
	s.evDone = make(chan struct{})
	startUnix := float64(s.start.UnixNano()) / 1e9
	file := func(ev result.Event) {
		ev.Seconds -= startUnix
		s.mu.Lock()
		s.events.add(ev)
		s.mu.Unlock()
	}
	go func() {
		defer close(watchDone)
		err := es.WatchEvents(ctx, ch)
		if err != nil && ctx.Err() == nil && !errors.Is(err, probes.ErrUnavailable) {
			s.recordError(s.clock.Now().Sub(s.start).Seconds(), fmt.Errorf("watch events: %w", err))
		}
	}()
	go func() {
		defer close(s.evDone)
		for {
			select {
			case ev := <-ch:
				file(ev)
			case <-watchDone:
				for {
					select {
					case ev := <-ch:
						file(ev)
					default:
						return
					}
				}
			}
		}
	}()
}
