package history

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/benchctl/benchctl/result"
)

// Metric is one recorded metric of a case.
type Metric struct {
	Name    string
	Value   float64
	Unit    string
	Better  result.Direction
	Spread  float64
	Samples []float64
}

// Point is a metric's value in one run.
type Point struct {
	RunID     int64
	RunKey    string
	StartedAt time.Time
	Metric
}

// Series is one metric of one test over runs, oldest first.
type Series struct {
	Suite, Test, Name string
	Unit              string
	Better            result.Direction
	Points            []Point
}

// Key names the series as suite/test/metric.
func (s Series) Key() string { return s.Suite + "/" + s.Test + "/" + s.Name }

// Values are the series' values, oldest first.
func (s Series) Values() []float64 {
	v := make([]float64, len(s.Points))
	for i, p := range s.Points {
		v[i] = p.Value
	}
	return v
}

// Series returns, for every test that recorded it, the metric over the runs
// the filter selects, oldest first. metric is a name, or a pattern where *
// matches any text; "" matches every metric.
func (s *Store) Series(ctx context.Context, metric string, f Filter) ([]Series, error) {
	where, args := f.where()
	runs := `SELECT r.id FROM runs r WHERE ` + where
	if f.Last > 0 {
		runs += ` ORDER BY r.started_at DESC, r.id DESC LIMIT ?`
		args = append(args, f.Last)
	}
	q := `SELECT m.run_id, r.run_key, r.started_at, m.suite, m.test, m.name, m.value, m.unit, m.better, m.spread, m.samples
		FROM metrics m JOIN runs r ON r.id = m.run_id WHERE m.run_id IN (` + runs + `)`
	if f.selectsAll() {
		q, args = `SELECT m.run_id, r.run_key, r.started_at, m.suite, m.test, m.name, m.value, m.unit, m.better, m.spread, m.samples
		FROM metrics m JOIN runs r ON r.id = m.run_id WHERE 1 = 1`, nil
	}
	switch {
	case strings.Contains(metric, "*"):
		q += ` AND m.name LIKE ? ESCAPE '\'`
		args = append(args, likePattern(metric))
	case metric != "":
		q += ` AND m.name = ?` // uses the (name, run_id) index; LIKE cannot
		args = append(args, metric)
	}
	if f.Suite != "" {
		q += ` AND m.suite = ?`
		args = append(args, f.Suite)
	}
	if f.Test != "" {
		q += ` AND m.test = ?`
		args = append(args, f.Test)
	}
	q += ` ORDER BY r.started_at, r.id`
	rows, err := s.db.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("read series: %w", err)
	}
	defer rows.Close()
	byKey := map[[3]string]*Series{}
	for rows.Next() {
		var p Point
		var started, better, samples, suite, test string
		if err := rows.Scan(&p.RunID, &p.RunKey, &started, &suite, &test, &p.Name, &p.Value, &p.Unit, &better,
			&p.Spread, &samples); err != nil {
			return nil, fmt.Errorf("read series: %w", err)
		}
		p.StartedAt, p.Better = parseTime(started), result.Direction(better)
		_ = json.Unmarshal([]byte(samples), &p.Samples)
		k := [3]string{suite, test, p.Name}
		sr := byKey[k]
		if sr == nil {
			sr = &Series{Suite: suite, Test: test, Name: p.Name}
			byKey[k] = sr
		}
		sr.Unit, sr.Better = p.Unit, p.Better // the newest run's say
		sr.Points = append(sr.Points, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read series: %w", err)
	}
	out := make([]Series, 0, len(byKey))
	for _, sr := range byKey {
		out = append(out, *sr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out, nil
}

// likePattern turns a name with * wildcards into a LIKE pattern.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `*`, `%`)
	return r.Replace(s)
}
