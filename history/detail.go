package history

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/benchctl/benchctl/result"
)

// Detail is a run with everything recorded of it.
type Detail struct {
	Run
	Environment result.Environment
	Suites      []SuiteRecord
	Cases       []CaseRecord
}

// SuiteRecord is one suite of a run.
type SuiteRecord struct {
	Name, File string
	Status     result.Status
	Seconds    float64
	Error      string
}

// CaseRecord is one test of a run with its metrics and checks.
type CaseRecord struct {
	Suite, Test string
	Status      result.Status
	Seconds     float64
	Message     string
	Metrics     []Metric
	Checks      []Check
}

// Check is a recorded expectation.
type Check struct {
	Label, Op, Value, Bound string
	Passed                  bool
	Message                 string
}

// Get returns the run with the id and everything recorded of it, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (*Detail, error) {
	run, err := s.RunByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Run: run}
	var env string
	if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT environment FROM runs WHERE id = ?`), id).Scan(&env); err != nil {
		return nil, fmt.Errorf("read run %d: %w", id, err)
	}
	_ = json.Unmarshal([]byte(env), &d.Environment)
	if err := s.readSuites(ctx, d); err != nil {
		return nil, err
	}
	return d, s.readCases(ctx, d)
}

func (s *Store) readSuites(ctx context.Context, d *Detail) error {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT name, file, status, seconds, error FROM suites
		WHERE run_id = ? ORDER BY position`), d.ID)
	if err != nil {
		return fmt.Errorf("read suites of run %d: %w", d.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sr SuiteRecord
		var st string
		if err := rows.Scan(&sr.Name, &sr.File, &st, &sr.Seconds, &sr.Error); err != nil {
			return fmt.Errorf("read suites of run %d: %w", d.ID, err)
		}
		sr.Status = result.Status(st)
		d.Suites = append(d.Suites, sr)
	}
	return rows.Err()
}

func (s *Store) readCases(ctx context.Context, d *Detail) error {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT id, suite, test, status, seconds, message FROM cases
		WHERE run_id = ? ORDER BY id`), d.ID)
	if err != nil {
		return fmt.Errorf("read cases of run %d: %w", d.ID, err)
	}
	byID := map[int64]int{}
	for rows.Next() {
		var c CaseRecord
		var id int64
		var st string
		if err := rows.Scan(&id, &c.Suite, &c.Test, &st, &c.Seconds, &c.Message); err != nil {
			rows.Close()
			return fmt.Errorf("read cases of run %d: %w", d.ID, err)
		}
		c.Status = result.Status(st)
		byID[id] = len(d.Cases)
		d.Cases = append(d.Cases, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read cases of run %d: %w", d.ID, err)
	}
	if err := s.readCaseMetrics(ctx, d, byID); err != nil {
		return err
	}
	return s.readChecks(ctx, d, byID)
}

func (s *Store) readCaseMetrics(ctx context.Context, d *Detail, byID map[int64]int) error {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT case_id, name, value, unit, better, spread, samples
		FROM metrics WHERE run_id = ? ORDER BY case_id, name`), d.ID)
	if err != nil {
		return fmt.Errorf("read metrics of run %d: %w", d.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var m Metric
		var caseID int64
		var better, samples string
		if err := rows.Scan(&caseID, &m.Name, &m.Value, &m.Unit, &better, &m.Spread, &samples); err != nil {
			return fmt.Errorf("read metrics of run %d: %w", d.ID, err)
		}
		m.Better = result.Direction(better)
		_ = json.Unmarshal([]byte(samples), &m.Samples)
		if i, ok := byID[caseID]; ok {
			d.Cases[i].Metrics = append(d.Cases[i].Metrics, m)
		}
	}
	return rows.Err()
}

func (s *Store) readChecks(ctx context.Context, d *Detail, byID map[int64]int) error {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT k.case_id, k.label, k.op, k.value, k.bound, k.passed, k.message
		FROM checks k JOIN cases c ON c.id = k.case_id WHERE c.run_id = ?`), d.ID)
	if err != nil {
		return fmt.Errorf("read checks of run %d: %w", d.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k Check
		var caseID int64
		var passed int
		if err := rows.Scan(&caseID, &k.Label, &k.Op, &k.Value, &k.Bound, &passed, &k.Message); err != nil {
			return fmt.Errorf("read checks of run %d: %w", d.ID, err)
		}
		k.Passed = passed != 0
		if i, ok := byID[caseID]; ok {
			d.Cases[i].Checks = append(d.Cases[i].Checks, k)
		}
	}
	return rows.Err()
}
