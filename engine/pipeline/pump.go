package pipeline

import (
	"bufio"
	"bytes"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// The output of a pipeline is read a chunk at a time: one read, one log
// write, one tail update and one search for what the matchers look at a
// chunk, whatever the number of lines in it. Only the lines picked (see
// lineMatcher.pick) go to the matcher, on a goroutine of its own, through a
// bounded queue: the reader never waits for it.
const (
	// chunkSize is the most one read of a stream takes.
	chunkSize = 256 << 10
	// queueMax bounds the bytes of picked lines waiting for a stream's
	// matcher. Past it the reader drops what it picks (the lines are
	// counted, and the run says so) and keeps reading. A stream's matching
	// so holds at most twice this (the queue and the batch being matched).
	queueMax = 8 << 20
)

// stream is one output stream of the pipeline and where its output goes.
type stream struct {
	name    string
	r       io.Reader
	log     io.Writer // raw bytes, as read; nil for none
	echo    io.Writer // cleaned lines, a chunk at a time; nil for none
	tail    *tail
	lines   *lineMatcher // nil: nothing is matched
	start   time.Time
	batch   bool         // the pipe is grown: after a small read, wait batchWait
	stop    *atomic.Bool // set: the matcher drops what is left
	skipped atomic.Int64 // lines not matched: the matcher was behind or stopped
}

// queue is the picked lines waiting for the matcher, with the time each
// chunk of them was read.
type queue struct {
	mu     sync.Mutex
	buf    []byte
	marks  []mark
	closed bool
	wake   chan struct{} // 1 deep: there is work, or the queue closed
}

type mark struct {
	end int
	at  time.Duration
}

// push queues lines read at at; it reports false, queueing nothing, when
// the queue is full.
func (q *queue) push(lines []byte, at time.Duration) bool {
	q.mu.Lock()
	if len(q.buf)+len(lines) > queueMax {
		q.mu.Unlock()
		return false
	}
	q.buf = append(q.buf, lines...)
	q.marks = append(q.marks, mark{len(q.buf), at})
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take swaps the queue's contents for the spare buffers given; closed:
// nothing is left and nothing will come.
func (q *queue) take(buf []byte, marks []mark) ([]byte, []mark, bool) {
	for {
		q.mu.Lock()
		if len(q.marks) > 0 || q.closed {
			b, m, closed := q.buf, q.marks, q.closed && len(q.marks) == 0
			q.buf, q.marks = buf[:0], marks[:0]
			q.mu.Unlock()
			return b, m, closed
		}
		q.mu.Unlock()
		<-q.wake
	}
}

// pump reads the stream until it ends, copying it to its log, echo and
// tail, and queues the lines the matcher looks at. It returns once the
// matcher has done (or dropped) them all, with the error that cut the log
// (a full disk); reading goes on after such an error.
func (s *stream) pump() error {
	var q *queue
	matched := make(chan struct{})
	if s.lines != nil {
		q = &queue{wake: make(chan struct{}, 1)}
		go s.match(q, matched)
	} else {
		close(matched)
	}
	var echo *bufio.Writer
	if s.echo != nil {
		echo = bufio.NewWriterSize(s.echo, chunkSize)
	}
	logErr := s.read(echo, q)
	if q != nil {
		q.close()
	}
	<-matched
	return logErr
}

// match is the matcher's goroutine: it gives the queued lines to s.lines.
func (s *stream) match(q *queue, done chan<- struct{}) {
	defer close(done)
	var buf []byte
	var marks []mark
	for {
		var closed bool
		buf, marks, closed = q.take(buf, marks)
		if closed {
			return
		}
		from := 0
		for _, mk := range marks {
			s.skipped.Add(s.lines.region(buf[from:mk.end], mk.at, s.stop.Load))
			from = mk.end
		}
	}
}

// read is pump's reading loop.
func (s *stream) read(echo *bufio.Writer, q *queue) error {
	buf := make([]byte, chunkSize)
	var picked []byte
	carry, wait := 0, batchWait
	var logErr error
	for {
		n, err := s.r.Read(buf[carry:])
		if n > 0 && s.log != nil && logErr == nil {
			_, logErr = s.log.Write(buf[carry : carry+n])
		}
		data := buf[:carry+n]
		end := len(data) // at the end of the stream, the rest is a last line
		if err == nil {
			end = bytes.LastIndexByte(data, '\n') + 1
			if rest := len(data) - end; rest >= maxLine {
				end += rest / maxLine * maxLine // a long line goes in pieces
			}
		}
		if end > 0 {
			region := data[:end]
			s.tail.addRegion(region)
			if echo != nil {
				echoRegion(echo, region)
			}
			if q != nil {
				if picked = s.lines.pick(picked[:0], region); len(picked) > 0 && !q.push(picked, time.Since(s.start)) {
					s.skipped.Add(countLines(picked))
				}
			}
			carry = copy(buf, data[end:])
		} else {
			carry = len(data)
		}
		if err != nil {
			return logErr
		}
		if s.batch && n < smallRead {
			time.Sleep(wait)
			wait = min(2*wait, maxBatchWait)
		} else {
			wait = max(wait/2, batchWait)
		}
	}
}

func countLines(region []byte) int64 {
	n := int64(bytes.Count(region, []byte{'\n'}))
	if len(region) > 0 && region[len(region)-1] != '\n' {
		n++
	}
	return n
}

// echoRegion writes the region's lines to w cleaned, each ending with a
// newline, and flushes w: a clean region in one write.
func echoRegion(w *bufio.Writer, region []byte) {
	if !dirty(region) {
		w.Write(region)
		if region[len(region)-1] != '\n' {
			w.WriteByte('\n')
		}
	} else {
		eachLine(region, func(line []byte) {
			w.WriteString(Clean(string(line)))
			w.WriteByte('\n')
		})
	}
	w.Flush() // an echo that fails (a closed stdout) is dropped, never the run
}
