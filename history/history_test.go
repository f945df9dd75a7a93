package history

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestRecordAndRead(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			s := openStore(t, b.target(t))
			ctx := context.Background()
			rep := report(t0, 10, map[string]string{"commit": "abc123", "branch": "main"})
			id, err := s.Record(ctx, rep)
			if err != nil {
				t.Fatal(err)
			}
			d, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != result.Failed || d.Partial || d.Tests != 3 || d.Failed != 1 {
				t.Errorf("run: status %s partial %v tests %d failed %d, want failed, false, 3, 1", d.Status, d.Partial, d.Tests, d.Failed)
			}
			if d.Labels["commit"] != "abc123" || d.Labels["branch"] != "main" || len(d.Labels) != 2 {
				t.Errorf("labels %v", d.Labels)
			}
			want := Fingerprint{Backend: "sim", GPUModel: "H100", GPUCount: 2, Driver: "580.65", CUDA: "13.0", PowerLimit: 650,
				Host: "node-1", Version: "1.0", Pipeline: "fakepipe --fast"}
			if d.Fingerprint != want {
				t.Errorf("fingerprint\n got %+v\nwant %+v", d.Fingerprint, want)
			}
			if !d.StartedAt.Equal(t0) || d.Command != "run scenarios/a.lua" || len(d.Suites) != 2 || d.Suites[1].Status != result.Failed {
				t.Errorf("run header: %v %q %+v", d.StartedAt, d.Command, d.Suites)
			}
			metrics := map[string]Metric{}
			for _, m := range d.Cases[0].Metrics {
				metrics[m.Name] = m
			}
			for name, v := range map[string]float64{"wall": 10, "wall#2": 20, "sequences": 1000, "run.predict.wall": 10,
				"run.predict.gpu_memory_peak": 6e9, "run.predict.gpu_utilization_mean": 70, "run.predict.gpu_energy": 150} {
				if metrics[name].Value != v {
					t.Errorf("metric %s = %v, want %v", name, metrics[name].Value, v)
				}
			}
			if w := metrics["wall"]; w.Unit != "s" || w.Better != result.LowerIsBetter || w.Spread != 0.5 || len(w.Samples) != 3 || w.Samples[2] != 10.5 {
				t.Errorf("wall recorded as %+v", w)
			}
			if c := d.Cases[1]; c.Status != result.Failed || c.Message != "peak: 71 GiB, want <= 64 GiB" || len(c.Checks) != 1 || c.Checks[0].Bound != "64 GiB" {
				t.Errorf("failed case recorded as %+v", c)
			}
			if c := d.Cases[2]; c.Status != result.Skipped || c.Message != "needs 8 GPUs, 4 seen" {
				t.Errorf("skipped case recorded as %+v", c)
			}
		})
	}
}

// A run recorded as it goes: a partial record per finished case, each case
// once, then the final record replaces the header, and the run is one run.
func TestRecordAsItGoes(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			s := openStore(t, b.target(t))
			ctx := context.Background()
			full := report(t0, 10, nil)
			rep := *full
			rep.Partial = true
			rep.Suites = []result.Suite{full.Suites[0], {Name: "memory", File: "scenarios/b.lua", Status: result.Running,
				Cases: []result.Case{{Name: "peak under budget", Status: result.Running}}}}
			rec := s.NewRecorder()
			id1, err := rec.Record(ctx, &rep)
			if err != nil {
				t.Fatal(err)
			}
			runs, err := s.List(ctx, Filter{})
			if err != nil || len(runs) != 1 || !runs[0].Partial || runs[0].Status != result.Running || runs[0].Tests != 1 {
				t.Fatalf("after the partial record: %+v, %v; want one partial running run with 1 test", runs, err)
			}
			if unfinished, _ := s.List(ctx, Filter{Finished: true}); len(unfinished) != 0 {
				t.Errorf("Filter.Finished listed the partial run")
			}
			full.Interrupted = false
			id2, err := rec.Record(ctx, full)
			if err != nil || id2 != id1 {
				t.Fatalf("final record: id %d vs %d, %v", id2, id1, err)
			}
			runs, _ = s.List(ctx, Filter{})
			if len(runs) != 1 || runs[0].Partial || runs[0].Tests != 3 || runs[0].Status != result.Failed {
				t.Errorf("after the final record: %+v", runs)
			}
			// A second recorder (benchctl run --resume) takes up the same run.
			if id3, err := s.Record(ctx, full); err != nil || id3 != id1 {
				t.Errorf("resumed record: id %d vs %d, %v", id3, id1, err)
			}
			d, _ := s.Get(ctx, id1)
			if len(d.Cases) != 3 {
				t.Errorf("after a resume: %d cases, want 3", len(d.Cases))
			}
			// Updates spend no run id: the next run is the next number.
			if id4, err := s.Record(ctx, report(t0.Add(time.Hour), 10, nil)); err != nil || id4 != id1+1 {
				t.Errorf("next run: id %d, want %d (%v)", id4, id1+1, err)
			}
		})
	}
}

