package history

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/benchctl/benchctl/result"
)

// timeFormat is how times are stored: UTC, fixed width, so that text order is
// time order in both back-ends and a person reading the table sees a date.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// RunKey identifies a run across its partial and final records and across a
// --resume: its start, host and results folder.
func RunKey(rep *result.Report) string {
	h := sha256.Sum256([]byte(rep.StartedAt.UTC().Format(time.RFC3339Nano) + "\x00" +
		rep.Environment.Hostname + "\x00" + rep.Invocation.ResultsDir))
	return hex.EncodeToString(h[:8])
}

// Recorder records one run as it goes: each call to Record writes the run's
// header, what changed of its labels and suites, and the cases finished
// since the last call, in one transaction. It is safe for concurrent use;
// calls are serialised.
type Recorder struct {
	s      *Store
	mu     sync.Mutex
	runID  int64
	done   map[[2]string]bool // suite, test of the cases recorded
	labels string             // the labels as recorded
	suites []suiteRow         // the suites as recorded
}

// suiteRow is a suite as the suites table holds it.
type suiteRow struct {
	name, file, status, err string
	seconds                 float64
}

// NewRecorder starts recording a run into the store.
func (s *Store) NewRecorder() *Recorder {
	return &Recorder{s: s, done: map[[2]string]bool{}}
}

// Record writes the report: the run (partial while rep.Partial), its labels
// and suites, and every finished case not recorded yet. It returns the run's
// id in the store. A failed call changes nothing; the next call tries again.
func (r *Recorder) Record(ctx context.Context, rep *result.Report) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tx, err := r.s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("history %s: %w", r.s.target.Display, err)
	}
	defer tx.Rollback()
	w := writer{tx: tx, d: r.s.d, ctx: ctx}
	id, created, err := w.run(rep)
	if id != r.runID || created {
		// Another run, or this one recorded before by another process
		// (run --resume): nothing is known to be there.
		r.done, r.labels, r.suites = map[[2]string]bool{}, "\x00", nil
	}
	labels, suites := labelKey(rep.Invocation.Labels), suiteRows(rep)
	if err == nil && labels != r.labels {
		err = w.labels(id, rep.Invocation.Labels)
	}
	if err == nil {
		err = w.suites(id, r.suites, suites)
	}
	var added [][2]string
	for _, s := range rep.Suites {
		for _, c := range s.Cases {
			k := [2]string{s.Name, c.Name}
			if err != nil || c.Status == result.Running || r.done[k] {
				continue
			}
			err = w.testCase(id, s.Name, c, !created)
			added = append(added, k)
		}
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		r.runID = 0 // what was written is unknown: start afresh
		return 0, fmt.Errorf("history %s: %w", r.s.target.Display, err)
	}
	r.runID, r.labels, r.suites = id, labels, suites
	for _, k := range added {
		r.done[k] = true
	}
	return id, nil
}

// Record writes a whole report at once (`benchctl history import`).
func (s *Store) Record(ctx context.Context, rep *result.Report) (int64, error) {
	return s.NewRecorder().Record(ctx, rep)
}

// writer writes inside one transaction.
type writer struct {
	tx  *sql.Tx
	d   dialect
	ctx context.Context
}

func (w writer) exec(q string, args ...any) error {
	_, err := w.tx.ExecContext(w.ctx, w.d.rebind(q), args...)
	return err
}

