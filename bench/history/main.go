// Command history measures the history store: recording the result of a
// 10-hour run on 8 GPUs, recording a 2,000-test result (as it goes, one case
// at a time, and in one import), and `history trend` over 10,000 runs, each
// with its time and the size of the store. It prints a Markdown table for
// BENCHMARKS.md.
//
//	go run ./bench/history                      # SQLite
//	go run ./bench/history -postgres URL        # and PostgreSQL (a schema of its own, dropped after)
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/benchctl/benchctl/history"
)

func main() {
	pg := flag.String("postgres", "", "also measure on this PostgreSQL server (URL)")
	runs := flag.Int("runs", 10000, "runs in the store for the trend")
	flag.Parse()
	backends := []backend{sqliteBackend()}
	if *pg != "" {
		backends = append(backends, postgresBackend(*pg))
	}
	fmt.Println("| back-end | what | time (CPU of benchctl's side) | store size |")
	fmt.Println("|---|---|---|---|")
	for _, b := range backends {
		for _, m := range measures(*runs) {
			row, err := m.run(b)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s, %s: %v\n", b.name, m.name, err)
				os.Exit(1)
			}
			fmt.Printf("| %s | %s | %s |\n", b.name, m.name, row)
		}
		b.cleanup()
	}
}

// backend opens fresh stores of one kind and measures their size.
type backend struct {
	name    string
	fresh   func() (history.Target, func() int64) // a new empty store and its size
	cleanup func()
}

func sqliteBackend() backend {
	dir, err := os.MkdirTemp("", "benchctl-history-bench-")
	if err != nil {
		panic(err)
	}
	n := 0
	return backend{name: "SQLite", cleanup: func() { os.RemoveAll(dir) }, fresh: func() (history.Target, func() int64) {
		n++
		path := filepath.Join(dir, fmt.Sprintf("h%d.db", n))
		t, _ := history.ParseTarget(path)
		return t, func() int64 {
			var total int64
			for _, suffix := range []string{"", "-wal"} {
				if fi, err := os.Stat(path + suffix); err == nil {
					total += fi.Size()
				}
			}
			return total
		}
	}}
}

func postgresBackend(url string) backend {
	db, err := sql.Open("pgx", url)
	if err != nil {
		panic(err)
	}
	var schemas []string
	n := 0
	return backend{name: "PostgreSQL", cleanup: func() {
		for _, s := range schemas {
			db.Exec(`DROP SCHEMA ` + s + ` CASCADE`)
		}
		db.Close()
	}, fresh: func() (history.Target, func() int64) {
		n++
		schema := fmt.Sprintf("bench_%d_%d", os.Getpid(), n)
		if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
			panic(err)
		}
		schemas = append(schemas, schema)
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		t, _ := history.ParseTarget(url + sep + "search_path=" + schema)
		return t, func() int64 {
			var size int64
			db.QueryRow(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
				JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, schema).Scan(&size)
			return size
		}
	}}
}

func open(t history.Target) (*history.Store, error) {
	return history.Open(context.Background(), t, history.Options{Version: "bench"})
}

func mib(n int64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }

// timer measures wall time and this process's CPU time (user + system):
// on a loaded machine the wall time grows, the CPU time much less.
type timer struct {
	wall time.Time
	cpu  time.Duration
}

func start() timer { return timer{wall: time.Now(), cpu: cpuTime()} }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// String is "wall (CPU cpu)".
func (t timer) String() string {
	return dur(time.Since(t.wall)) + " (CPU " + dur(cpuTime()-t.cpu) + ")"
}

func dur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d.Microseconds()))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
