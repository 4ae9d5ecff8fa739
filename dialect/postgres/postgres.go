// Package postgres is retort's PostgreSQL dialect, for pgx's database/sql
// driver (github.com/jackc/pgx/v5/stdlib, registered as "pgx"). This package
// does not import the driver: the binary, or the user's program, does.
//
// PostgreSQL rolls DDL back with its transaction and has schemas, so
// version_table_schema is honoured everywhere: in the DDL, in catalog
// look-ups and in the lock key.
package postgres

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlbuild"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// DefaultApplicationName is the application_name retort's connections show in
// pg_stat_activity unless the URL sets one.
const DefaultApplicationName = "retort"

// Dialect is PostgreSQL (12 and later).
type Dialect struct{}

var (
	_ dialect.Dialect         = Dialect{}
	_ dialect.SessionScripter = Dialect{}
)

// New returns the PostgreSQL dialect.
func New() Dialect { return Dialect{} }

// Name implements dialect.Dialect.
func (Dialect) Name() string { return config.PostgreSQL }

// Caps implements dialect.Dialect: DDL is transactional and tables live in
// schemas.
func (Dialect) Caps() dialect.Caps {
	return dialect.Caps{TransactionalDDL: true, Schemas: true, BatchedBookkeeping: true, RenamesConstraints: true}
}

// SplitDialect implements dialect.Dialect.
func (Dialect) SplitDialect() sqlsplit.Dialect { return sqlsplit.Postgres }

// DriverName implements dialect.Dialect: pgx's database/sql driver.
func (Dialect) DriverName() string { return "pgx" }

// DSN implements dialect.Dialect. The result is a postgres:// URL in libpq's
// syntax, which pgx parses as libpq does. Every query parameter of u is kept
// as given (sslmode, sslrootcert, sslcert, sslkey, connect_timeout, host for
// a Unix socket directory, options, …); application_name defaults to
// [DefaultApplicationName]. Without a port in u, pgx's default applies:
// PGPORT, else 5432. Without a host, libpq's default applies: PGHOST, else
// the local Unix socket or localhost.
func (Dialect) DSN(u *config.URL) (string, error) {
	if u == nil {
		return "", fmt.Errorf("retort/postgresql: no database URL")
	}
	if u.Dialect != config.PostgreSQL {
		return "", fmt.Errorf("retort/postgresql: %s is not a PostgreSQL URL", u.Redacted())
	}
	var b strings.Builder
	b.WriteString("postgres://")
	if u.User != "" || u.Password != "" {
		b.WriteString(escape(u.User))
		if u.Password != "" {
			b.WriteByte(':')
			b.WriteString(escape(u.Password))
		}
		b.WriteByte('@')
	}
	// The host is written as the URL gave it: config does not decode it, so
	// a percent-encoded socket directory (%2Fvar%2Frun%2Fpostgresql) reaches
	// pgx, which decodes it as libpq does. An empty host with a port is valid
	// libpq syntax (postgres://:5433/db).
	if strings.Contains(u.Host, ":") {
		b.WriteString("[" + u.Host + "]")
	} else {
		b.WriteString(u.Host)
	}
	if u.Port != 0 {
		b.WriteString(":" + strconv.Itoa(u.Port))
	}
	b.WriteByte('/')
	b.WriteString(escape(u.Database))

	keys := make([]string, 0, len(u.Query)+1)
	for k := range u.Query {
		keys = append(keys, k)
	}
	if _, ok := u.Query["application_name"]; !ok {
		keys = append(keys, "application_name")
	}
	slices.Sort(keys)
	sep := byte('?')
	for _, k := range keys {
		vals, ok := u.Query[k]
		if !ok {
			vals = []string{DefaultApplicationName}
		}
		for _, v := range vals {
			b.WriteByte(sep)
			sep = '&'
			b.WriteString(escape(k))
			b.WriteByte('=')
			b.WriteString(escape(v))
		}
	}
	return b.String(), nil
}

// escape percent-encodes everything but RFC 3986's unreserved characters.
// libpq (and so pgx) decodes %XX but not '+', so url.QueryEscape would not do.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// ConfigureDB implements dialect.Dialect. The pool needs nothing special.
func (Dialect) ConfigureDB(*sql.DB, *config.URL) {}

// PrepareSession implements dialect.Dialect: it runs [Dialect.SessionSQL].
func (d Dialect) PrepareSession(ctx context.Context, conn *sql.Conn, opts dialect.SessionOptions) error {
	for _, s := range d.SessionSQL(opts) {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("retort/postgresql: set lock_timeout: %w", err)
		}
	}
	return nil
}

// SessionSQL implements dialect.SessionScripter: a StatementLockTimeout
// becomes the session's lock_timeout, in milliseconds (at least 1).
func (Dialect) SessionSQL(opts dialect.SessionOptions) []string {
	if opts.StatementLockTimeout <= 0 {
		return nil
	}
	ms := opts.StatementLockTimeout.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	return []string{fmt.Sprintf("SET lock_timeout = '%dms'", ms)}
}

