package proctree

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrReused is returned (wrapped, with the identity) when a pid no longer
// names the process it named: that process ended and the kernel gave its
// number to another one, which must not be touched.
var ErrReused = errors.New("pid reused by another process")

// Identity names one process for its whole life. A pid alone does not: once a
// process has exited and been reaped, the kernel gives its number to the next
// process it starts (at once in a busy PID namespace). The start time, in
// clock ticks after boot (/proc/PID/stat field 22), tells the two apart.
type Identity struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start_ticks"`
}

func (id Identity) String() string { return fmt.Sprintf("pid %d (start %d)", id.PID, id.Start) }

// Identify returns the identity of the live process pid. The error wraps
// ErrNoProcess when there is none (or only a zombie).
func Identify(pid int) (Identity, error) {
	if pid <= 0 {
		return Identity{}, noProcess(pid)
	}
	p, err := NewWalker().Stat(pid)
	if err != nil {
		if vanished(err) {
			return Identity{}, noProcess(pid)
		}
		return Identity{}, err
	}
	if !p.Alive() {
		return Identity{}, noProcess(pid)
	}
	return Identity{PID: pid, Start: p.Start}, nil
}

// check says whether id's pid still names id's process: nil when it does
// (a zombie included), an error wrapping ErrReused when another process has
// the number, ErrNoProcess when nothing has.
func (id Identity) check() error {
	p, err := NewWalker().Stat(id.PID)
	switch {
	case err != nil && vanished(err):
		return noProcess(id.PID)
	case err != nil:
		return fmt.Errorf("%s: %w", id, err)
	case p.Start != id.Start:
		return fmt.Errorf("%s: %w", id, ErrReused)
	}
	return nil
}

// Alive reports whether the process id names is alive: its pid exists, is not
// a zombie, and started when id says.
func (id Identity) Alive() bool {
	if id.PID <= 0 {
		return false
	}
	p, err := NewWalker().Stat(id.PID)
	return err == nil && p.Alive() && p.Start == id.Start
}

// pidfdOpen is unix.PidfdOpen; tests replace it to play a kernel without
// pidfds (before Linux 5.3).
var pidfdOpen = unix.PidfdOpen

// Handle holds one process so that it, and only it, can be signalled. Where
// the kernel has pidfds (Linux 5.3 and later) the handle holds one, and a
// signal through it can never reach a process that took the number later;
// elsewhere each signal first checks the start time, which leaves a window of
// a few microseconds between the check and the kill(2). A Handle is not safe
// for concurrent use; Close releases it.
type Handle struct {
	id Identity
	fd int // pidfd, or -1
}

// Open takes a handle on the process id names. It fails with an error
// wrapping ErrReused or ErrNoProcess when id no longer names a process.
func Open(id Identity) (*Handle, error) {
	h := &Handle{id: id, fd: -1}
	if id.PID <= 0 {
		return nil, noProcess(id.PID)
	}
	if fd, err := pidfdOpen(id.PID, 0); err == nil {
		h.fd = fd
	} else if errors.Is(err, syscall.ESRCH) {
		return nil, noProcess(id.PID)
	}
	// The pidfd names whoever had the pid when it was opened; it is ours if
	// that process still has our start time now.
	if err := id.check(); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// Identity returns the identity the handle holds.
func (h *Handle) Identity() Identity { return h.id }

// Signal sends sig to the process. It returns nil when it was sent, an error
// wrapping ErrNoProcess when the process has ended, and one wrapping
// ErrReused when it has ended and another process has its number now (that
// one is not signalled).
func (h *Handle) Signal(sig syscall.Signal) error {
	if h.fd >= 0 {
		err := unix.PidfdSendSignal(h.fd, sig, nil, 0)
		if errors.Is(err, syscall.ESRCH) {
			if cerr := h.id.check(); errors.Is(cerr, ErrReused) {
				return cerr
			}
			return noProcess(h.id.PID)
		}
		return err
	}
	if err := h.id.check(); err != nil {
		return err
	}
	if err := syscall.Kill(h.id.PID, sig); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return noProcess(h.id.PID)
		}
		return err
	}
	return nil
}

// Close releases the handle's pidfd.
func (h *Handle) Close() {
	if h != nil && h.fd >= 0 {
		_ = unix.Close(h.fd)
		h.fd = -1
	}
}
