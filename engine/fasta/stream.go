package fasta

import (
	"math/rand/v2"
	"runtime"
	"sync"
)

// stream is the generator's one PCG stream, read in order by whoever comes
// next (a length, then the bases of that sequence), so the output is what
// drawing one value at a time from rand.NewPCG would give. The values come
// in batches from a batchSource.
type stream struct {
	src batchSource
	cur *batch
	i   int // position of the next value in cur; past batchLen means in the next
}

var _ rand.Source = (*stream)(nil)

// maxWorkers bounds the goroutines that fill batches: a worker computes a
// base's two values in about 5.3 ns here and the writer takes about 2 ns
// to use them, so past three workers the writer alone sets the pace.
const maxWorkers = 4

// newStream starts the stream of p. When about that many values will be
// read and more than one CPU may run Go code, the batches are filled ahead
// by a goroutine a CPU (at most maxWorkers); close stops them.
func newStream(p pcg, about int64) *stream {
	var src batchSource
	if workers := min(runtime.GOMAXPROCS(0), maxWorkers); workers > 1 && about > 4*batchLen {
		src = newParallelSource(p, workers)
	} else {
		src = &serialSource{s: stateOf(p, 0)}
	}
	return streamFrom(src)
}

func streamFrom(src batchSource) *stream { return &stream{src: src, cur: src.next(nil)} }

// Uint64 implements rand.Source: the next value.
func (s *stream) Uint64() uint64 {
	if s.i >= batchLen {
		s.advance()
	}
	v := s.cur.vals[s.i]
	s.i++
	return v
}

// advance moves to the next batch once every position in cur has been read.
func (s *stream) advance() {
	s.cur = s.src.next(s.cur)
	s.i -= batchLen
}

func (s *stream) close() { s.src.close() }

// batchSource hands out the stream's batches in order. next is given back
// the batch read before (nil the first time), which it may reuse; close
// ends any goroutine it started. Neither is called concurrently.
type batchSource interface {
	next(done *batch) *batch
	close()
}

var (
	_ batchSource = (*serialSource)(nil)
	_ batchSource = (*parallelSource)(nil)
)

// serialSource fills each batch when it is asked for.
type serialSource struct {
	s u128 // the state of the next batch's first value
}

func (src *serialSource) next(done *batch) *batch {
	if done == nil {
		done = new(batch)
	}
	done.fill(src.s)
	src.s = src.s.mul(batchJump.m).add(batchJump.c)
	return done
}

func (src *serialSource) close() {}

// batchJump is the map from one batch's first state to the next one's.
var batchJump = func() (j struct{ m, c u128 }) {
	j.m, j.c = jump(batchLen)
	return j
}()

// parallelSource fills batches ahead on worker goroutines, and on the
// reader's own goroutine when it comes to a batch that no worker has begun.
// Batches are claimed in order from one counter, each at the state that
// the claim moves on by a batch: a worker that is not running holds up no
// other, and the reader never waits for work it can do itself. (With
// batches dealt out to workers in turn, a worker waiting for a CPU left the
// reader waiting for its batch while the other workers' were done.) At most
// ahead batches are claimed past the one being read, so memory stays
// bounded however slowly they are read.
type parallelSource struct {
	mu      sync.Mutex
	room    sync.Cond // a slot came free, or stop
	s       u128      // the state of batch claimed's first value
	claimed int       // batches claimed so far, by workers and the reader
	reading int       // the batch the reader holds; -1 before the first
	stop    bool
	slots   [ahead + 1]slot // batch n is in slots[n%len(slots)]
	wg      sync.WaitGroup
}

// ahead is how many batches may be claimed past the one being read.
const ahead = 4

type slot struct {
	b     *batch
	ready chan struct{} // a value once a worker has filled b
}

func newParallelSource(p pcg, workers int) *parallelSource {
	src := &parallelSource{s: stateOf(p, 0), reading: -1}
	src.room.L = &src.mu
	for i := range src.slots {
		src.slots[i] = slot{b: new(batch), ready: make(chan struct{}, 1)}
	}
	for range workers {
		src.wg.Add(1)
		go src.work()
	}
	return src
}

// claim takes the next batch to fill, with the state of its first value.
// The caller holds mu.
func (src *parallelSource) claim() (int, u128) {
	n, s := src.claimed, src.s
	src.claimed++
	src.s = src.s.mul(batchJump.m).add(batchJump.c)
	return n, s
}

// work fills the batches it claims, until stop.
func (src *parallelSource) work() {
	defer src.wg.Done()
	src.mu.Lock()
	defer src.mu.Unlock()
	for {
		for !src.stop && src.claimed-src.reading > ahead {
			src.room.Wait()
		}
		if src.stop {
			return
		}
		n, s := src.claim()
		src.mu.Unlock()
		sl := &src.slots[n%len(src.slots)]
		sl.b.fill(s)
		sl.ready <- struct{}{} // never blocks: the reader took the last one
		src.mu.Lock()
	}
}

// next hands out the next batch: filled by a worker, or here when none has
// claimed it. The batch read before goes back to its slot.
func (src *parallelSource) next(*batch) *batch {
	src.mu.Lock()
	src.reading++
	n := src.reading
	var s u128
	mine := src.claimed == n
	if mine {
		_, s = src.claim()
	}
	src.room.Broadcast() // the slot of the batch read before is free
	src.mu.Unlock()
	sl := &src.slots[n%len(src.slots)]
	if mine {
		sl.b.fill(s)
	} else {
		<-sl.ready
	}
	return sl.b
}

// close stops the workers and waits for them.
func (src *parallelSource) close() {
	src.mu.Lock()
	src.stop = true
	src.room.Broadcast()
	src.mu.Unlock()
	src.wg.Wait()
}
