package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/benchctl/benchctl/history"
)

// postgresURL is the test server .ci/run starts, or "" (the rows that need
// it then skip, saying why).
func postgresURL(t *testing.T) string {
	u := os.Getenv("BENCHCTL_TEST_POSTGRES")
	if u == "" {
		t.Skip("BENCHCTL_TEST_POSTGRES is not set: no PostgreSQL to test against (.ci/run starts one)")
	}
	return u
}

// runHistoryScenario runs testdata/history.lua with the wall time given.
func runHistoryScenario(t *testing.T, store string, wall float64, extra ...string) cmdResult {
	t.Helper()
	args := append([]string{"run", "-q", "--gpu-backend", "none", "--history", store, "--results-dir", t.TempDir(),
		"--var", fmt.Sprintf("wall=%g", wall)}, extra...)
	return benchctl(t, append(args, "testdata/history.lua")...)
}

func TestHistoryRecordsEveryRun(t *testing.T) {
	for name, newStore := range historyStores(t) {
		t.Run(name, func(t *testing.T) {
			store := newStore(t)
			if name == "sqlite" {
				store = filepath.Join(filepath.Dir(store), "sub", "history.db") // a folder benchctl makes
			}
			for i, branch := range []string{"main", "dev", "main"} {
				if r := runHistoryScenario(t, store, float64(10+i), "--label", "branch="+branch, "--label", "commit=c"+fmt.Sprint(i)); r.code != 0 {
					t.Fatalf("run %d: exit %d\n%s", i, r.code, r.stderr)
				}
			}
			if r := benchctl(t, "monitor", "-q", "--gpu-backend", "none", "--history", store, "--label", "branch=main", "--", "true"); r.code != 0 {
				t.Fatalf("monitor: exit %d\n%s", r.code, r.stderr)
			}
			cases := []struct {
				name  string
				args  []string
				lines int
				want  []string
			}{
				{"all", nil, 4, []string{"monitor", "branch=dev commit=c1", "passed"}},
				{"label", []string{"--label", "branch=main"}, 3, []string{"commit=c2"}},
				{"suite", []string{"--suite", "speed"}, 3, nil},
				{"last", []string{"--last", "1"}, 1, []string{"monitor"}},
				{"since a day ago", []string{"--since", "1d"}, 4, nil},
				{"until a day ago", []string{"--until", "1d"}, 0, nil},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					r := benchctl(t, append([]string{"history", "list", "--history", store}, c.args...)...)
					lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
					if r.code != 0 || len(lines)-1 != c.lines {
						t.Fatalf("exit %d, %d runs, want %d\n%s%s", r.code, len(lines)-1, c.lines, r.stdout, r.stderr)
					}
					for _, w := range c.want {
						if !strings.Contains(r.stdout, w) {
							t.Errorf("list lacks %q:\n%s", w, r.stdout)
						}
					}
				})
			}
			r := benchctl(t, "history", "show", "--history", store, "3")
			if r.code != 0 {
				t.Fatalf("show: exit %d\n%s", r.code, r.stderr)
			}
			for _, w := range []string{"run 3 (run): passed", "labels: branch=main commit=c2", "speed / wall", "12s", "lower is better"} {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("show lacks %q:\n%s", w, r.stdout)
				}
			}

		})
	}
}

// A store that cannot take the run never costs the run: the reports are
// written, the error is one line naming the store, the exit code is 3, and
// `history import` records the run once the store is back.
func TestHistoryFailuresKeepTheRun(t *testing.T) {
	tmp := t.TempDir()
	corrupt := filepath.Join(tmp, "corrupt.db")
	if err := os.WriteFile(corrupt, []byte(strings.Repeat("not a database ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(tmp, "newer.db")
	if r := runHistoryScenario(t, newer, 10); r.code != 0 {
		t.Fatal(r.stderr)
	}
	setVersion(t, newer, 99)
	rows := []struct {
		name, store, want string
		postgres          bool
	}{
		{"corrupt file", corrupt, "file is not a database", false},
		{"read-only path", "/proc/benchctl-history/history.db", "/proc/benchctl-history", false},
		{"newer schema", newer, "schema version 99, this benchctl", false},
		{"postgres refuses the password", "wrong-password", "password authentication failed", true},
		{"postgres down", "postgres://bench:bench@127.0.0.1:1/postgres?sslmode=disable", "connection refused", false},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			store := row.store
			if row.postgres {
				store = strings.Replace(postgresURL(t), "bench:bench@", "bench:wrong@", 1)
			}
			dir := t.TempDir()
			r := benchctl(t, "run", "-q", "--gpu-backend", "none", "--history", store, "--history-timeout", "2s",
				"--results-dir", dir, "--out", "junit="+dir+"/junit.xml", "testdata/history.lua")
			if r.code != exitHistory {
				t.Fatalf("exit %d, want %d\n%s", r.code, exitHistory, r.stderr)
			}
			if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 ||
				!strings.Contains(lines[0], row.want) || !strings.Contains(lines[0], "history import "+dir+"/results.json") {
				t.Errorf("stderr, want one line naming %q and the import command:\n%s", row.want, r.stderr)
			}
			if strings.Contains(r.stderr, "bench:wrong") {
				t.Errorf("the password is printed:\n%s", r.stderr)
			}
			for _, f := range []string{"results.json", "junit.xml"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("report lost: %v", err)
				}
			}
			good := filepath.Join(t.TempDir(), "good.db")
			if r := benchctl(t, "history", "import", "-q", "--history", good, dir+"/results.json"); r.code != 0 {
				t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
			}
			if r := benchctl(t, "history", "list", "--history", good); !strings.Contains(r.stdout, "passed") {
				t.Errorf("imported run not listed:\n%s", r.stdout)
			}
		})
	}
}