func TestListFilters(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			s := openStore(t, b.target(t))
			ctx := context.Background()
			for i := range 6 {
				branch := "main"
				if i%2 == 1 {
					branch = "dev"
				}
				if _, err := s.Record(ctx, report(t0.Add(time.Duration(i)*time.Hour), float64(10+i), map[string]string{"branch": branch})); err != nil {
					t.Fatal(err)
				}
			}
			cases := []struct {
				name string
				f    Filter
				want int
			}{
				{"all", Filter{}, 6},
				{"label", Filter{Labels: map[string]string{"branch": "main"}}, 3},
				{"two labels, one absent", Filter{Labels: map[string]string{"branch": "main", "commit": "x"}}, 0},
				{"since", Filter{Since: t0.Add(2 * time.Hour)}, 4},
				{"until", Filter{Until: t0.Add(2 * time.Hour)}, 2},
				{"last", Filter{Last: 4}, 4},
				{"suite", Filter{Suite: "memory"}, 6},
				{"absent suite", Filter{Suite: "nope"}, 0},
				{"test", Filter{Test: "throughput"}, 6},
				{"exclude", Filter{ExcludeKeys: []string{RunKey(report(t0, 10, nil))}}, 5},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					runs, err := s.List(ctx, c.f)
					if err != nil || len(runs) != c.want {
						t.Fatalf("%d runs, %v; want %d", len(runs), err, c.want)
					}
					for i := 1; i < len(runs); i++ {
						if runs[i].StartedAt.After(runs[i-1].StartedAt) {
							t.Errorf("not newest first")
						}
					}
				})
			}
			series, err := s.Series(ctx, "wall", Filter{Labels: map[string]string{"branch": "main"}, Last: 2})
			if err != nil || len(series) != 1 {
				t.Fatalf("series: %+v, %v", series, err)
			}
			if v := series[0].Values(); len(v) != 2 || v[0] != 12 || v[1] != 14 {
				t.Errorf("wall on main, last 2: %v, want [12 14] oldest first", v)
			}
			series, _ = s.Series(ctx, "run.*.wall", Filter{})
			if len(series) != 1 || series[0].Name != "run.predict.wall" || len(series[0].Points) != 6 {
				t.Errorf("pattern run.*.wall: %+v", series)
			}
			if _, err := s.Get(ctx, 9999); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get of a missing run: %v, want ErrNotFound", err)
			}
		})
	}
}

func TestSchemaTooNewRefused(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			tg := b.target(t)
			s := openStore(t, tg)
			if _, err := s.db.Exec(`UPDATE benchctl_schema SET version = 7`); err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{false, true} {
				_, err := Open(context.Background(), tg, Options{Version: "v1.2.3", ReadOnly: ro})
				if !errors.Is(err, ErrSchemaTooNew) {
					t.Fatalf("read-only %v: %v, want ErrSchemaTooNew", ro, err)
				}
				for _, want := range []string{"version 7", "v1.2.3", fmt.Sprintf("up to %d", SchemaVersion)} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("%q does not name %q", err, want)
					}
				}
			}
		})
	}
}

