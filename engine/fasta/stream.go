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
// base's two values in about 5.5 ns here and the writer takes about 2.8 ns
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

// parallelSource fills batches ahead on workers goroutines: worker w fills
// batches w, w+workers, w+2*workers..., each from its own state, jumped
// ahead over the others' batches. Each keeps at most two filled batches
// waiting, so memory stays bounded however slowly they are read.
type parallelSource struct {
	out  []chan *batch // worker w's batches, in order
	free chan *batch   // batches read, for reuse
	stop chan struct{}
	wg   sync.WaitGroup
	n    int // batches handed out
}

func newParallelSource(p pcg, workers int) *parallelSource {
	src := &parallelSource{
		out:  make([]chan *batch, workers),
		free: make(chan *batch, 3*workers+1), // every batch there can be
		stop: make(chan struct{}),
	}
	m, c := jump(uint64(workers) * batchLen)
	for w := range workers {
		src.out[w] = make(chan *batch, 2)
		src.wg.Add(1)
		go src.work(src.out[w], stateOf(p, uint64(w)*batchLen), m, c)
	}
	return src
}

// work fills batches from state s on, jumping by (m, c) between them,
// until stop.
func (src *parallelSource) work(out chan<- *batch, s, m, c u128) {
	defer src.wg.Done()
	for {
		var b *batch
		select {
		case b = <-src.free:
		default:
			b = new(batch)
		}
		b.fill(s)
		s = s.mul(m).add(c)
		select {
		case out <- b:
		case <-src.stop:
			return
		}
	}
}

func (src *parallelSource) next(done *batch) *batch {
	if done != nil {
		select {
		case src.free <- done:
		default:
		}
	}
	b := <-src.out[src.n%len(src.out)]
	src.n++
	return b
}

// close stops the workers and waits for them.
func (src *parallelSource) close() {
	close(src.stop)
	src.wg.Wait()
}
