// Package runrecord keeps what a run was asked: the record (invocation.json)
// written into its results dir before the first test runs and never changed
// after. A run interrupted is taken up from it: Read gives back the record and
// the report so far, Scenarios and DiffVars say how a new request differs from
// the recorded one, and FinishedCases picks the cases to keep. It knows no
// command line; the CLI maps flags to and from it.
package runrecord

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/benchctl/benchctl/internal/capread"
	reportjson "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
)

// File is the record's name in the results dir.
const File = "invocation.json"

// Version is the version of File's format.
const Version = 1

// Record is what a run was asked: its scenarios and their content, vars,
// tags, the flags that change results, the backend that was opened and where
// its reports went.
type Record struct {
	Version int `json:"version"`
	// StartedAt is the report's started_at: it ties the record to the
	// results.json beside it.
	StartedAt time.Time         `json:"started_at"`
	Args      []string          `json:"args"`
	Cwd       string            `json:"cwd,omitempty"`
	Scenarios []Scenario        `json:"scenarios"`
	Vars      map[string]string `json:"vars"`
	Tags      []string          `json:"tags,omitempty"`
	Flags     map[string]string `json:"flags"`
	// Backend is the GPU backend that was opened ("auto" resolved).
	Backend string `json:"backend"`
	// Outs are the --out values, their paths made absolute; a resumed run
	// writes there unless it is given --out of its own.
	Outs []string `json:"outs,omitempty"`
}

// Scenario is one scenario file as given, where it was, and the hash of its
// content.
type Scenario struct {
	Path   string `json:"path"`
	Abs    string `json:"abs"`
	SHA256 string `json:"sha256"`
}

// New records a fresh run: the command's args, its scenario files (hashed
// now), vars, tags, result flags by name and FORMAT=PATH outputs (their
// paths made absolute, - kept). The backend and the start time are filled in
// once known.
func New(args, files []string, vars map[string]string, tags []string, flags map[string]string, outs []string) Record {
	cwd, _ := os.Getwd()
	rec := Record{Version: Version, Args: args, Cwd: cwd, Vars: vars, Tags: tags, Flags: flags}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			abs = f
		}
		rec.Scenarios = append(rec.Scenarios, Scenario{Path: f, Abs: abs, SHA256: fileHash(f)})
	}
	for _, spec := range outs {
		format, path, _ := strings.Cut(spec, "=")
		if path != "-" {
			if abs, err := filepath.Abs(path); err == nil {
				path = abs
			}
		}
		rec.Outs = append(rec.Outs, format+"="+path)
	}
	return rec
}

// Marshal returns the record as the File's content.
func (r Record) Marshal() ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Read reads results.json and the record in dir and checks that they belong
// to one run. Its errors are one line each and do not name dir.
func Read(dir string) (*result.Report, Record, error) {
	var rec Record
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return nil, rec, unwrapPath(err)
	case !fi.IsDir():
		return nil, rec, errors.New("not a directory")
	}
	data, err := capread.ReadFile(filepath.Join(dir, "results.json"), capread.ReportBytes)
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, File)); err == nil {
			return nil, rec, errors.New("no results.json: the run recorded there ended before its first test; run it again")
		}
		return nil, rec, errors.New("no results.json: not the results dir of a benchctl run")
	} else if err != nil {
		return nil, rec, fmt.Errorf("results.json: %w", unwrapPath(err))
	}
	prev, err := reportjson.Decode(data)
	if err != nil {
		return nil, rec, fmt.Errorf("results.json: %s", oneLine(err.Error()))
	}
	data, err = capread.ReadFile(filepath.Join(dir, File), capread.ReportBytes)
	if errors.Is(err, os.ErrNotExist) {
		return nil, rec, fmt.Errorf("no %s: the run was not recorded for resuming", File)
	} else if err != nil {
		return nil, rec, fmt.Errorf("%s: %w", File, unwrapPath(err))
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, rec, fmt.Errorf("%s: %s", File, oneLine(err.Error()))
	}
	if rec.Version != Version {
		return nil, rec, fmt.Errorf("%s: version %d, want %d", File, rec.Version, Version)
	}
	if !rec.StartedAt.Equal(prev.StartedAt) {
		return nil, rec, fmt.Errorf("results.json is of another run than %s (started %s, recorded %s)",
			File, prev.StartedAt.Format(time.RFC3339), rec.StartedAt.Format(time.RFC3339))
	}
	return prev, rec, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
