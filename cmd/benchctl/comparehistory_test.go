package main

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// historyStores are the stores the history tests run on: a SQLite file and,
// where BENCHCTL_TEST_POSTGRES names a server, a schema of its own there.
func historyStores(t *testing.T) map[string]func(t *testing.T) string {
	stores := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "history.db") },
	}
	url := os.Getenv("BENCHCTL_TEST_POSTGRES")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("BENCHCTL_TEST_POSTGRES is not set: CI must test the history on PostgreSQL (.ci/run starts one)")
		}
		t.Log("postgres: skipped: BENCHCTL_TEST_POSTGRES is not set (.ci/run and make test start a server)")
		return stores
	}
	stores["postgres"] = func(t *testing.T) string { return postgresSchemaURL(t, url) }
	return stores
}

// postgresSchemaURL makes a schema for one test and returns a URL whose
// search_path is that schema; it is dropped when the test ends.
func postgresSchemaURL(t *testing.T, url string) string {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("cmd_%d_%d", time.Now().UnixNano()%1e9, rand.IntN(1e6))
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		db.Close()
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() {
		db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		db.Close()
	})
	return url + "&search_path=" + schema
}

// The gate over history, end to end on both back-ends: ten runs of a wall
// time with 2% noise on main, then new runs judged against them.
func TestCompareHistory(t *testing.T) {
	for name, store := range historyStores(t) {
		t.Run(name, func(t *testing.T) {
			h := store(t)
			for i, w := range []float64{10.1, 9.8, 10.3, 9.9, 10.0, 10.2, 9.7, 10.4, 10.1, 9.9} {
				if r := runHistoryScenario(t, h, w, "--label", "branch=main", "--var", fmt.Sprintf("throughput=%d", 100+i%3)); r.code != 0 {
					t.Fatalf("baseline run %d: exit %d\n%s", i, r.code, r.stderr)
				}
			}
			if r := runHistoryScenario(t, h, 50, "--label", "branch=dev"); r.code != 0 {
				t.Fatal(r.stderr)
			}
			// New runs are labelled branch=pr: they never join a main baseline.
			newRun := func(t *testing.T, wall float64, extra ...string) string {
				dir := t.TempDir()
				args := append([]string{"run", "-q", "--history", h, "--results-dir", dir, "--var", fmt.Sprintf("wall=%g", wall),
					"--label", "branch=pr"}, extra...)
				if r := benchctl(t, append(args, "testdata/history.lua")...); r.code != 0 {
					t.Fatalf("new run: exit %d\n%s", r.code, r.stderr)
				}
				return filepath.Join(dir, "results.json")
			}
			rows := []struct {
				name string
				wall float64
				run  []string // extra flags of the new run
				cmp  []string // extra flags of compare
				code int
				want []string
			}{
				{"a 30% slower run regresses", 13, nil, []string{"--label", "branch=main"}, 1,
					[]string{"speed / wall / wall", "regressed", "1 regressed against the history", "last 10 runs", "bootstrap"}},
				{"a run within the noise passes", 10.05, nil, []string{"--label", "branch=main"}, 0,
					[]string{"no regression", "2 unchanged"}},
				{"flags after the file, a 30% faster run improves", 7, nil, []string{"--label=branch=main", "--last", "5"}, 0,
					[]string{"improved", "5 baseline runs"}},
				{"the dev run is not in a main baseline", 10, nil, []string{"--label", "branch=main", "--last", "10"}, 0,
					[]string{"no regression"}},
				{"three runs are too few to judge", 10, nil, []string{"--last", "3"}, 0,
					[]string{"not judged: 3 baseline runs, 5 needed"}},
				{"another GPU backend is refused", 10, []string{"--gpu-backend", "sim"}, []string{"--label", "branch=main"}, 2,
					[]string{"another environment", "gpu backend sim vs none", "--allow-env-diff"}},
				{"another GPU backend, allowed", 10, []string{"--gpu-backend", "sim"}, []string{"--label", "branch=main", "--allow-env-diff"}, 0,
					[]string{"environments differ, allowed: gpu backend sim vs none"}},
				{"no run has the label", 10, nil, []string{"--label", "branch=nope"}, 2,
					[]string{"no finished run in the history matches", "branch=nope"}},
				{"a bad confidence", 10, nil, []string{"--confidence", "150%"}, 2, []string{"--confidence"}},
			}
			for _, row := range rows {
				t.Run(row.name, func(t *testing.T) {
					flags := row.run
					if flags == nil {
						flags = []string{"--gpu-backend", "none"}
					}
					res := newRun(t, row.wall, flags...)
					r := benchctl(t, append([]string{"compare", "--baseline", "history", "--history", h, res}, row.cmp...)...)
					if r.code != row.code {
						t.Fatalf("exit %d, want %d\n%s%s", r.code, row.code, r.stdout, r.stderr)
					}
					for _, w := range row.want {
						if !strings.Contains(r.stdout+r.stderr, w) {
							t.Errorf("output lacks %q:\n%s%s", w, r.stdout, r.stderr)
						}
					}
				})
			}
		})
	}
}

func TestCompareHistoryUnreadable(t *testing.T) {
	dir := t.TempDir()
	if r := runHistoryScenario(t, filepath.Join(dir, "h.db"), 10, "--results-dir", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	rows := []struct {
		name, store string
		code        int
		want        string
	}{
		{"missing file", filepath.Join(dir, "nope.db"), 3, "no history recorded here yet"},
		{"server down", "postgres://bench:bench@127.0.0.1:1/postgres?sslmode=disable", 3, "connection refused"},
		{"bad store", "mysql://x", 2, "--history"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			r := benchctl(t, "compare", "--baseline", "history", "--history", row.store, "--history-timeout", "2s", dir+"/results.json")
			if r.code != row.code || !strings.Contains(r.stderr, row.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
				t.Errorf("exit %d, want %d and one line naming %q:\n%s", r.code, row.code, row.want, r.stderr)
			}
		})
	}
}
