package pipeline

import (
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// pipeSize is what a pipeline's output pipes are grown to: the most an
	// unprivileged process may ask on Linux by default.
	pipeSize = 1 << 20
	// batchWait and maxBatchWait bound how long the reader lets a slow
	// writer's output gather in a grown pipe after a read that found less
	// than smallRead: a pipeline writing one line a write (Python with
	// PYTHONUNBUFFERED=1) then costs one read, and at most one wake-up, a
	// batch, not one a line. The wait doubles while reads stay small and
	// halves after each big one, so a batch tends to smallRead bytes. Only
	// a writer of more than pipeSize a maxBatchWait (64 MB/s) could fill the
	// pipe meanwhile, and after one read its waits shrink.
	batchWait    = time.Millisecond
	maxBatchWait = 16 * time.Millisecond
	smallRead    = 64 << 10
)

// pipeReader is the read end of a pipeline's output pipe, read with read(2)
// and poll(2) outside Go's netpoller. A pipe in epoll, where the netpoller
// keeps it, wakes a thread on every write (Linux wakes pollers of a pipe
// on each write once it has been polled); polled only while the reader
// waits, a pipe whose reader is busy or pausing costs its writer nothing.
type pipeReader struct {
	fd      int
	wake    [2]int // closing wake[1] ends a wait in Read
	grown   bool   // the pipe is pipeSize bytes
	once    sync.Once
	mu      sync.Mutex
	reading bool
	closed  bool
	freed   bool
}

var _ io.ReadCloser = (*pipeReader)(nil)

// newPipe makes a pipe: its read end for benchctl, its write end (w)
// for the pipeline.
func newPipe() (p *pipeReader, w *os.File, err error) {
	var fds, wake [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, err
	}
	if err := unix.Pipe2(wake[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, err
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		for _, fd := range []int{fds[0], fds[1], wake[0], wake[1]} {
			unix.Close(fd)
		}
		return nil, nil, err
	}
	n, err := unix.FcntlInt(uintptr(fds[0]), unix.F_SETPIPE_SZ, pipeSize)
	p = &pipeReader{fd: fds[0], wake: wake, grown: err == nil && n >= pipeSize}
	return p, os.NewFile(uintptr(fds[1]), "|1"), nil
}

// Read reads what the pipe holds, waiting in poll(2) while it is empty;
// it returns io.EOF once every writer has closed it and os.ErrClosed once
// Close was called.
func (p *pipeReader) Read(b []byte) (int, error) {
	p.mu.Lock()
	if p.closed {
		p.free()
		p.mu.Unlock()
		return 0, os.ErrClosed
	}
	p.reading = true
	p.mu.Unlock()
	n, err := p.read(b)
	p.mu.Lock()
	p.reading = false
	if p.closed {
		p.free()
	}
	p.mu.Unlock()
	return n, err
}

func (p *pipeReader) read(b []byte) (int, error) {
	fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}, {Fd: int32(p.wake[0]), Events: unix.POLLIN}}
	for {
		n, err := unix.Read(p.fd, b)
		switch {
		case err == nil && n > 0:
			return n, nil
		case err == nil:
			return 0, io.EOF
		case err == unix.EINTR:
			continue
		case err != unix.EAGAIN:
			return 0, err
		}
		fds[0].Revents, fds[1].Revents = 0, 0
		if _, err := unix.Poll(fds, -1); err != nil && err != unix.EINTR {
			return 0, err
		}
		if fds[1].Revents != 0 {
			return 0, os.ErrClosed
		}
	}
}

// Close ends a Read waiting or to come; the descriptors are freed once no
// Read is under way, so a Read never reads a descriptor reused elsewhere.
func (p *pipeReader) Close() error {
	p.once.Do(func() { unix.Close(p.wake[1]) })
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if !p.reading {
		p.free()
	}
	return nil
}

func (p *pipeReader) free() {
	if !p.freed {
		p.freed = true
		unix.Close(p.fd)
		unix.Close(p.wake[0])
	}
}
