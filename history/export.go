package history

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// CSVHeader is the header of WriteCSV: one row per metric per test per run,
// the shape pandas (pd.read_csv) and change-point tools read as a long table.
var CSVHeader = []string{"run_id", "started_at", "kind", "run_status", "partial", "suite", "test", "test_status",
	"metric", "value", "unit", "better", "spread", "samples", "host", "gpu_backend", "gpu_model", "gpu_count",
	"driver", "cuda", "power_limit_w", "benchctl_version", "labels"}

// WriteCSV writes every metric of the runs the filter selects, oldest run
// first. samples are ;-separated; labels are k=v pairs, ;-separated, sorted.
func (s *Store) WriteCSV(ctx context.Context, w io.Writer, f Filter) error {
	runs, err := s.List(ctx, f)
	if err != nil {
		return err
	}
	byID := make(map[int64]Run, len(runs))
	for _, r := range runs {
		byID[r.ID] = r
	}
	where, args := f.where()
	sub := `SELECT r.id FROM runs r WHERE ` + where
	if f.Last > 0 {
		sub += ` ORDER BY r.started_at DESC, r.id DESC LIMIT ?`
		args = append(args, f.Last)
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT m.run_id, m.suite, m.test, c.status, m.name, m.value, m.unit,
		m.better, m.spread, m.samples FROM metrics m JOIN cases c ON c.id = m.case_id JOIN runs r ON r.id = m.run_id
		WHERE m.run_id IN (`+sub+`) ORDER BY r.started_at, r.id, c.id, m.name`), args...)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for rows.Next() {
		var id int64
		var suite, test, status, name, unit, better, samples string
		var value, spread float64
		if err := rows.Scan(&id, &suite, &test, &status, &name, &value, &unit, &better, &spread, &samples); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		r := byID[id]
		fp := r.Fingerprint
		rec := []string{strconv.FormatInt(id, 10), formatTime(r.StartedAt), r.Kind, string(r.Status), strconv.FormatBool(r.Partial),
			suite, test, status, name, num(value), unit, better, num(spread), joinSamples(samples), fp.Host, fp.Backend,
			fp.GPUModel, strconv.Itoa(fp.GPUCount), fp.Driver, fp.CUDA, num(fp.PowerLimit), fp.Version, LabelString(r.Labels, ";")}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	cw.Flush()
	return cw.Error()
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func joinSamples(js string) string {
	var xs []float64
	_ = json.Unmarshal([]byte(js), &xs)
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = num(x)
	}
	return strings.Join(parts, ";")
}

// LabelString writes labels as k=v pairs sorted by key, joined by sep.
func LabelString(labels map[string]string, sep string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + labels[k]
	}
	return strings.Join(parts, sep)
}
