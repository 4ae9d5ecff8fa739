// Package dialect is the contract between retort's runner and a database.
//
// Every difference between SQLite, PostgreSQL and MySQL lives behind the
// Dialect interface: quoting, the DDL of the version and history tables,
// catalog look-ups, session set-up, locking and how statements are split.
// Nothing outside dialect/<name>/ tests a dialect's name.
package dialect

import (
	"context"
	"database/sql"
	"time"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// Caps are plain facts about a database that change how retort runs.
type Caps struct {
	// TransactionalDDL is true when DDL inside a transaction is rolled back
	// with it (SQLite, PostgreSQL). When false (MySQL), each DDL statement
	// commits implicitly and a failed migration may be half-applied.
	TransactionalDDL bool
	// BatchedBookkeeping is true when the driver runs several
	// ';'-separated statements without arguments in one call and reports
	// the row count of the last (PostgreSQL's simple protocol: one round
	// trip; SQLite's driver: one call that steps through the script). The
	// runner then sends a SQL migration, its history row and its
	// version-table write together, with BEGIN in front: one round trip
	// per migration on PostgreSQL, and on SQLite none of database/sql's
	// per-statement and per-transaction work.
	BatchedBookkeeping bool
	// Schemas is true when tables can be qualified by a schema other than the
	// connection's default (version_table_schema).
	Schemas bool
	// PlacesColumns is true when ADD COLUMN takes AFTER and FIRST (MySQL):
	// autogenerate then adds a column where the target has it.
	PlacesColumns bool
	// ForeignKeysNeedIndexes is true when a foreign key needs an index on
	// its columns and the database makes one (MySQL): autogenerate drops
	// and adds foreign keys around changes to the indexes they use.
	ForeignKeysNeedIndexes bool
	// RenamesConstraints is true when every kind of constraint and index
	// can be renamed in place (PostgreSQL): autogenerate renames one that
	// differs only by its name instead of dropping and adding it.
	RenamesConstraints bool
}

// Querier is what catalog look-ups need: a *sql.Conn, *sql.Tx or *sql.DB.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Table names a table, optionally in a schema.
type Table struct {
	Schema string // "" = the connection's default schema
	Name   string
}

// SessionOptions are the per-connection settings a run asks for.
type SessionOptions struct {
	// StatementLockTimeout bounds how long DDL waits for a table lock
	// (PostgreSQL lock_timeout, MySQL lock_wait_timeout); 0 leaves the
	// server's setting alone.
	StatementLockTimeout time.Duration
}

// Dialect holds everything retort needs to know about one kind of database.
type Dialect interface {
	// Name is the URL scheme family: "sqlite", "postgresql" or "mysql".
	Name() string
	// Caps reports the dialect's facts.
	Caps() Caps
	// SplitDialect selects the statement lexer's rules.
	SplitDialect() sqlsplit.Dialect

	// DriverName and DSN say how database/sql opens u. The library never
	// imports a driver: the binary (or the user's program) does.
	DriverName() string
	DSN(u *config.URL) (string, error)
	// ConfigureDB adjusts a freshly opened pool (e.g. one connection for an
	// in-memory SQLite database, which would otherwise be one per connection).
	ConfigureDB(db *sql.DB, u *config.URL)
	// PrepareSession runs once on the connection a command uses.
	PrepareSession(ctx context.Context, conn *sql.Conn, opts SessionOptions) error

	// QuoteIdent quotes an identifier when it needs quoting (mixed case,
	// reserved words, special characters) and leaves plain names bare, so
	// generated SQL matches what Alembic writes.
	QuoteIdent(name string) string
	// QualifiedName is the quoted, schema-qualified name of t.
	QualifiedName(t Table) string
	// Literal renders a value as an SQL literal for offline scripts:
	// strings, int64, bool, time.Time and nil.
	Literal(v any) string
	// Placeholder is the bind parameter for the i-th (1-based) argument.
	Placeholder(i int) string

	// VersionTableDDL is the CREATE TABLE of the version table exactly as
	// Alembic emits it for this dialect.
	VersionTableDDL(t Table) string
	// HistoryTableDDL creates retort_history if it does not exist yet.
	HistoryTableDDL(t Table) []string
	// TableExists looks t up in the catalog.
	TableExists(ctx context.Context, q Querier, t Table) (bool, error)

	// NewLock returns the lock that serialises retort runs on this database,
	// or nil when none is possible (an in-memory SQLite database).
	NewLock(conn *sql.Conn, u *config.URL, versionTable Table) (Lock, error)
}

// ScriptWriter is implemented by a dialect whose command-line client needs
// more than a trailing ';' to read a statement of an offline script. The
// mysql client splits its input at every ';' that is not quoted, so a
// compound statement (a trigger or procedure body) must be wrapped in
// DELIMITER lines.
type ScriptWriter interface {
	// ScriptStatement returns stmt, which has no terminator, as the client
	// must read it: terminated, followed by a blank line.
	ScriptStatement(stmt string) string
}

// Now is implemented by a dialect whose CURRENT_TIMESTAMP would not store
// a time in retort_history as an online run stores it (Literal of a UTC
// time.Time): SQLite's is text without fractional seconds, MySQL's is in
// the session's time zone. Offline scripts write NowSQL instead.
type Now interface {
	// NowSQL is an expression for the current UTC time in Literal's form.
	NowSQL() string
}

// Lock serialises runs. The runner polls TryLock with backoff until its
// timeout, so a waiting runner never blocks inside the database (where it
// could deadlock a CREATE INDEX CONCURRENTLY of the running one).
type Lock interface {
	// TryLock takes the lock if it is free and reports whether it did.
	TryLock(ctx context.Context) (bool, error)
	// Unlock releases a lock taken by TryLock.
	Unlock(ctx context.Context) error
	// String describes the lock for progress and error lines.
	String() string
}