func TestWriteCSV(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			s := openStore(t, b.target(t))
			ctx := context.Background()
			for i := range 3 {
				if _, err := s.Record(ctx, report(t0.Add(time.Duration(i)*time.Hour), float64(10+i), map[string]string{"commit": fmt.Sprint("c", i), "branch": "main"})); err != nil {
					t.Fatal(err)
				}
			}
			var out strings.Builder
			if err := s.WriteCSV(ctx, &out, Filter{Last: 2}); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
			if err != nil {
				t.Fatalf("not CSV: %v\n%s", err, out.String())
			}
			if strings.Join(recs[0], ",") != strings.Join(CSVHeader, ",") {
				t.Errorf("header %v", recs[0])
			}
			var walls []string
			for _, r := range recs[1:] {
				if r[8] == "wall" {
					walls = append(walls, r[9]+"|"+r[13]+"|"+r[22]+"|"+r[16]+"|"+r[20])
				}
			}
			want := []string{"11|10.5;11;11.5|branch=main;commit=c1|H100|650", "12|11.5;12;12.5|branch=main;commit=c2|H100|650"}
			if strings.Join(walls, " ") != strings.Join(want, " ") {
				t.Errorf("wall rows (value|samples|labels|gpu|power), oldest first:\n got %v\nwant %v", walls, want)
			}
		})
	}
}

// A record that fails (the file locked by another process) changes nothing
// and loses nothing: the next record writes every case not yet recorded.
func TestRecordRetriesAfterAFailure(t *testing.T) {
	tg, err := ParseTarget(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), tg, Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	full := report(t0, 10, nil)
	first := *full
	first.Partial = true
	first.Suites = full.Suites[:1]
	rec := s.NewRecorder()
	if _, err := rec.Record(ctx, &first); err != nil {
		t.Fatal(err)
	}
	lock, err := sql.Open("sqlite", "file:"+tg.DSN+"?_txlock=exclusive")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	tx, err := lock.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`DELETE FROM labels WHERE 1 = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Record(ctx, full); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("record under a lock: %v, want a locked error", err)
	}
	tx.Rollback()
	id, err := rec.Record(ctx, full)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Get(ctx, id)
	if err != nil || d.Partial || len(d.Cases) != 3 || len(d.Suites) != 2 {
		t.Errorf("after the retry: partial %v, %d cases, %d suites (%v); want the whole run", d.Partial, len(d.Cases), len(d.Suites), err)
	}
}

// A store written by an older benchctl is brought up to date on open, even
// by a reading command, and keeps its runs.
func TestMigrateFromVersion1(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			tg := b.target(t)
			s := openStore(t, tg)
			ctx := context.Background()
			if _, err := s.Record(ctx, report(t0, 10, nil)); err != nil {
				t.Fatal(err)
			}
			// Take it back to version 1, as an older benchctl left it.
			if _, err := s.db.Exec(`DROP INDEX metrics_run`); err != nil {
				t.Fatal(err)
			}
			if _, err := s.db.Exec(`UPDATE benchctl_schema SET version = 1`); err != nil {
				t.Fatal(err)
			}
			s2, err := Open(ctx, tg, Options{ReadOnly: true}) // a reading command upgrades too
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			var v int
			if err := s2.db.QueryRow(`SELECT version FROM benchctl_schema`).Scan(&v); err != nil || v != SchemaVersion {
				t.Fatalf("version %d (%v), want %d", v, err, SchemaVersion)
			}
			if _, err := s2.db.Exec(`DROP INDEX metrics_run`); err != nil {
				t.Errorf("migration 2 did not create its index: %v", err)
			}
			if runs, err := s2.List(ctx, Filter{}); err != nil || len(runs) != 1 {
				t.Errorf("runs after the migration: %d, %v", len(runs), err)
			}
		})
	}
}