// reserved holds the words quoted as identifiers: SQLAlchemy's PostgreSQL
// RESERVED_WORDS (so names render as Alembic renders them) together with
// every keyword PostgreSQL 15's pg_get_keywords() lists as reserved ('R') or
// reserved but usable as a function or type name ('T').
var reserved = sqlbuild.WordSet(`all analyse analyze and any array as asc asymmetric
authorization between binary both case cast check collate collation column concurrently
constraint create cross current_catalog current_date current_role current_schema
current_time current_timestamp current_user default deferrable desc distinct do else end
except false fetch for foreign freeze from full grant group having ilike in initially
inner intersect into is isnull join lateral leading left like limit localtime
localtimestamp natural new not notnull null of off offset old on only or order outer
over overlaps placing primary references returning right select session_user similar
some symmetric table tablesample then to trailing true union unique user using variadic
verbose when where window with`)

// QuoteIdent implements dialect.Dialect: double quotes, only when needed.
func (Dialect) QuoteIdent(name string) string { return sqlbuild.QuoteIfNeeded(name, '"', reserved) }

// QualifiedName implements dialect.Dialect.
func (d Dialect) QualifiedName(t dialect.Table) string {
	if t.Schema != "" {
		return d.QuoteIdent(t.Schema) + "." + d.QuoteIdent(t.Name)
	}
	return d.QuoteIdent(t.Name)
}

// timeLayout renders a time as a timestamptz literal (always UTC).
const timeLayout = "2006-01-02 15:04:05.000000-07:00"

// Literal implements dialect.Dialect. Strings are standard SQL literals:
// with standard_conforming_strings on (the default since PostgreSQL 9.1) a
// backslash is an ordinary character. Booleans render as 1 and 0, for
// retort's SMALLINT columns.
func (Dialect) Literal(v any) string {
	if b, ok := v.([]byte); ok {
		return `'\x` + hex.EncodeToString(b) + `'::bytea`
	}
	return sqlbuild.Literal(v, false, timeLayout)
}

// Placeholder implements dialect.Dialect: $1, $2, ….
func (Dialect) Placeholder(i int) string { return "$" + strconv.Itoa(i) }

// VersionTableDDL implements dialect.Dialect with the text SQLAlchemy
// compiles for Alembic's version table (alembic.ddl.impl.version_table_impl).
func (d Dialect) VersionTableDDL(t dialect.Table) string {
	return fmt.Sprintf("CREATE TABLE %s (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT %s PRIMARY KEY (version_num)\n)",
		d.QualifiedName(t), d.QuoteIdent(t.Name+"_pkc"))
}

// HistoryTableDDL implements dialect.Dialect (idempotent). There is no
// index on run_id: every migration's commit would pay WAL for it (measured
// +1.6 % WAL over a 1000-migration upgrade), and run_id is only searched by
// the UPDATE that completes a no-transaction step, which is rare.
func (d Dialect) HistoryTableDDL(t dialect.Table) []string {
	return []string{fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
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
	started_at TIMESTAMPTZ NOT NULL,
	finished_at TIMESTAMPTZ,
	error TEXT,
	statements TEXT
)`, d.QualifiedName(t))}
}

// TableExists implements dialect.Dialect. It looks in t.Schema, or in
// current_schema() when t.Schema is empty, for a table, partitioned table,
// view, materialized view or foreign table (what SQLAlchemy's has_table
// finds). Names are compared exactly, as stored.
func (Dialect) TableExists(ctx context.Context, q dialect.Querier, t dialect.Table) (bool, error) {
	const query = `SELECT EXISTS (
	SELECT 1 FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relname = $1::text
	AND n.nspname = COALESCE(NULLIF($2::text, ''), current_schema())
	AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))`
	var ok bool
	if err := q.QueryRowContext(ctx, query, t.Name, t.Schema).Scan(&ok); err != nil {
		return false, fmt.Errorf("retort/postgresql: look up table %s: %w", Dialect{}.QualifiedName(t), err)
	}
	return ok, nil
}

// NewLock implements dialect.Dialect: a session-level advisory lock taken
// with pg_try_advisory_lock on conn, whose key is derived by [LockKey] from
// the database, the schema and the version table name. The database and
// (when versionTable.Schema is empty) the schema are read from the server
// by the first TryLock: current_database() and current_schema().
func (Dialect) NewLock(conn *sql.Conn, u *config.URL, versionTable dialect.Table) (dialect.Lock, error) {
	if conn == nil {
		return nil, fmt.Errorf("retort/postgresql: NewLock needs a connection")
	}
	l := &advisoryLock{conn: conn, schema: versionTable.Schema, table: versionTable.Name}
	if u != nil {
		l.db = u.Database // for String until TryLock reads current_database()
	}
	return l, nil
}

var _ dialect.FailedStatementNoter = Dialect{}

// FailedStatementNote implements dialect.FailedStatementNoter.
func (Dialect) FailedStatementNote() string {
	return "a statement run outside a transaction can leave something behind: a failed CREATE INDEX CONCURRENTLY leaves an invalid index to drop"
}
