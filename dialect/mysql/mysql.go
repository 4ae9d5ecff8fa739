// Package mysql is retort's MySQL and MariaDB dialect, for
// github.com/go-sql-driver/mysql (registered as "mysql"). This package does
// not import the driver: the binary, or the user's program, does.
//
// MySQL commits every DDL statement implicitly, so Caps.TransactionalDDL is
// false and a failed migration may be half applied (retort's history table
// records how far it got).
//
// MySQL's "schema" is a database. Caps.Schemas is false: retort works in the
// database the URL names. A Table.Schema, if a caller passes one anyway, is
// treated as a database: it qualifies names (`db`.`alembic_version`, which is
// what SQLAlchemy renders for version_table_schema on MySQL), and
// TableExists and the lock name use it instead of DATABASE().
//
// String literals (offline SQL) assume the server's default sql_mode, in
// which a backslash escapes: backslashes are doubled. Set
// Dialect.NoBackslashEscapes for a server that runs with
// NO_BACKSLASH_ESCAPES; [SessionNoBackslashEscapes] reports a session's
// mode. retort never changes the user's sql_mode, and online runs pass
// values as bind parameters, which do not depend on it.
package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlbuild"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// DefaultPort is used when the URL names no port.
const DefaultPort = 3306

// Dialect is MySQL (5.7, 8 and later) and MariaDB (10.x and later).
type Dialect struct {
	// NoBackslashEscapes renders string literals for a server whose sql_mode
	// has NO_BACKSLASH_ESCAPES, where a backslash is an ordinary character.
	// The zero value assumes MySQL's default, in which it escapes.
	NoBackslashEscapes bool
}

var (
	_ dialect.Dialect         = Dialect{}
	_ dialect.ScriptWriter    = Dialect{}
	_ dialect.SessionScripter = Dialect{}
)

// New returns the MySQL dialect for the server's default sql_mode.
func New() Dialect { return Dialect{} }

// Name implements dialect.Dialect.
func (Dialect) Name() string { return config.MySQL }

// Caps implements dialect.Dialect: DDL commits implicitly, and a schema is a
// database (see the package documentation).
func (Dialect) Caps() dialect.Caps {
	return dialect.Caps{TransactionalDDL: false, Schemas: false, PlacesColumns: true, ForeignKeysNeedIndexes: true}
}

// SplitDialect implements dialect.Dialect.
func (Dialect) SplitDialect() sqlsplit.Dialect { return sqlsplit.MySQL }

// DriverName implements dialect.Dialect: go-sql-driver/mysql.
func (Dialect) DriverName() string { return "mysql" }

// paramKind says how a URL parameter's value is checked and written.
type paramKind int

const (
	pBool      paramKind = iota // true/false/1/0
	pDuration                   // Go duration: 5s, 1m30s
	pSeconds                    // whole seconds (SQLAlchemy's connect_timeout)
	pInt                        // decimal integer
	pNames                      // charset list: utf8mb4,utf8
	pName                       // collation: utf8mb4_unicode_ci
	pTLS                        // true, false, skip-verify, preferred or a registered name
	pEscaped                    // free text, query-escaped for the driver
	pSocket                     // unix socket path
	pMustTrue                   // only "true" (retort needs it)
	pMustFalse                  // only "false" (retort needs it)
)

// params are the URL query parameters retort accepts, with the driver's
// names (see go-sql-driver/mysql's README). Others are rejected: the driver
// would send unknown ones to the server as SET statements.
var params = map[string]paramKind{
	"allowCleartextPasswords":  pBool,
	"allowFallbackToPlaintext": pBool,
	"allowNativePasswords":     pBool,
	"charset":                  pNames,
	"checkConnLiveness":        pBool,
	"collation":                pName,
	"compress":                 pBool,
	"connect_timeout":          pSeconds,
	"connectionAttributes":     pEscaped,
	"maxAllowedPacket":         pInt,
	"multiStatements":          pMustFalse,
	"parseTime":                pMustTrue,
	"readTimeout":              pDuration,
	"rejectReadOnly":           pBool,
	"serverPubKey":             pEscaped,
	"timeout":                  pDuration,
	"tls":                      pTLS,
	"unix_socket":              pSocket,
	"writeTimeout":             pDuration,
}

