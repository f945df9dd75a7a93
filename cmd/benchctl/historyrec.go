package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/history"
	reportjson "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
)

// historyRetry is how long a recorder that failed waits before it tries a
// partial record again; the final record is always tried.
const historyRetry = time.Minute

func historyFlag() cli.Flag {
	return &cli.StringFlag{Name: "history", Usage: "history store: a SQLite file, postgres://USER:PASS@HOST/DB or none " +
		"(default $BENCHCTL_HISTORY, else $XDG_DATA_HOME/benchctl/history.db, else ~/.local/share/benchctl/history.db)"}
}

func historyTimeoutFlag() cli.Flag {
	return &cli.StringFlag{Name: "history-timeout", Value: "30s", Usage: "how long to wait for a locked history file or a PostgreSQL connection"}
}

// recordFlags are the flags of the commands that record a run.
func recordFlags() []cli.Flag {
	return []cli.Flag{
		historyFlag(), historyTimeoutFlag(),
		&cli.StringSliceFlag{Name: "label", Usage: "KEY=VALUE, repeatable: record the run under this label (commit=abc123, branch=main)"},
	}
}

// historyTarget reads --history: the store, or ok false for none.
func historyTarget(c *cli.Context) (history.Target, bool, error) {
	return historyTargetOf(c.String("history"))
}

// historyTargetOf reads a --history value.
func historyTargetOf(v string) (history.Target, bool, error) {
	if v == "" {
		v = history.DefaultPath()
	}
	if v == history.None {
		return history.Target{}, false, nil
	}
	t, err := history.ParseTarget(v)
	if err != nil {
		return t, false, usageError("--history %v", err)
	}
	return t, true, nil
}

func historyTimeout(c *cli.Context) (time.Duration, error) {
	return parseHistoryTimeout(c.String("history-timeout"))
}

func parseHistoryTimeout(s string) (time.Duration, error) {
	d, err := units.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, usageError("--history-timeout %q: want a positive duration such as 30s", s)
	}
	return d, nil
}

// parseLabels reads --label KEY=VALUE values.
func parseLabels(specs []string) (map[string]string, error) {
	labels := map[string]string{}
	for _, s := range specs {
		k, v, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usageError("--label %q: want KEY=VALUE, e.g. branch=main", s)
		}
		labels[strings.TrimSpace(k)] = v
	}
	return labels, nil
}

// runHistory records one run into the history as it goes. A store that
// cannot be opened or written never stops the run: the error is kept,
// logged once, and given back by finish. Its zero value (nil) records
// nothing. Safe for concurrent use.
type runHistory struct {
	target  history.Target
	timeout time.Duration
	log     zerolog.Logger

	mu       sync.Mutex
	store    *history.Store
	rec      *history.Recorder
	err      error
	failedAt time.Time
}

// openRunHistory reads the history flags. Bad flags are usage errors. The
// store is opened by the first write (recordAsync, at the run's start), off
// the path to the pipeline's start; one that cannot be opened is not an error
// here.
func openRunHistory(c *cli.Context, log zerolog.Logger) (*runHistory, map[string]string, error) {
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return nil, nil, err
	}
	timeout, err := historyTimeout(c)
	if err != nil {
		return nil, nil, err
	}
	t, ok, err := historyTarget(c)
	if err != nil || !ok {
		return nil, labels, err
	}
	return &runHistory{target: t, timeout: timeout, log: log}, labels, nil
}

// open opens the store if it is not open; h.mu is held.
func (h *runHistory) open() bool {
	if h.store != nil {
		return true
	}
	if t := h.target; t.Dialect == "sqlite" {
		if err := os.MkdirAll(filepath.Dir(t.DSN), 0o755); err != nil {
			h.fail(fmt.Errorf("history %s: %w", t.Display, unwrapPath(err)))
			return false
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.timeout+5*time.Second)
	defer cancel()
	s, err := history.Open(ctx, h.target, history.Options{Version: benchctlVersion(), Timeout: h.timeout})
	if err != nil {
		h.fail(err)
		return false
	}
	h.store, h.rec = s, s.NewRecorder()
	return true
}

// fail remembers err and logs it the first time.
func (h *runHistory) fail(err error) {
	if h.err == nil {
		h.log.Warn().Err(err).Msg("history not recorded yet; the run goes on")
	}
	h.err, h.failedAt = err, time.Now()
}

// record writes a partial report; after a failure it waits historyRetry.
func (h *runHistory) record(rep *result.Report) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil && time.Since(h.failedAt) < historyRetry {
		return
	}
	h.write(rep)
}

// recordAsync is record on a copy of rep (snapshot), on its own goroutine:
// opening the store and writing the run's first record take milliseconds
// (SQLite: 4 ms on a busy machine) that would otherwise hold up the
// pipeline's start. It takes h.mu before it returns, so every later record
// and finish waits for it and writes after it.
func (h *runHistory) recordAsync(rep *result.Report) {
	if h == nil {
		return
	}
	cp := snapshot(rep).report()
	h.mu.Lock()
	go func() {
		defer h.mu.Unlock()
		if h.err != nil && time.Since(h.failedAt) < historyRetry {
			return
		}
		h.write(cp)
	}()
}

// write records rep; h.mu is held.
func (h *runHistory) write(rep *result.Report) {
	if !h.open() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.timeout+5*time.Second)
	defer cancel()
	if _, err := h.rec.Record(ctx, rep); err != nil {
		h.fail(err)
		return
	}
	h.err = nil
}

// finish writes the final report and closes the store. When it cannot, the
// report is kept as JSON at jsonPath (written there if it is not yet) and the
// error says how to record it later.
func (h *runHistory) finish(rep *result.Report, jsonPath string) error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.write(rep)
	if h.store != nil {
		h.store.Close()
	}
	if h.err == nil {
		return nil
	}
	if _, err := os.Stat(jsonPath); errors.Is(err, os.ErrNotExist) {
		if data, err := reportjson.New().Render(rep); err == nil {
			_ = writeAtomic(jsonPath, data)
		}
	}
	return fmt.Errorf("%s; the reports are kept: record this run later with `benchctl history import %s`",
		oneLine(h.err.Error()), jsonPath)
}

// withHistory adds the history's error to a command's outcome: printed as
// one line, and exit 3 when nothing else failed.
func withHistory(exit, histErr error) error {
	if histErr == nil {
		return exit
	}
	if exit == nil {
		return &exitError{code: exitHistory, err: histErr}
	}
	fmt.Fprintln(os.Stderr, "benchctl: "+histErr.Error())
	return exit
}

// labels are the run's labels: those given, else, for a resumed run, those
// it was started with.
func (p *runPlan) labels(given map[string]string) map[string]string {
	if len(given) == 0 && p.prev != nil {
		return p.prev.Invocation.Labels
	}
	return given
}
