package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/benchctl/benchctl/result"
)

// Run is one recorded run, as listed.
type Run struct {
	ID          int64
	Key         string
	Kind        string // "run" or "monitor"
	StartedAt   time.Time
	FinishedAt  time.Time
	Seconds     float64
	Partial     bool
	Interrupted bool
	Status      result.Status
	Fingerprint Fingerprint
	Command     string
	ResultsDir  string
	Labels      map[string]string
	Tests       int // cases recorded
	Failed      int // of which failed or in error
}

// Filter selects runs. Zero fields select everything.
type Filter struct {
	Suite  string
	Test   string
	Labels map[string]string // every pair must match
	Since  time.Time
	Until  time.Time
	// Finished leaves out partial runs (still running, or ended without
	// their final record).
	Finished bool
	// ExcludeKeys leaves out runs by key (RunKey): the runs being judged
	// against the others.
	ExcludeKeys []string
	// Last keeps the newest Last runs; 0 keeps all.
	Last int
}

// selectsAll says whether the filter selects every run.
func (f Filter) selectsAll() bool {
	return f.Suite == "" && f.Test == "" && len(f.Labels) == 0 && f.Since.IsZero() && f.Until.IsZero() &&
		!f.Finished && len(f.ExcludeKeys) == 0 && f.Last == 0
}

// where turns the filter into conditions on runs r and their arguments.
func (f Filter) where() (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	if f.Suite != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM suites s WHERE s.run_id = r.id AND s.name = ?)")
		args = append(args, f.Suite)
	}
	if f.Test != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM cases c WHERE c.run_id = r.id AND c.test = ?)")
		args = append(args, f.Test)
	}
	keys := make([]string, 0, len(f.Labels))
	for k := range f.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		conds = append(conds, "EXISTS (SELECT 1 FROM labels l WHERE l.run_id = r.id AND l.key = ? AND l.value = ?)")
		args = append(args, k, f.Labels[k])
	}
	if !f.Since.IsZero() {
		conds = append(conds, "r.started_at >= ?")
		args = append(args, formatTime(f.Since))
	}
	if !f.Until.IsZero() {
		conds = append(conds, "r.started_at < ?")
		args = append(args, formatTime(f.Until))
	}
	if f.Finished {
		conds = append(conds, "r.partial = 0")
	}
	for _, k := range f.ExcludeKeys {
		conds = append(conds, "r.run_key <> ?")
		args = append(args, k)
	}
	return strings.Join(conds, " AND "), args
}

const runColumns = `r.id, r.run_key, r.kind, r.started_at, r.finished_at, r.seconds, r.partial, r.interrupted,
	r.status, r.benchctl_version, r.host, r.gpu_backend, r.gpu_model, r.gpu_count, r.driver, r.cuda,
	r.power_limit_w, r.pipeline, r.command, r.results_dir,
	(SELECT COUNT(*) FROM cases c WHERE c.run_id = r.id),
	(SELECT COUNT(*) FROM cases c WHERE c.run_id = r.id AND c.status IN ('failed', 'error'))`

// List returns the runs the filter selects, newest first.
func (s *Store) List(ctx context.Context, f Filter) ([]Run, error) {
	where, args := f.where()
	q := `SELECT ` + runColumns + ` FROM runs r WHERE ` + where + ` ORDER BY r.started_at DESC, r.id DESC`
	if f.Last > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Last)
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var runs []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, s.loadLabels(ctx, runs)
}

func scanRun(rows interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var started, finished, status string
	var partial, interrupted int
	fp := &r.Fingerprint
	err := rows.Scan(&r.ID, &r.Key, &r.Kind, &started, &finished, &r.Seconds, &partial, &interrupted, &status,
		&fp.Version, &fp.Host, &fp.Backend, &fp.GPUModel, &fp.GPUCount, &fp.Driver, &fp.CUDA, &fp.PowerLimit,
		&fp.Pipeline, &r.Command, &r.ResultsDir, &r.Tests, &r.Failed)
	r.StartedAt, r.FinishedAt = parseTime(started), parseTime(finished)
	r.Partial, r.Interrupted, r.Status = partial != 0, interrupted != 0, result.Status(status)
	return r, err
}

// loadLabels fills the labels of the runs, a few hundred runs a query.
func (s *Store) loadLabels(ctx context.Context, runs []Run) error {
	byID := make(map[int64]*Run, len(runs))
	for i := range runs {
		runs[i].Labels = map[string]string{}
		byID[runs[i].ID] = &runs[i]
	}
	const chunk = 500
	for start := 0; start < len(runs); start += chunk {
		part := runs[start:min(start+chunk, len(runs))]
		args := make([]any, len(part))
		for i, r := range part {
			args[i] = r.ID
		}
		q := `SELECT run_id, key, value FROM labels WHERE run_id IN (?` + strings.Repeat(", ?", len(part)-1) + `)`
		rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
		if err != nil {
			return fmt.Errorf("read labels: %w", err)
		}
		for rows.Next() {
			var id int64
			var k, v string
			if err := rows.Scan(&id, &k, &v); err != nil {
				rows.Close()
				return fmt.Errorf("read labels: %w", err)
			}
			byID[id].Labels[k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read labels: %w", err)
		}
	}
	return nil
}

// RunByKey returns the run recorded under a key (see RunKey), or ErrNotFound.
func (s *Store) RunByKey(ctx context.Context, key string) (Run, error) {
	return s.oneRun(ctx, `r.run_key = ?`, key)
}

// RunByID returns the run with the id, or ErrNotFound.
func (s *Store) RunByID(ctx context.Context, id int64) (Run, error) {
	return s.oneRun(ctx, `r.id = ?`, id)
}

func (s *Store) oneRun(ctx context.Context, cond string, arg any) (Run, error) {
	row := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT `+runColumns+` FROM runs r WHERE `+cond), arg)
	r, err := scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("read run: %w", err)
	}
	runs := []Run{r}
	err = s.loadLabels(ctx, runs)
	return runs[0], err
}