// SupportedParams lists the URL query parameters DSN accepts, sorted.
func SupportedParams() []string {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

var boolValues = map[string]string{
	"1": "true", "true": "true", "TRUE": "true", "True": "true",
	"0": "false", "false": "false", "FALSE": "false", "False": "false",
}

func isName(s string, extra string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || strings.ContainsRune(extra, c)) {
			return false
		}
	}
	return true
}

// DSN implements dialect.Dialect. It builds a go-sql-driver DSN,
// user:password@tcp(host:port)/database?parseTime=true&…, with
// multiStatements off (the driver's default; retort splits statements
// itself). Host defaults to 127.0.0.1 and the port to 3306;
// ?unix_socket=/path connects through a Unix socket instead. The query
// parameters in [SupportedParams] pass through after a check of their value;
// connect_timeout=N (SQLAlchemy's spelling, in seconds) becomes timeout=Ns;
// tls takes true, false, skip-verify, preferred, or the name of a
// configuration the program registered with mysql.RegisterTLSConfig. Any
// other parameter is an error. Errors never contain the password.
func (Dialect) DSN(u *config.URL) (string, error) {
	if u == nil {
		return "", fmt.Errorf("retort/mysql: no database URL")
	}
	if u.Dialect != config.MySQL {
		return "", fmt.Errorf("retort/mysql: %s is not a MySQL URL", u.Redacted())
	}
	if strings.Contains(u.User, ":") {
		return "", fmt.Errorf("retort/mysql: the user name in %s contains ':', which a go-sql-driver DSN cannot hold", u.Redacted())
	}

	keys := make([]string, 0, len(u.Query))
	for k := range u.Query {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]string{"parseTime": "true"}
	socket := ""
	for _, k := range keys {
		kind, ok := params[k]
		if !ok {
			hint := ""
			if strings.HasPrefix(strings.ToLower(k), "ssl") {
				hint = " (for TLS use tls=true, tls=skip-verify, tls=preferred or the name of a TLS config your program registered)"
			}
			return "", fmt.Errorf("retort/mysql: unsupported URL parameter %q%s; supported: %s", k, hint, strings.Join(SupportedParams(), ", "))
		}
		vals := u.Query[k]
		if len(vals) != 1 {
			return "", fmt.Errorf("retort/mysql: URL parameter %q is given %d times", k, len(vals))
		}
		v := vals[0]
		bad := func(want string) error {
			return fmt.Errorf("retort/mysql: URL parameter %s wants %s", k, want)
		}
		switch kind {
		case pBool:
			b, ok := boolValues[v]
			if !ok {
				return "", bad("true or false")
			}
			out[k] = b
		case pMustTrue:
			if boolValues[v] != "true" {
				return "", bad("true: retort reads timestamps as time.Time")
			}
			out[k] = "true"
		case pMustFalse:
			if boolValues[v] != "false" {
				return "", bad("false: retort splits scripts into statements itself")
			}
		case pDuration:
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return "", bad("a duration such as 10s or 1m")
			}
			out[k] = d.String()
		case pSeconds:
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return "", bad("a whole number of seconds")
			}
			if _, dup := u.Query["timeout"]; dup {
				return "", fmt.Errorf("retort/mysql: URL parameters connect_timeout and timeout both set the dial timeout; give one")
			}
			out["timeout"] = (time.Duration(n) * time.Second).String()
		case pInt:
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return "", bad("a non-negative integer")
			}
			out[k] = strconv.Itoa(n)
		case pNames:
			for _, name := range strings.Split(v, ",") {
				if !isName(name, "") {
					return "", bad("a comma-separated list of character set names")
				}
			}
			out[k] = v
		case pName:
			if !isName(v, "") {
				return "", bad("a collation name")
			}
			out[k] = v
		case pTLS:
			if b, ok := boolValues[v]; ok {
				out[k] = b
			} else if lv := strings.ToLower(v); lv == "skip-verify" || lv == "preferred" {
				out[k] = lv
			} else if isName(v, "-.") {
				out[k] = url.QueryEscape(v)
			} else {
				return "", bad("true, false, skip-verify, preferred or the name of a registered TLS config")
			}
		case pEscaped:
			out[k] = url.QueryEscape(v)
		case pSocket:
			if v == "" || strings.ContainsAny(v, "@()") {
				return "", bad("a socket path without '@', '(' or ')'")
			}
			socket = v
		}
	}

	var b strings.Builder
	if u.User != "" || u.Password != "" {
		// The driver takes user and password verbatim: it splits at the
		// last '@' before the address and the first ':' of what precedes.
		b.WriteString(u.User)
		if u.Password != "" {
			b.WriteByte(':')
			b.WriteString(u.Password)
		}
		b.WriteByte('@')
	}
	if socket != "" {
		b.WriteString("unix(" + socket + ")")
	} else {
		host, port := u.Host, u.Port
		if host == "" {
			host = "127.0.0.1"
		}
		if port == 0 {
			port = DefaultPort
		}
		if strings.ContainsAny(host, "@()/") {
			return "", fmt.Errorf("retort/mysql: invalid host in %s", u.Redacted())
		}
		b.WriteString("tcp(" + net.JoinHostPort(host, strconv.Itoa(port)) + ")")
	}
	b.WriteByte('/')
	b.WriteString(url.PathEscape(u.Database))
	names := make([]string, 0, len(out))
	for k := range out {
		names = append(names, k)
	}
	slices.Sort(names)
	for i, k := range names {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + out[k])
	}
	return b.String(), nil
}

