package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// SchemaVersion is the newest schema this benchctl knows. A store at a newer
// version was written by a newer benchctl and is refused: ErrSchemaTooNew.
const SchemaVersion = 2

// ErrSchemaTooNew is returned by Open for a store whose schema is newer than
// SchemaVersion.
var ErrSchemaTooNew = errors.New("history schema is newer than this benchctl")

// migrations[i] takes the schema from version i to i+1. Each runs in one
// transaction with the version update, so a store is at one version or the
// next, never between. Append; never edit a migration that has shipped.
var migrations = []string{
	// 1: runs with their environment fingerprint and labels, suites, cases,
	// metrics with their samples, and checks.
	`CREATE TABLE runs (
		id {{id}},
		run_key TEXT NOT NULL UNIQUE,
		kind TEXT NOT NULL,
		started_at TEXT NOT NULL,
		finished_at TEXT NOT NULL,
		seconds DOUBLE PRECISION NOT NULL,
		partial INTEGER NOT NULL,
		interrupted INTEGER NOT NULL,
		status TEXT NOT NULL,
		benchctl_version TEXT NOT NULL,
		host TEXT NOT NULL,
		gpu_backend TEXT NOT NULL,
		gpu_model TEXT NOT NULL,
		gpu_count INTEGER NOT NULL,
		driver TEXT NOT NULL,
		cuda TEXT NOT NULL,
		power_limit_w DOUBLE PRECISION NOT NULL,
		pipeline TEXT NOT NULL,
		command TEXT NOT NULL,
		results_dir TEXT NOT NULL,
		environment TEXT NOT NULL
	);
	CREATE INDEX runs_started_at ON runs (started_at);
	CREATE TABLE labels (
		run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
		key TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY (run_id, key)
	);
	CREATE INDEX labels_key_value ON labels (key, value);
	CREATE TABLE suites (
		run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		name TEXT NOT NULL,
		file TEXT NOT NULL,
		status TEXT NOT NULL,
		seconds DOUBLE PRECISION NOT NULL,
		error TEXT NOT NULL,
		PRIMARY KEY (run_id, position)
	);
	CREATE TABLE cases (
		id {{id}},
		run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
		suite TEXT NOT NULL,
		test TEXT NOT NULL,
		status TEXT NOT NULL,
		seconds DOUBLE PRECISION NOT NULL,
		message TEXT NOT NULL,
		UNIQUE (run_id, suite, test)
	);
	CREATE TABLE metrics (
		case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
		run_id BIGINT NOT NULL,
		suite TEXT NOT NULL,
		test TEXT NOT NULL,
		name TEXT NOT NULL,
		value DOUBLE PRECISION NOT NULL,
		unit TEXT NOT NULL,
		better TEXT NOT NULL,
		spread DOUBLE PRECISION NOT NULL,
		samples TEXT NOT NULL
	);
	CREATE INDEX metrics_name_run ON metrics (name, run_id);
	CREATE INDEX metrics_case ON metrics (case_id);
	CREATE TABLE checks (
		case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
		label TEXT NOT NULL,
		op TEXT NOT NULL,
		value TEXT NOT NULL,
		bound TEXT NOT NULL,
		passed INTEGER NOT NULL,
		message TEXT NOT NULL
	);
	CREATE INDEX checks_case ON checks (case_id)`,
	// 2: the metrics of given runs, every name at once (the gate's baseline,
	// export), found without a scan.
	`CREATE INDEX metrics_run ON metrics (run_id)`,
}

// migrate brings the store to SchemaVersion, one migration a transaction.
// Two processes opening a new store at once both succeed: the version is read
// again under the write lock before each step.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS benchctl_schema (version INTEGER NOT NULL)`); err != nil {
		// Two PostgreSQL sessions creating the table at once: one loses the
		// race on the catalog; the table is there for the next statement.
		if s.d.name != "postgres" || !strings.Contains(err.Error(), "duplicate key") {
			return fmt.Errorf("create schema table: %w", err)
		}
	}
	for {
		done, err := s.step(ctx)
		if err != nil || done {
			return err
		}
	}
}

// step applies the next migration, if any, and says whether the schema is current.
func (s *Store) step(ctx context.Context) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback()
	if s.d.name == "postgres" {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE benchctl_schema IN EXCLUSIVE MODE`); err != nil {
			return false, fmt.Errorf("lock schema table: %w", err)
		}
	}
	v, err := readVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	switch {
	case v > SchemaVersion:
		return false, fmt.Errorf("%w: the store is at schema version %d, this benchctl (%s) knows up to %d: use a newer benchctl",
			ErrSchemaTooNew, v, s.version, SchemaVersion)
	case v == SchemaVersion:
		return true, nil
	}
	for _, stmt := range strings.Split(s.d.ddl(migrations[v]), ";") {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("migrate to schema version %d: %w", v+1, err)
		}
	}
	q := `UPDATE benchctl_schema SET version = ?`
	if v == 0 {
		q = `INSERT INTO benchctl_schema (version) VALUES (?)`
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(q), v+1); err != nil {
		return false, fmt.Errorf("migrate to schema version %d: %w", v+1, err)
	}
	return false, tx.Commit()
}

// readVersion reads the schema version: 0 for a new store.
func readVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var v int
	err := tx.QueryRowContext(ctx, `SELECT version FROM benchctl_schema`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
