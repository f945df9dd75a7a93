package engine

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/benchctl/benchctl/internal/format"
)

// DefaultMemoryBudget is what a scenario may hold in benchctl's memory when
// Options.MemoryBudget is not set: --lua-memory's default.
const DefaultMemoryBudget = 1 << 30

// memoryPoll is how often the memory guard reads the heap. Lua allocates at
// most a few hundred MB in that time (each step is bounded: a string a library
// function builds is at most maxStringBytes), far from the machine's memory.
const memoryPoll = 2 * time.Millisecond

// forceGCEvery is the most often the guard forces a garbage collection.
const forceGCEvery = 100 * time.Millisecond

// ErrMemoryBudget is the cause of a test's (or a load's) context when the
// scenario passed its memory budget.
var ErrMemoryBudget = errors.New("over the scenario memory budget")

// heapStats reads the heap: the bytes of its objects, live or not yet swept,
// and the bytes found live by the last garbage collection.
func heapStats() (objects, live uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	for i, v := range []*uint64{&objects, &live} {
		if s[i].Value.Kind() == metrics.KindUint64 {
			*v = s[i].Value.Uint64()
		}
	}
	return objects, live
}

// heapBytes is the memory held by heap objects, live or not yet swept.
func heapBytes() uint64 {
	objects, _ := heapStats()
	return objects
}

// luaPark tells the memory guard when the Lua state is parked in a Go call
// that runs no Lua (a pipeline run): the guard then stops its ticker until the
// call returns, instead of waking 500 times a second for hours while the
// pipeline it measures runs.
type luaPark struct {
	parked   atomic.Bool
	unparked chan struct{} // a token when a park ends; buffered 1
	reads    atomic.Int64  // heap reads by the guard, for tests
}

func newLuaPark() *luaPark { return &luaPark{unparked: make(chan struct{}, 1)} }

// park runs f with the guard parked. f must not run Lua code.
func (p *luaPark) park(f func()) {
	p.parked.Store(true)
	defer func() {
		p.parked.Store(false)
		select {
		case p.unparked <- struct{}{}:
		default:
		}
	}()
	f()
}

// wait blocks while Lua is parked, until the park ends or ctx or done does;
// it reports whether the guard should go on.
func (p *luaPark) wait(ctx context.Context, done <-chan struct{}) bool {
	for p.parked.Load() {
		select {
		case <-done:
			return false
		case <-ctx.Done():
			return false
		case <-p.unparked:
		}
	}
	return true
}

// guardMemory returns ctx with a cancel whose cause is ErrMemoryBudget once
// the heap holds more than the budget over what it held when the engine was
// made, as a GC finds it: gopher-lua has no allocator hook, so the guard
// watches the Go heap from a goroutine and ends the Lua code through its
// context, at its next instruction. While Lua is parked in a pipeline run
// (e.park) the guard sleeps. release stops the guard.
func (e *Engine) guardMemory(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	limit := e.heapBase + e.opts.MemoryBudget
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(memoryPoll)
		defer t.Stop()
		var forced time.Time
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if e.park.parked.Load() {
				// Lua allocates nothing while parked: sleep through it, and
				// read the heap at once when Lua runs again.
				t.Stop()
				if !e.park.wait(ctx, done) {
					return
				}
				t.Reset(memoryPoll)
			}
			e.park.reads.Add(1)
			objects, live := heapStats()
			if live <= limit && objects > limit && time.Since(forced) > forceGCEvery {
				// Much of it may be garbage, which is not the scenario's:
				// count what lives. At most so often: a collection scans
				// the whole heap.
				goruntime.GC()
				forced = time.Now()
				_, live = heapStats()
			}
			if live > limit {
				cancel(ErrMemoryBudget)
				return
			}
		}
	}()
	// The context is not cancelled on release: coroutines made now keep it.
	return ctx, func() { close(done) }
}

// overBudgetMessage says that what (a test, loading a scenario) passed the
// memory budget, and how to change it.
func (e *Engine) overBudgetMessage(what string) string {
	return fmt.Sprintf("%s went over the scenario memory budget of %s and was ended (--lua-memory to change it)",
		what, format.Bytes(e.opts.MemoryBudget))
}

// overBudget says whether ctx ended because the scenario passed its memory
// budget.
func overBudget(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), ErrMemoryBudget)
}
