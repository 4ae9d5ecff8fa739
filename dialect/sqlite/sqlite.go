// Package sqlite is retort's SQLite dialect, for the pure-Go driver
// modernc.org/sqlite (registered as "sqlite"), so the binary needs no cgo.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlbuild"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// busyTimeout is how long SQLite waits for a write lock held by another
// connection (an application, or sqlite3 open in a terminal) before failing.
const busyTimeout = 10 * time.Second

// Dialect is SQLite.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// New returns the SQLite dialect.
func New() Dialect { return Dialect{} }

// Name implements dialect.Dialect.
func (Dialect) Name() string { return "sqlite" }

// Caps implements dialect.Dialect. SQLite rolls DDL back with its
// transaction; Alembic calls it non-transactional only because Python's
// sqlite3 module commits before DDL.
func (Dialect) Caps() dialect.Caps {
	return dialect.Caps{TransactionalDDL: true, BatchedBookkeeping: true}
}

// SplitDialect implements dialect.Dialect.
func (Dialect) SplitDialect() sqlsplit.Dialect { return sqlsplit.SQLite }

// DriverName implements dialect.Dialect.
func (Dialect) DriverName() string { return "sqlite" }

// IsMemory reports whether u names an in-memory database.
func IsMemory(u *config.URL) bool { return u.Path == "" || u.Path == ":memory:" }

// DSN implements dialect.Dialect: foreign keys on and a busy timeout on
// every connection, as the design asks, and the URL's mode and timeout
// parameters. A database file's directory must exist: SQLite creates the
// file, not its directory, and says only "unable to open database file".
func (Dialect) DSN(u *config.URL) (string, error) {
	// The run's locking mode is checked here, before anything connects.
	if _, err := lockingMode(u); err != nil {
		return "", err
	}
	mode, err := openMode(u)
	if err != nil {
		return "", err
	}
	timeout, err := busyTimeoutOf(u)
	if err != nil {
		return "", err
	}
	params := url.Values{}
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", timeout.Milliseconds()))
	// Store time.Time arguments as SQLite's own sortable text.
	params.Set("_time_format", "sqlite")
	if mode != "" {
		params.Set("mode", mode)
	}
	path := filePath(u)
	if IsMemory(u) {
		path = ":memory:"
	}
	// The driver reads everything after the first '?' as parameters, so the
	// path must not contain one.
	for _, c := range path {
		if c == '?' || c == '#' {
			return "", fmt.Errorf("retort/sqlite: database path %q contains %q, which SQLite URIs cannot hold", path, c)
		}
	}
	if !IsMemory(u) {
		if err := checkDir(path); err != nil {
			return "", err
		}
	}
	return "file:" + path + "?" + params.Encode(), nil
}

// filePath is u's database file without the "file:" of a SQLite URI
// (SQLAlchemy's sqlite:///file:app.db?uri=true), which the DSN adds back.
func filePath(u *config.URL) string { return strings.TrimPrefix(u.Path, "file:") }

// checkDir fails when the directory of the database file path does not
// exist, or is not a directory.
func checkDir(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("retort/sqlite: cannot open database %s: directory %s does not exist (SQLite creates the database file, not its directory): create it or fix the URL", path, dir)
	case err == nil && !fi.IsDir():
		return fmt.Errorf("retort/sqlite: cannot open database %s: %s is not a directory", path, dir)
	}
	// Another error (permissions) is left for SQLite to report.
	return nil
}

// ModeParam is the URL parameter, SQLite's own URI parameter, that opens
// the database read-only (ro), read-write without creating it (rw), or
// read-write creating it when missing (rwc, the default).
const ModeParam = "mode"

// urlParam returns the value of u's query parameter name and whether it
// is there; given more than once, it is an error.
func urlParam(u *config.URL, name string) (string, bool, error) {
	vals := u.Query[name]
	switch len(vals) {
	case 0:
		return "", false, nil
	case 1:
		return vals[0], true, nil
	default:
		return "", false, fmt.Errorf("retort/sqlite: URL parameter %s is given %d times; give it once", name, len(vals))
	}
}

// openMode returns u's mode parameter, "" when absent.
func openMode(u *config.URL) (string, error) {
	v, ok, err := urlParam(u, ModeParam)
	if err != nil || !ok {
		return "", err
	}
	switch v {
	case "ro", "rw", "rwc":
		if IsMemory(u) && v == "ro" {
			return "", fmt.Errorf("retort/sqlite: URL parameter %s=ro: an in-memory database cannot be read-only", ModeParam)
		}
		return v, nil
	default:
		return "", fmt.Errorf("retort/sqlite: URL parameter %s=%q: want ro (read-only: current, history, check; upgrade, downgrade and stamp refuse to run), rw (read-write, the file must exist) or rwc (read-write, created if missing; the default)", ModeParam, v)
	}
}

// readOnly reports whether u opens the database read-only.
func readOnly(u *config.URL) bool {
	vals := u.Query[ModeParam]
	return len(vals) == 1 && vals[0] == "ro"
}

// TimeoutParam is the URL parameter that sets the busy timeout, in
// seconds, as Python's sqlite3 (and so SQLAlchemy) reads it.
const TimeoutParam = "timeout"

