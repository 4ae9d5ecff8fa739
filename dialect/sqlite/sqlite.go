// Package sqlite is retort's SQLite dialect, for the pure-Go driver
// modernc.org/sqlite (registered as "sqlite"), so the binary needs no cgo.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
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
// every connection, as the design asks.
func (Dialect) DSN(u *config.URL) (string, error) {
	// The run's locking mode is checked here, before anything connects.
	if _, err := lockingMode(u); err != nil {
		return "", err
	}
	params := url.Values{}
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	// Store time.Time arguments as SQLite's own sortable text.
	params.Set("_time_format", "sqlite")
	path := u.Path
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
	return "file:" + path + "?" + params.Encode(), nil
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
func (Dialect) NewLock(conn *sql.Conn, u *config.URL, versionTable dialect.Table) (dialect.Lock, error) {
	if IsMemory(u) {
		return nil, nil
	}
	return &fileLock{path: u.Path + ".retort-lock"}, nil
}
