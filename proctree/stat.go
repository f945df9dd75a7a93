package proctree

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"syscall"
)

// Proc is the part of /proc/<pid>/stat a walk reads.
type Proc struct {
	PID     int
	PPID    int
	Pgrp    int // process group
	Session int
	State   byte
	// Start is when the process started, in clock ticks after boot: with the
	// pid it names one process for its whole life (see Identity).
	Start uint64
	// Utime, Stime, Cutime and Cstime are in clock ticks (USER_HZ).
	Utime, Stime, Cutime, Cstime uint64
	// RSSPages is the resident set in pages: the same counter as VmRSS in
	// /proc/<pid>/status and "resident" in /proc/<pid>/statm.
	RSSPages uint64
}

// Alive reports whether the process is neither a zombie nor dead.
func (s Proc) Alive() bool { return s.State != 'Z' && s.State != 'X' && s.State != 'x' }

// ErrMalformed is returned (wrapped) when a stat line cannot be parsed.
var ErrMalformed = errors.New("malformed stat line")

// Indexes of the fields after the command name ("S ppid pgrp session ..."),
// counting from 0; see proc_pid_stat(5), whose numbering starts at pid = 1.
const (
	fState   = 0
	fPPID    = 1
	fPgrp    = 2
	fSession = 3
	fUtime   = 11
	fStime   = 12
	fCutime  = 13
	fCstime  = 14
	fStart   = 19
	fRSS     = 21
	fLast    = fRSS
)

// parseStat parses one /proc/<pid>/stat line. The command name sits between
// the first '(' and the last ')' and may itself hold spaces and parentheses,
// so the fields are counted from the last ')'.
func parseStat(line []byte) (Proc, error) {
	var st Proc
	open := bytes.IndexByte(line, '(')
	closing := bytes.LastIndexByte(line, ')')
	if open < 1 || closing < open {
		return st, ErrMalformed
	}
	pid, err := atoi(bytes.TrimSpace(line[:open]))
	if err != nil {
		return st, fmt.Errorf("%w: pid: %w", ErrMalformed, err)
	}
	var fields [fLast + 1][]byte
	rest := line[closing+1:]
	for i := range fields {
		rest = bytes.TrimLeft(rest, " ")
		end := bytes.IndexAny(rest, " \n")
		if end < 0 {
			end = len(rest)
		}
		if end == 0 {
			return st, fmt.Errorf("%w: %d fields after the command, want %d", ErrMalformed, i, fLast+1)
		}
		fields[i], rest = rest[:end], rest[end:]
	}
	var n [fLast + 1]int64
	for _, i := range [...]int{fPPID, fPgrp, fSession, fUtime, fStime, fCutime, fCstime, fStart, fRSS} {
		v, err := atoi(fields[i])
		if err != nil {
			return st, fmt.Errorf("%w: field %d: %w", ErrMalformed, i, err)
		}
		n[i] = max(v, 0) // cutime and rss are signed in the kernel; never negative in practice
	}
	st = Proc{
		PID:      int(pid),
		PPID:     int(n[fPPID]),
		Pgrp:     int(n[fPgrp]),
		Session:  int(n[fSession]),
		Start:    uint64(n[fStart]),
		State:    fields[fState][0],
		Utime:    uint64(n[fUtime]),
		Stime:    uint64(n[fStime]),
		Cutime:   uint64(n[fCutime]),
		Cstime:   uint64(n[fCstime]),
		RSSPages: uint64(n[fRSS]),
	}
	return st, nil
}

// atoi parses a decimal integer without allocating.
func atoi(b []byte) (int64, error) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, strconv.ErrSyntax
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

// vanished reports whether err means the process went away while it was read:
// the file is gone (ENOENT) or the task is being torn down (ESRCH).
func vanished(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ESRCH)
}

// Stat reads and parses /proc/<pid>/stat into the walker's buffer. The error
// wraps syscall.ENOENT or ESRCH when the process is gone, and ErrMalformed
// when its stat line cannot be parsed.
func (w *Walker) Stat(pid int) (Proc, error) {
	w.path = append(w.path[:0], w.dir...)
	w.path = append(w.path, '/')
	w.path = strconv.AppendInt(w.path, int64(pid), 10)
	w.path = append(w.path, "/stat"...)
	n, err := readFile(string(w.path), w.buf[:])
	if err != nil {
		return Proc{}, err
	}
	return parseStat(w.buf[:n])
}

// readFile reads up to len(buf) bytes of path with plain system calls, so that
// reading thousands of stat files a second allocates no os.File.
func readFile(path string, buf []byte) (int, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	}
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer syscall.Close(fd)
	total := 0
	for total < len(buf) {
		n, err := syscall.Read(fd, buf[total:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("read %s: %w", path, err)
		}
		if n == 0 {
			break
		}
		total += n
	}
	return total, nil
}