// busyTimeoutOf returns u's timeout parameter, or busyTimeout.
func busyTimeoutOf(u *config.URL) (time.Duration, error) {
	raw, ok, err := urlParam(u, TimeoutParam)
	if err != nil || !ok {
		return busyTimeout, err
	}
	secs, err := strconv.ParseFloat(raw, 64)
	if err != nil || secs < 0 || math.IsInf(secs, 0) || math.IsNaN(secs) || secs > 86400*365 {
		return 0, fmt.Errorf("retort/sqlite: URL parameter %s=%q: want the busy timeout in seconds, such as 10 or 2.5 (the default is %s)", TimeoutParam, raw, busyTimeout)
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// ConfigureDB implements dialect.Dialect. An in-memory database exists once
// per connection, so the pool must never open a second one.
func (Dialect) ConfigureDB(db *sql.DB, u *config.URL) {
	if IsMemory(u) {
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
}

// PrepareSession implements dialect.Dialect. The pragmas are set by the DSN;
// SQLite has no statement lock timeout beyond busy_timeout.
func (Dialect) PrepareSession(ctx context.Context, conn *sql.Conn, opts dialect.SessionOptions) error {
	return nil
}

// reserved are SQLite's keywords that cannot be used bare as identifiers,
// plus SQL keywords SQLAlchemy quotes for SQLite.
var reserved = sqlbuild.WordSet(`abort action add after all alter always analyze and as asc attach
autoincrement before begin between by cascade case cast check collate column commit conflict
constraint create cross current current_date current_time current_timestamp database default
deferrable deferred delete desc detach distinct do drop each else end escape except exclude
exclusive exists explain fail filter first following for foreign from full generated glob group
groups having if ignore immediate in index indexed initially inner insert instead intersect into
is isnull join key last left like limit match materialized natural no not nothing notnull null
nulls of offset on or order others outer over partition plan pragma preceding primary query raise
range recursive references regexp reindex release rename replace restrict returning right
rollback row rows savepoint select set table temp temporary then ties to transaction trigger
unbounded union unique update using vacuum values view virtual when where window with without`)

// QuoteIdent implements dialect.Dialect.
func (Dialect) QuoteIdent(name string) string { return sqlbuild.QuoteIfNeeded(name, '"', reserved) }

// QualifiedName implements dialect.Dialect. A schema on SQLite names an
// attached database.
func (d Dialect) QualifiedName(t dialect.Table) string {
	if t.Schema != "" {
		return d.QuoteIdent(t.Schema) + "." + d.QuoteIdent(t.Name)
	}
	return d.QuoteIdent(t.Name)
}

// timeLayout is how timestamps are stored: sortable text, as SQLite has no
// time type.
const timeLayout = "2006-01-02 15:04:05.000000"

// Literal implements dialect.Dialect.
func (Dialect) Literal(v any) string { return sqlbuild.Literal(v, false, timeLayout) }

// NowSQL implements dialect.Now: timeLayout, which has microseconds where
// strftime's %f has milliseconds, hence the three zeros.
func (Dialect) NowSQL() string { return "strftime('%Y-%m-%d %H:%M:%f000', 'now')" }

// Placeholder implements dialect.Dialect.
func (Dialect) Placeholder(int) string { return "?" }

// VersionTableDDL implements dialect.Dialect with the text SQLAlchemy emits.
func (d Dialect) VersionTableDDL(t dialect.Table) string {
	return fmt.Sprintf("CREATE TABLE %s (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT %s PRIMARY KEY (version_num)\n)",
		d.QualifiedName(t), d.QuoteIdent(t.Name+"_pkc"))
}

// HistoryTableDDL implements dialect.Dialect. The id is the rowid (no
// AUTOINCREMENT, which would touch sqlite_sequence on every insert: rows are
// never deleted, so ids still only grow) and there is no run_id index:
// every page a migration's commit touches costs journal writes, and run_id
// is only searched for the rare no-transaction step.
func (d Dialect) HistoryTableDDL(t dialect.Table) []string {
	return []string{fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	id INTEGER PRIMARY KEY,
	run_id VARCHAR(32) NOT NULL,
	revision VARCHAR(32) NOT NULL,
	direction VARCHAR(10) NOT NULL,
	status VARCHAR(10) NOT NULL,
	from_revisions TEXT,
	to_revisions TEXT,
	message TEXT,
	checksum VARCHAR(64),
	atomic SMALLINT NOT NULL,
	tag TEXT,
	started_at TEXT NOT NULL,
	finished_at TEXT,
	error TEXT,
	statements TEXT
)`, d.QualifiedName(t))}
}

// TableExists implements dialect.Dialect.
func (d Dialect) TableExists(ctx context.Context, q dialect.Querier, t dialect.Table) (bool, error) {
	master := "sqlite_master"
	if t.Schema != "" {
		master = d.QuoteIdent(t.Schema) + ".sqlite_master"
	}
	var n int
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+master+" WHERE type = 'table' AND name = ?", t.Name).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("retort/sqlite: look up table %s: %w", t.Name, err)
	}
	return n > 0, nil
}

// NewLock implements dialect.Dialect: an flock on a file beside the
// database, which the kernel releases if the holder dies.
func (d Dialect) NewLock(conn *sql.Conn, u *config.URL, versionTable dialect.Table) (dialect.Lock, error) {
	return d.NewFileLock(u, versionTable)
}

var _ dialect.FileLocker = Dialect{}

// NewFileLock implements dialect.FileLocker: the lock needs no connection,
// so write runs take it before opening the database.
func (Dialect) NewFileLock(u *config.URL, versionTable dialect.Table) (dialect.Lock, error) {
	// Only runs that write take the lock.
	if err := refuseReadOnly(u); err != nil {
		return nil, err
	}
	if IsMemory(u) {
		return nil, nil
	}
	return &fileLock{path: filePath(u) + ".retort-lock"}, nil
}