// ConfigureDB implements dialect.Dialect. The pool needs nothing special:
// the driver's checkConnLiveness (on by default) discards connections the
// server closed after wait_timeout.
func (Dialect) ConfigureDB(*sql.DB, *config.URL) {}

// PrepareSession implements dialect.Dialect: it runs [Dialect.SessionSQL].
// sql_mode is left as the user has it.
func (d Dialect) PrepareSession(ctx context.Context, conn *sql.Conn, opts dialect.SessionOptions) error {
	for _, s := range d.SessionSQL(opts) {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("retort/mysql: set lock_wait_timeout: %w", err)
		}
	}
	return nil
}

// SessionSQL implements dialect.SessionScripter: a StatementLockTimeout
// becomes the session's lock_wait_timeout (metadata locks, which DDL waits
// for), in whole seconds rounded up, at least 1.
func (Dialect) SessionSQL(opts dialect.SessionOptions) []string {
	if opts.StatementLockTimeout <= 0 {
		return nil
	}
	secs := int64((opts.StatementLockTimeout + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return []string{"SET SESSION lock_wait_timeout = " + strconv.FormatInt(secs, 10)}
}

// ScriptStatement implements dialect.ScriptWriter. The mysql client ends a
// statement at the first unquoted ';', so a statement with a ';' inside (a
// BEGIN … END body) is written between DELIMITER lines, with a delimiter it
// does not contain; others end with ';'. A statement whose last line is a
// comment gets its terminator on a line of its own.
func (Dialect) ScriptStatement(stmt string) string {
	stmt = strings.TrimRight(stmt, " \t\r\n")
	if !strings.Contains(stmt, ";") {
		return terminate(stmt, ";")
	}
	delim := "$$"
	for _, d := range []string{"$$", "//", ";;", "$$$", "@@@@"} {
		if !strings.Contains(stmt, d) {
			delim = d
			break
		}
	}
	return "DELIMITER " + delim + "\n" + terminate(stmt, delim) + "DELIMITER ;\n\n"
}

func terminate(stmt, delim string) string {
	last := stmt
	if i := strings.LastIndexByte(stmt, '\n'); i >= 0 {
		last = stmt[i+1:]
	}
	if strings.Contains(last, "--") || strings.Contains(last, "#") {
		return stmt + "\n" + delim + "\n\n"
	}
	return stmt + delim + "\n\n"
}

// SessionNoBackslashEscapes reports whether the session's sql_mode has
// NO_BACKSLASH_ESCAPES, in which case literals need
// Dialect{NoBackslashEscapes: true}.
func SessionNoBackslashEscapes(ctx context.Context, q dialect.Querier) (bool, error) {
	var mode string
	if err := q.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode").Scan(&mode); err != nil {
		return false, fmt.Errorf("retort/mysql: read sql_mode: %w", err)
	}
	for _, m := range strings.Split(mode, ",") {
		if strings.EqualFold(strings.TrimSpace(m), "NO_BACKSLASH_ESCAPES") {
			return true, nil
		}
	}
	return false, nil
}

// reserved is the union of SQLAlchemy's RESERVED_WORDS_MYSQL (MySQL 8's
// reserved words) and RESERVED_WORDS_MARIADB (MariaDB's reserved words and
// Oracle-mode words), so a name renders as Alembic renders it and is valid
// on both servers.
var reserved = sqlbuild.WordSet(`accessible add admin all alter analyze and array as asc
asensitive before between bigint binary blob body both by call cascade case change char
character check collate column condition constraint continue convert create cross cube
cume_dist current_date current_role current_time current_timestamp current_user cursor
database databases day_hour day_microsecond day_minute day_second dec decimal declare
default delayed delete dense_rank desc describe deterministic distinct distinctrow div
do_domain_ids double drop dual each else elseif elsif empty enclosed escaped except exists
exit explain false fetch first_value float float4 float8 for force foreign from fulltext
function general generated get get_master_public_key goto grant group grouping groups
having high_priority history hour_microsecond hour_minute hour_second if ignore
ignore_domain_ids ignore_server_ids in index infile inner inout insensitive insert int
int1 int2 int3 int4 int8 integer intersect interval into io_after_gtids io_before_gtids is
iterate join json_table key keys kill lag last_value lateral lead leading leave left like
limit linear lines load localtime localtimestamp lock long longblob longtext loop
low_priority master_bind master_heartbeat_period master_ssl_verify_server_cert match
maxvalue mediumblob mediumint mediumtext member middleint minute_microsecond
minute_second mod modifies natural no_write_to_binlog not nth_value ntile null numeric of
offset on optimize optimizer_costs option optionally or order others out outer outfile
over package page_checksum parallel parse_gcol_expr parse_vcol_expr partition
percent_rank period persist persist_only position precision primary procedure purge
qualify raise range rank read read_write reads real recursive ref_system_id references
regexp release rename repeat replace require resignal restrict return returning revoke
right rlike role row row_number rows rowtype schema schemas second_microsecond select
sensitive separator set show signal slow smallint spatial specific sql sql_after_gtids
sql_before_gtids sql_big_result sql_calc_found_rows sql_small_result sqlexception
sqlstate sqlwarning ssl starting stats_auto_recalc stats_persistent stats_sample_pages
stored straight_join system system_time table terminated then tinyblob tinyint tinytext
to trailing trigger true undo union unique unlock unsigned update usage use using
utc_date utc_time utc_timestamp values varbinary varchar varcharacter varying versioning
virtual when where while window with without write xor year_month zerofill`)

// QuoteIdent implements dialect.Dialect: backticks, only when needed.
func (Dialect) QuoteIdent(name string) string { return sqlbuild.QuoteIfNeeded(name, '`', reserved) }

// QualifiedName implements dialect.Dialect. A schema is a database.
func (d Dialect) QualifiedName(t dialect.Table) string {
	if t.Schema != "" {
		return d.QuoteIdent(t.Schema) + "." + d.QuoteIdent(t.Name)
	}
	return d.QuoteIdent(t.Name)
}

// timeLayout renders a time as a DATETIME(6) literal, in UTC (the driver's
// default loc, which DSN does not let a URL change).
const timeLayout = "2006-01-02 15:04:05.000000"

// Literal implements dialect.Dialect. Quotes are doubled; backslashes are
// doubled too unless d.NoBackslashEscapes is set.
func (d Dialect) Literal(v any) string { return sqlbuild.Literal(v, !d.NoBackslashEscapes, timeLayout) }

// NowSQL implements dialect.Now: online rows hold UTC (timeLayout), and
// CURRENT_TIMESTAMP is in the session's time zone.
func (Dialect) NowSQL() string { return "UTC_TIMESTAMP(6)" }

// Placeholder implements dialect.Dialect.
func (Dialect) Placeholder(int) string { return "?" }

// VersionTableDDL implements dialect.Dialect with the text SQLAlchemy
// compiles for Alembic's version table (no table options: Alembic gives
// none, so the server's default engine and character set apply).
func (d Dialect) VersionTableDDL(t dialect.Table) string {
	return fmt.Sprintf("CREATE TABLE %s (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT %s PRIMARY KEY (version_num)\n)",
		d.QualifiedName(t), d.QuoteIdent(t.Name+"_pkc"))
}

// HistoryTableDDL implements dialect.Dialect: one idempotent statement
// with the index inside it (MySQL has no CREATE INDEX IF NOT EXISTS; MariaDB
// has). error and statements are MEDIUMTEXT, as a long migration's text can
// pass TEXT's 64 KiB; the table is utf8mb4 whatever the server's default.
func (d Dialect) HistoryTableDDL(t dialect.Table) []string {
	return []string{fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	id BIGINT NOT NULL AUTO_INCREMENT,
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
	started_at DATETIME(6) NOT NULL,
	finished_at DATETIME(6),
	error MEDIUMTEXT,
	statements MEDIUMTEXT,
	PRIMARY KEY (id),
	INDEX %s (run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`, d.QualifiedName(t), d.QuoteIdent("ix_"+t.Name+"_run_id"))}
}

// TableExists implements dialect.Dialect. It looks in the database t.Schema,
// or DATABASE() when t.Schema is empty. The name is compared as the server
// compares table names: exactly when lower_case_table_names is 0, else
// ignoring case (information_schema's own comparison ignores case).
func (Dialect) TableExists(ctx context.Context, q dialect.Querier, t dialect.Table) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT table_name, @@lower_case_table_names FROM information_schema.tables
WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND table_name = ?`, t.Schema, t.Name)
	if err != nil {
		return false, fmt.Errorf("retort/mysql: look up table %s: %w", Dialect{}.QualifiedName(t), err)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var name string
		var lctn int64
		if err := rows.Scan(&name, &lctn); err != nil {
			return false, fmt.Errorf("retort/mysql: look up table %s: %w", Dialect{}.QualifiedName(t), err)
		}
		if name == t.Name || (lctn != 0 && strings.EqualFold(name, t.Name)) {
			found = true
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("retort/mysql: look up table %s: %w", Dialect{}.QualifiedName(t), err)
	}
	return found, nil
}

// NewLock implements dialect.Dialect: a named lock taken with GET_LOCK(name,
// 0) on conn; see [LockName] for the name. The database is versionTable.Schema
// if set, else DATABASE(), read by the first TryLock.
func (Dialect) NewLock(conn *sql.Conn, u *config.URL, versionTable dialect.Table) (dialect.Lock, error) {
	if conn == nil {
		return nil, fmt.Errorf("retort/mysql: NewLock needs a connection")
	}
	l := &namedLock{conn: conn, db: versionTable.Schema, fixedDB: versionTable.Schema != "", table: versionTable.Name}
	if u != nil {
		l.urlDB = u.Database // for String until TryLock reads DATABASE()
	}
	return l, nil
}

var _ dialect.FailedStatementNoter = Dialect{}

// FailedStatementNote implements dialect.FailedStatementNoter: DDL is not
// transactional, and one statement can change several objects.
func (Dialect) FailedStatementNote() string {
	return "a statement that names several objects can stop half-way: DROP TABLE a, b may have dropped a"
}