// run inserts or updates the run's row, found by its key, and returns its id.
// It looks before it inserts: an INSERT ... ON CONFLICT would spend a number
// of the id sequence on every update, and run ids would skip.
func (w writer) run(rep *result.Report) (id int64, created bool, err error) {
	fp := FingerprintOf(rep, pipelineOf(rep))
	env, err := json.Marshal(rep.Environment)
	if err != nil {
		return 0, false, fmt.Errorf("encode environment: %w", err)
	}
	key := RunKey(rep)
	err = w.tx.QueryRowContext(w.ctx, w.d.rebind(`SELECT id FROM runs WHERE run_key = ?`), key).Scan(&id)
	switch {
	case err == nil:
		err = w.exec(`UPDATE runs SET finished_at = ?, seconds = ?, partial = ?, interrupted = ?, status = ?,
			environment = ? WHERE id = ?`, formatTime(rep.FinishedAt), rep.Seconds, boolInt(rep.Partial),
			boolInt(rep.Interrupted), string(runStatus(rep)), string(env), id)
	case errors.Is(err, sql.ErrNoRows):
		created = true
		err = w.tx.QueryRowContext(w.ctx, w.d.rebind(`INSERT INTO runs (run_key, kind, started_at, finished_at,
			seconds, partial, interrupted, status, benchctl_version, host, gpu_backend, gpu_model, gpu_count,
			driver, cuda, power_limit_w, pipeline, command, results_dir, environment)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			key, kindOf(rep), formatTime(rep.StartedAt), formatTime(rep.FinishedAt), rep.Seconds,
			boolInt(rep.Partial), boolInt(rep.Interrupted), string(runStatus(rep)), fp.Version, fp.Host,
			fp.Backend, fp.GPUModel, fp.GPUCount, fp.Driver, fp.CUDA, fp.PowerLimit, fp.Pipeline,
			strings.Join(rep.Invocation.Args, " "), rep.Invocation.ResultsDir, string(env)).Scan(&id)
	}
	if err != nil {
		return 0, false, fmt.Errorf("record run: %w", err)
	}
	return id, created, nil
}

// labels replaces the run's labels.
func (w writer) labels(id int64, labels map[string]string) error {
	if err := w.exec(`DELETE FROM labels WHERE run_id = ?`, id); err != nil {
		return fmt.Errorf("record labels: %w", err)
	}
	for k, v := range labels {
		if err := w.exec(`INSERT INTO labels (run_id, key, value) VALUES (?, ?, ?)`, id, k, v); err != nil {
			return fmt.Errorf("record labels: %w", err)
		}
	}
	return nil
}

// suites writes the suites that differ from those recorded (was), and drops
// those past the end: a resumed run may have more suites than its first record.
func (w writer) suites(id int64, was, now []suiteRow) error {
	for i, s := range now {
		if i < len(was) && was[i] == s {
			continue
		}
		if err := w.exec(`DELETE FROM suites WHERE run_id = ? AND position = ?`, id, i); err != nil {
			return fmt.Errorf("record suites: %w", err)
		}
		if err := w.exec(`INSERT INTO suites (run_id, position, name, file, status, seconds, error)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, i, s.name, s.file, s.status, s.seconds, s.err); err != nil {
			return fmt.Errorf("record suites: %w", err)
		}
	}
	if len(was) > len(now) || was == nil {
		if err := w.exec(`DELETE FROM suites WHERE run_id = ? AND position >= ?`, id, len(now)); err != nil {
			return fmt.Errorf("record suites: %w", err)
		}
	}
	return nil
}

func suiteRows(rep *result.Report) []suiteRow {
	rows := make([]suiteRow, len(rep.Suites))
	for i, s := range rep.Suites {
		rows[i] = suiteRow{name: s.Name, file: s.File, status: string(s.Status), err: s.Error, seconds: s.Seconds}
	}
	return rows
}

// labelKey is the labels in one comparable string.
func labelKey(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "\x00" + labels[k] + "\x00")
	}
	return b.String()
}

// testCase writes one case with its metrics and checks, replacing the case
// if it may be there already (replace).
func (w writer) testCase(runID int64, suite string, c result.Case, replace bool) error {
	if replace {
		if err := w.exec(`DELETE FROM cases WHERE run_id = ? AND suite = ? AND test = ?`, runID, suite, c.Name); err != nil {
			return fmt.Errorf("record case %s/%s: %w", suite, c.Name, err)
		}
	}
	var id int64
	err := w.tx.QueryRowContext(w.ctx, w.d.rebind(`INSERT INTO cases (run_id, suite, test, status, seconds, message)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), runID, suite, c.Name, string(c.Status), c.Seconds, caseMessage(c)).Scan(&id)
	if err != nil {
		return fmt.Errorf("record case %s/%s: %w", suite, c.Name, err)
	}
	if err := w.metrics(id, runID, suite, c); err != nil {
		return err
	}
	for _, f := range c.Failures {
		if err := w.exec(`INSERT INTO checks (case_id, label, op, value, bound, passed, message)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, f.Label, f.Op, f.Value, f.Bound, 0, f.Message); err != nil {
			return fmt.Errorf("record check of %s/%s: %w", suite, c.Name, err)
		}
	}
	return nil
}

// metrics inserts the case's metrics in one statement.
func (w writer) metrics(caseID, runID int64, suite string, c result.Case) error {
	var rows []string
	var args []any
	for _, m := range CaseMetrics(c) {
		if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
			continue // no trend has a use for it, and SQLite would store NaN as NULL
		}
		samples, _ := json.Marshal(finiteSamples(m.Samples))
		rows = append(rows, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, caseID, runID, suite, c.Name, m.Name, m.Value, m.Unit, string(m.Better), finite(m.Spread), string(samples))
	}
	// 500 rows a statement keeps under SQLite's 32,766 parameters.
	const chunk, cols = 500, 10
	for start := 0; start < len(rows); start += chunk {
		end := min(start+chunk, len(rows))
		if err := w.exec(`INSERT INTO metrics (case_id, run_id, suite, test, name, value, unit, better, spread, samples)
			VALUES `+strings.Join(rows[start:end], ", "), args[start*cols:end*cols]...); err != nil {
			return fmt.Errorf("record metrics of %s/%s: %w", suite, c.Name, err)
		}
	}
	return nil
}
