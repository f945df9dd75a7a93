package history

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// None is the --history value that records nothing.
const None = "none"

// DefaultFile is the default store, relative to the data directory: see DefaultPath.
const DefaultFile = "benchctl/history.db"

// Target is where a history store lives: a SQLite file or a PostgreSQL server.
type Target struct {
	// Dialect is "sqlite" or "postgres".
	Dialect string
	// DSN is the PostgreSQL URL or the SQLite file.
	DSN string
	// Display names the store in messages, without a password.
	Display string
}

// ErrBadTarget is returned by ParseTarget for a value that names no store.
var ErrBadTarget = errors.New("want a SQLite file path, postgres://USER@HOST/DB or none")

// DefaultPath is the store used when --history is not given:
// $BENCHCTL_HISTORY when set, else $XDG_DATA_HOME/benchctl/history.db, else
// ~/.local/share/benchctl/history.db.
func DefaultPath() string {
	if p := os.Getenv("BENCHCTL_HISTORY"); p != "" {
		return p
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, DefaultFile)
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", DefaultFile)
	}
	return filepath.Join(".benchctl", "history.db")
}

// ParseTarget reads a --history value: a postgres:// or postgresql:// URL, a
// sqlite:// URL or a plain file path. "none" and "" are not targets: the
// caller records nothing for them.
func ParseTarget(s string) (Target, error) {
	switch {
	case s == "" || s == None:
		return Target{}, fmt.Errorf("%q: %w", s, ErrBadTarget)
	case strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" && u.Query().Get("host") == "" {
			return Target{}, fmt.Errorf("%q: %w", redact(s), ErrBadTarget)
		}
		return Target{Dialect: "postgres", DSN: s, Display: redact(s)}, nil
	case strings.HasPrefix(s, "sqlite://"):
		return sqliteTarget(strings.TrimPrefix(s, "sqlite://"))
	case strings.Contains(s, "://"):
		return Target{}, fmt.Errorf("%q: %w", redact(s), ErrBadTarget)
	}
	return sqliteTarget(s)
}

func sqliteTarget(path string) (Target, error) {
	if path == "" {
		return Target{}, fmt.Errorf("empty path: %w", ErrBadTarget)
	}
	return Target{Dialect: "sqlite", DSN: path, Display: path}, nil
}

// dsn is what the driver opens. For SQLite: WAL lets readers run beside a
// writer; the busy timeout makes a second writer wait for the first instead
// of failing; immediate transactions take the write lock at BEGIN, so two
// writers never deadlock upgrading a read lock. For PostgreSQL: a connect
// timeout, unless the URL sets one.
func (t Target) dsn(timeout time.Duration) string {
	if t.Dialect == "postgres" {
		if strings.Contains(t.DSN, "connect_timeout=") {
			return t.DSN
		}
		sep := "?"
		if strings.Contains(t.DSN, "?") {
			sep = "&"
		}
		return t.DSN + sep + "connect_timeout=" + strconv.Itoa(max(1, int(timeout.Seconds())))
	}
	return "file:" + t.DSN + "?_pragma=busy_timeout(" + strconv.FormatInt(timeout.Milliseconds(), 10) + ")" +
		"&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// redact hides the password of a URL.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "postgres://..."
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
