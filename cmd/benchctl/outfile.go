package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pipeWriteTimeout bounds a write of a report into a pipe (a FIFO, stdout
// piped to a reader that stopped reading): the run ends, with the report
// not written, instead of waiting for the reader forever.
const pipeWriteTimeout = 10 * time.Second

// madeDirs are the folders this command created while checking its outputs
// and results dir; a command refused (exit 2) removes those left empty, so a
// refusal leaves nothing behind.
var madeDirs struct {
	sync.Mutex
	paths []string
}

// mkdirAll is os.MkdirAll that remembers each folder it creates.
func mkdirAll(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		missing = append(missing, d)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	madeDirs.Lock()
	defer madeDirs.Unlock()
	for i := len(missing) - 1; i >= 0; i-- {
		madeDirs.paths = append(madeDirs.paths, missing[i])
	}
	return nil
}

// removeMadeDirs removes the folders mkdirAll created that are still empty,
// deepest first.
func removeMadeDirs() {
	madeDirs.Lock()
	defer madeDirs.Unlock()
	for i := len(madeDirs.paths) - 1; i >= 0; i-- {
		dir := madeDirs.paths[i]
		for _, f := range heldLocks {
			if filepath.Dir(f.Name()) == dir {
				_ = os.Remove(f.Name())
			}
		}
		_ = os.Remove(dir) // fails, as it should, when not empty
	}
	madeDirs.paths = nil
}

// checkWritable creates the parent folder and proves a file can be created there.
// A path that is a device or a pipe (/dev/null, /dev/stdout) is opened for
// writing instead, without blocking: a named pipe no process reads is
// refused rather than waited on. Reports are written into such a path, never
// renamed over it.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	} else if err == nil && !fi.Mode().IsRegular() {
		f, err := openSpecial(path)
		if err != nil {
			return err
		}
		return f.Close()
	}
	dir := filepath.Dir(path)
	if err := mkdirAll(dir); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".benchctl-check-*")
	if err != nil {
		return fmt.Errorf("cannot write to %s: %w", dir, unwrapPath(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// openSpecial opens a path that is not a regular file for writing without
// blocking: a pipe without a reader is an error, not a wait.
func openSpecial(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, unix.ENXIO) {
		return nil, fmt.Errorf("%s is a named pipe that no process reads", path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot write to %s: %w", path, unwrapPath(err))
	}
	return f, nil
}

// regularOrAbsent says whether path is a regular file, a link to one, or
// nothing yet: a file benchctl replaces whole.
func regularOrAbsent(path string) bool {
	fi, err := os.Stat(path)
	return err != nil || fi.Mode().IsRegular()
}

// writeAtomic replaces the file at path with data through a temporary file
// renamed over it, so a reader sees the old report or the new one, whole. A
// symbolic link is followed and its target replaced. A path that is not a
// regular file (a device such as /dev/null or /dev/full, a pipe) is written in
// place: renaming over it would replace the device itself with a file.
func writeAtomic(path string, data []byte) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		return writeSpecial(path, data)
	}
	if err := mkdirAll(filepath.Dir(path)); err != nil {
		return unwrapPath(err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return unwrapPath(err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600; a report is for others to read too (a
	// CI job's user), and a report replaced keeps the mode it had.
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	err = tmp.Chmod(mode)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return unwrapPath(err)
}

// writeSpecial writes data into a device or a pipe, giving up on a pipe
// whose reader does not take it within pipeWriteTimeout.
func writeSpecial(path string, data []byte) error {
	f, err := openSpecial(path)
	if err != nil {
		return err
	}
	_ = f.SetWriteDeadline(time.Now().Add(pipeWriteTimeout)) // devices have no deadline: fine
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("no reader took the report within %s", pipeWriteTimeout)
	}
	return unwrapPath(err)
}
