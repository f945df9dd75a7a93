package main

import (
	"errors"
	"fmt"
	"os"
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

// write renders the report to every file output. Stdout, pipes and devices
// are written only when final: a reader that is slow or gone would stall the
// run mid-way, and they cannot be replaced atomically anyway.
func (w *reportWriter) write(rep *result.Report, final bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, o := range w.outs {
		if !final && (o.path == "-" || !regularOrAbsent(o.path)) {
			continue
		}
		data, err := o.rep.Render(rep)
		if err == nil {
			err = writeOutput(o.path, data)
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

// writeOutput writes data to stdout for "-", else atomically to path.
func writeOutput(path string, data []byte) error {
	if path == "-" {
		_, err := os.Stdout.Write(data)
		return err
	}
	return writeAtomic(path, data)
}
