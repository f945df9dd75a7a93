package history

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
)

// PostgresEnv names the environment variable holding the URL of a PostgreSQL
// server the tests may create schemas on; .ci/run starts one and sets it.
const PostgresEnv = "BENCHCTL_TEST_POSTGRES"

// backend opens fresh, empty stores of one kind.
type backend struct {
	name   string
	target func(t *testing.T) Target
}

// backends are SQLite and, where BENCHCTL_TEST_POSTGRES names a server,
// PostgreSQL: every test that ranges over them runs the same code on both.
func backends(t *testing.T) []backend {
	t.Helper()
	bs := []backend{{name: "sqlite", target: func(t *testing.T) Target {
		tg, err := ParseTarget(filepath.Join(t.TempDir(), "history.db"))
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}}}
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: CI must test the history on PostgreSQL too (.ci/run starts one)", PostgresEnv)
		}
		t.Logf("postgres: skipped: %s is not set (.ci/run and make test-postgres start a server and set it)", PostgresEnv)
		return bs
	}
	return append(bs, backend{name: "postgres", target: func(t *testing.T) Target { return postgresSchema(t, dsn) }})
}

// postgresSchema makes a schema of its own for one test and returns a target
// whose search_path points at it; the schema is dropped when the test ends.
func postgresSchema(t *testing.T, dsn string) Target {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("t_%d_%d", time.Now().UnixNano()%1e9, rand.IntN(1e6))
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		db.Close()
		t.Fatalf("postgres at %s: %v", redact(dsn), err)
	}
	t.Cleanup(func() {
		db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		db.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	tg, err := ParseTarget(dsn + sep + "search_path=" + schema)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func openStore(t *testing.T, tg Target) *Store {
	t.Helper()
	s, err := Open(context.Background(), tg, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// report builds a finished two-suite run: a passed case with a metric and
// samples and a pipeline run, a failed case, a skipped one.
func report(start time.Time, wall float64, labels map[string]string) *result.Report {
	pass := result.Case{Name: "throughput", Status: result.Passed, StartedAt: start, Seconds: wall,
		Metrics: []result.Metric{
			{Name: "wall", Value: wall, Unit: "s", Better: result.LowerIsBetter, Spread: 0.5, Samples: []float64{wall - 0.5, wall, wall + 0.5}},
			{Name: "wall", Value: wall * 2, Unit: "s", Better: result.LowerIsBetter},
			{Name: "sequences", Value: 1000},
		},
		Runs: []result.Run{{Name: "predict", Argv: []string{"fakepipe", "predict"}, Class: result.ExitOK, Seconds: wall,
			GPU: &result.GPUSummary{GPUs: []result.GPURun{
				{Index: 0, Stats: map[string]result.Stat{result.MemUsed: {Max: 4e9}, result.UtilGPU: {Mean: 80}}, EnergyJoules: 100},
				{Index: 1, Stats: map[string]result.Stat{result.MemUsed: {Max: 6e9}, result.UtilGPU: {Mean: 60}}, EnergyJoules: 50},
			}}}},
	}
	fail := result.Case{Name: "peak under budget", Status: result.Failed, Seconds: 1,
		Failures: []result.Failure{{Label: "peak", Op: "le", Value: "71 GiB", Bound: "64 GiB", Message: "peak: 71 GiB, want <= 64 GiB"}}}
	skip := result.Case{Name: "needs 8 GPUs", Status: result.Skipped, SkipReason: "needs 8 GPUs, 4 seen"}
	return &result.Report{
		Tool: result.Tool{Name: "benchctl", Version: "1.0"}, StartedAt: start, FinishedAt: start.Add(time.Minute), Seconds: 60,
		Invocation: result.Invocation{Args: []string{"run", "scenarios/a.lua"}, Vars: map[string]string{"pipeline": "fakepipe --fast"},
			ResultsDir: "reports/" + start.Format("150405.000000000"), Labels: labels},
		Environment: result.Environment{Hostname: "node-1", GPUBackend: "sim", GPUs: []result.GPUInfo{
			{Index: 0, Name: "H100", Driver: "580.65", CUDA: "13.0", PowerLimitW: 700},
			{Index: 1, Name: "H100", Driver: "580.65", CUDA: "13.0", PowerLimitW: 650}}},
		Suites: []result.Suite{
			{Name: "speed", File: "scenarios/a.lua", Status: result.Passed, Cases: []result.Case{pass}},
			{Name: "memory", File: "scenarios/b.lua", Status: result.Failed, Cases: []result.Case{fail, skip}},
		},
	}
}
