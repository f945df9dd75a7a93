package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rs/zerolog"

	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/result"
)

// output is one --out FORMAT=PATH.
type output struct {
	format string
	path   string // "-" is stdout
	rep    reporters.Reporter
}

// parseOutputs reads --out values and checks, before anything runs, that each
// format exists and each path can be written.
func parseOutputs(specs []string) ([]output, error) {
	var outs []output
	for _, s := range specs {
		format, path, ok := strings.Cut(s, "=")
		if !ok || format == "" || path == "" {
			return nil, usageError("--out %q: want FORMAT=PATH, e.g. junit=reports/junit.xml", s)
		}
		rep, err := reporters.Get(format)
		if err != nil {
			return nil, usageError("--out %q: %v", s, err)
		}
		if path != "-" {
			if err := checkWritable(path); err != nil {
				return nil, usageError("--out %q: %v", s, err)
			}
		}
		outs = append(outs, output{format: format, path: path, rep: rep})
	}
	return outs, nil
}

// checkWritable creates the parent folder and proves a file can be created there.
// A path that is a device or a pipe (/dev/null, /dev/stdout) is opened for
// writing instead: reports are written into it, never renamed over it.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	} else if err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("cannot write to %s: %w", path, unwrapPath(err))
		}
		return f.Close()
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".benchctl-check-*")
	if err != nil {
		return fmt.Errorf("cannot write to %s: %w", dir, unwrapPath(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// reportWriter writes every file output after each test, so a crash or an
// interrupt leaves the reports of what finished. Files are replaced atomically:
// a reader never sees half a report. A failed write is remembered and the run
// goes on; reports written before stay as they were.
type reportWriter struct {
	mu   sync.Mutex
	outs []output
	log  zerolog.Logger
	errs map[string]error
}

func newReportWriter(outs []output, log zerolog.Logger) *reportWriter {
	return &reportWriter{outs: outs, log: log, errs: map[string]error{}}
}

// write renders the report to every file output; stdout outputs only when final.
func (w *reportWriter) write(rep *result.Report, final bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, o := range w.outs {
		if o.path == "-" && !final {
			continue
		}
		data, err := o.rep.Render(rep)
		if err == nil {
			if o.path == "-" {
				_, err = os.Stdout.Write(data)
			} else {
				err = writeAtomic(o.path, data)
			}
		}
		if err != nil {
			if w.errs[o.path] == nil {
				w.log.Error().Str("format", o.format).Str("path", o.path).Err(err).Msg("report not written")
			}
			w.errs[o.path] = err
			continue
		}
		delete(w.errs, o.path)
	}
}

// err is the first output that could not be written at the last write.
func (w *reportWriter) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, o := range w.outs {
		if err := w.errs[o.path]; err != nil {
			return fmt.Errorf("%s report %s not written: %w", o.format, o.path, err)
		}
	}
	return nil
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
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return unwrapPath(err)
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
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
