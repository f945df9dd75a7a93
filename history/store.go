// Package history is benchctl's memory of every run: a store behind
// database/sql, SQLite by default (modernc.org/sqlite: pure Go, so the binary
// needs no C SQLite and cross-compiles) and PostgreSQL for a team
// (github.com/jackc/pgx/v5 through its database/sql driver). One schema,
// versioned migrations (migrate.go), the same queries on both.
//
// A run is recorded as it goes (Recorder) and read back as runs, metric
// series and CSV. Nothing here decides a verdict: see Gate and the stats and
// changepoint packages.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// ErrNotFound is returned for a run that is not in the store.
var ErrNotFound = errors.New("no such run in the history")

// Options tunes Open.
type Options struct {
	// Version is the benchctl version, named when a store is too new.
	Version string
	// ReadOnly opens without creating: reading commands use it, so `history
	// list` on a missing file says so instead of creating one. A store from
	// an older benchctl is still upgraded.
	ReadOnly bool
	// Timeout bounds the wait for a locked SQLite file (its busy timeout) and
	// for a PostgreSQL connection; DefaultTimeout when 0.
	Timeout time.Duration
}

// DefaultTimeout is how long a store is waited for by default.
const DefaultTimeout = 30 * time.Second

// Store is an open history store. Its methods are safe for concurrent use.
type Store struct {
	db      *sql.DB
	d       dialect
	target  Target
	version string
}

// Open connects to the store and brings its schema to SchemaVersion. A store
// from a newer benchctl is refused with ErrSchemaTooNew.
func Open(ctx context.Context, t Target, opts Options) (*Store, error) {
	d, ok := dialects[t.Dialect]
	if !ok {
		return nil, fmt.Errorf("history %s: %w", t.Display, ErrBadTarget)
	}
	if opts.ReadOnly && d.name == "sqlite" {
		if _, err := os.Stat(t.Display); err != nil {
			return nil, fmt.Errorf("history %s: %w", t.Display, ErrEmpty)
		}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	db, err := sql.Open(d.driver, t.dsn(opts.Timeout))
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", t.Display, err)
	}
	if d.name == "sqlite" {
		// One connection: SQLite has one writer anyway, and the pragmas of
		// the DSN then hold for every statement.
		db.SetMaxOpenConns(1)
	}
	s := &Store{db: db, d: d, target: t, version: opts.Version}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("history %s: %w", t.Display, err)
	}
	if opts.ReadOnly {
		err = s.checkVersion(ctx)
	} else {
		err = s.migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("history %s: %w", t.Display, err)
	}
	return s, nil
}

// Close closes the connection.
func (s *Store) Close() error { return s.db.Close() }

// Target is where the store lives.
func (s *Store) Target() Target { return s.target }

// checkVersion refuses a store this benchctl cannot read, one too new or
// one that holds no history at all, and upgrades one that is too old.
func (s *Store) checkVersion(ctx context.Context) error {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT version FROM benchctl_schema`).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrEmpty
	case err != nil:
		return fmt.Errorf("%w (%v)", ErrEmpty, err)
	case v > SchemaVersion:
		return fmt.Errorf("%w: the store is at schema version %d, this benchctl (%s) knows up to %d: use a newer benchctl",
			ErrSchemaTooNew, v, s.version, SchemaVersion)
	case v < SchemaVersion:
		return s.migrate(ctx) // a store from an older benchctl: upgrade it, even to read
	}
	return nil
}

// ErrEmpty is returned by a read-only Open of a store that holds no history.
var ErrEmpty = errors.New("no history recorded here yet")
