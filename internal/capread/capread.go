// Package capread reads files benchctl did not write, bounded: a size limit
// (a path that is /dev/zero, or a link to it, must not fill memory) and no
// wait on a named pipe without a writer.
package capread

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrTooLarge is wrapped by ReadFile's error when the file holds more than
// the limit.
var ErrTooLarge = errors.New("too large")

// Limits of the files benchctl reads.
const (
	ReportBytes   = 256 << 20 // a results.json: a 100 h, 8-GPU run writes under 3 MiB
	ScenarioBytes = 16 << 20  // a scenario or a helper module
)

// ReadFile reads the file at path, up to limit bytes; more is an error
// wrapping ErrTooLarge that says the limit. The file is opened without
// blocking, so a named pipe without a writer reads as empty instead of
// waiting for one.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over %s", ErrTooLarge, mib(limit))
	}
	return data, nil
}

func mib(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ErrNotRegular is wrapped by OpenRegular's error when the path is a link,
// a pipe, a device or anything else than a regular file.
var ErrNotRegular = errors.New("not a regular file")

// OpenRegular opens a file that another process writes (a state file, an
// events log) for reading: a symbolic link is not followed, a named pipe is
// not waited on, and anything but a regular file is refused.
func OpenRegular(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ELOOP) {
		return nil, &os.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: a symbolic link", ErrNotRegular)}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &os.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: %s", ErrNotRegular, fi.Mode().Type())}
	}
	return f, nil
}

// ReadRegular reads a file that another process writes, opened as
// OpenRegular opens it, up to limit bytes (more wraps ErrTooLarge).
func ReadRegular(path string, limit int64) ([]byte, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: over %s", ErrTooLarge, mib(limit))}
	}
	return data, nil
}
