package pipeline

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logFlushEvery is the longest a line of a pipeline's output waits in
// benchctl's buffer before it reaches its log file.
const logFlushEvery = time.Second

// logBufferSize is the buffer of a log file: a pipeline printing short lines
// costs one write to the log per this many bytes, not one a line.
const logBufferSize = 256 << 10

// logBuffer buffers the writes to a pipeline's log file. It is flushed when
// full, every logFlushEvery, and when closed (the pipeline's output ended).
// The first write error (a full disk) is kept: later writes are dropped and
// Close returns it, so the run can say its log was cut.
type logBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	err  error
	stop chan struct{}
	done chan struct{}
}

var _ io.Writer = (*logBuffer)(nil)

func newLogBuffer(w io.Writer) *logBuffer {
	b := &logBuffer{w: bufio.NewWriterSize(w, logBufferSize), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(logFlushEvery)
	return b
}

// Write buffers p; after an error it drops p and returns the error.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.w.Write(p)
	b.err = err
	return n, err
}

func (b *logBuffer) flushEvery(d time.Duration) {
	defer close(b.done)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			if b.err == nil {
				b.err = b.w.Flush()
			}
			b.mu.Unlock()
		}
	}
}

// Close stops the periodic flush, flushes what is left and returns the first
// error.
func (b *logBuffer) Close() error {
	close(b.stop)
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.err = b.w.Flush()
	}
	return b.err
}