func setVersion(t *testing.T, path string, v int) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE benchctl_schema SET version = ?`, v); err != nil {
		t.Fatal(err)
	}
}

// Two benchctl processes writing one store at once: on SQLite, WAL and the
// busy timeout make the second wait; every run of both is recorded.
func TestHistoryConcurrentWriters(t *testing.T) {
	for name, newStore := range historyStores(t) {
		t.Run(name, func(t *testing.T) {
			store := newStore(t)
			const each = 3
			var wg sync.WaitGroup
			codes := make(chan int, 2*each)
			for w := range 2 {
				wg.Go(func() {
					for i := range each {
						r := benchctl(t, "run", "-q", "--gpu-backend", "none", "--history", store, "--results-dir", t.TempDir(),
							"--label", fmt.Sprintf("writer=%d", w), "--var", fmt.Sprintf("wall=%d", i), "testdata/history.lua")
						codes <- r.code
					}
				})
			}
			wg.Wait()
			close(codes)
			for c := range codes {
				if c != 0 {
					t.Errorf("a writer exited %d", c)
				}
			}
			target, err := history.ParseTarget(store)
			if err != nil {
				t.Fatal(err)
			}
			s, err := history.Open(context.Background(), target, history.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for w := range 2 {
				runs, err := s.List(context.Background(), history.Filter{Labels: map[string]string{"writer": fmt.Sprint(w)}, Finished: true})
				if err != nil || len(runs) != each {
					t.Errorf("writer %d: %d finished runs recorded, want %d (%v)", w, len(runs), each, err)
				}
			}

		})
	}
}

// A file another process holds locked past --history-timeout: the run ends
// with exit 3 and its reports; nothing waits forever.
func TestHistoryLocked(t *testing.T) {
	store := filepath.Join(t.TempDir(), "history.db")
	if r := runHistoryScenario(t, store, 10); r.code != 0 {
		t.Fatal(r.stderr)
	}
	db, err := sql.Open("sqlite", "file:"+store+"?_txlock=exclusive")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`DELETE FROM labels WHERE 1 = 0`); err != nil {
		t.Fatal(err)
	}
	r := runHistoryScenario(t, store, 11, "--history-timeout", "1s")
	if r.code != exitHistory || !strings.Contains(r.stderr, "locked") {
		t.Fatalf("exit %d, want %d naming the lock\n%s", r.code, exitHistory, r.stderr)
	}
}

// A wall time that steps from 10 s to 13 s: history trend marks the change
// in every format, and history export gives one CSV row per run and metric.
func TestHistoryTrendAndExport(t *testing.T) {
	for name, newStore := range historyStores(t) {
		t.Run(name, func(t *testing.T) {
			store := newStore(t)
			walls := []float64{10.1, 9.9, 10.2, 10, 9.8, 10.1, 10, 9.9, 13.1, 12.9, 13, 13.2, 12.8, 13, 13.1, 12.9}
			for i, w := range walls {
				if r := runHistoryScenario(t, store, w); r.code != 0 {
					t.Fatalf("run %d: exit %d\n%s", i, r.code, r.stderr)
				}
			}
			out := filepath.Join(t.TempDir(), "trend.html")
			formats := []struct {
				args []string
				file string
				want []string
			}{
				{[]string{"wall"}, "", []string{"speed/wall/wall (lower is better)", "16 runs", "regression", "+30.0%", "E-divisive"}},
				{[]string{"wall", "--format", "markdown"}, "", []string{"### speed/wall/wall", "**9** |", "regression"}},
				{[]string{"wall", "--format", "html", "--out", out}, out, []string{"<svg", `<g class="mark regression">`, "from run 9"}},
				{[]string{"w*", "--last", "8"}, "", []string{"8 runs", "no change detected"}},
			}
			for _, f := range formats {
				r := benchctl(t, append([]string{"history", "trend", "--history", store}, f.args...)...)
				got := r.stdout
				if f.file != "" {
					data, _ := os.ReadFile(f.file)
					got = string(data)
				}
				if r.code != 0 {
					t.Fatalf("trend %v: exit %d\n%s", f.args, r.code, r.stderr)
				}
				for _, w := range f.want {
					if !strings.Contains(got, w) {
						t.Errorf("trend %v lacks %q:\n%s", f.args, w, got)
					}
				}
			}
			if r := benchctl(t, "history", "trend", "--history", store, "nope"); r.code != 2 || !strings.Contains(r.stderr, `no metric "nope"`) {
				t.Errorf("trend of a missing metric: exit %d\n%s", r.code, r.stderr)
			}
			r := benchctl(t, "history", "export", "--csv", "--history", store, "--last", "4")
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if r.code != 0 || len(lines) != 1+4*2 || !strings.HasPrefix(lines[0], "run_id,started_at,") {
				t.Errorf("export: exit %d, %d lines, want a header and 8 rows\n%s%s", r.code, len(lines), r.stdout, r.stderr)
			}
		})
	}
}
