package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Dialect names as they appear in [URL.Dialect].
const (
	SQLite     = "sqlite"
	PostgreSQL = "postgresql"
	MySQL      = "mysql"
)

// MemoryPath is the [URL.Path] of an in-memory SQLite database.
const MemoryPath = ":memory:"

// URL is a database URL in SQLAlchemy's shape, so that an alembic.ini URL works
// unchanged:
//
//	sqlite:///relative.db   sqlite:////abs/path.db   sqlite:///:memory:   sqlite://
//	postgresql://user:pass@host:5432/db?sslmode=disable   (also postgres://)
//	mysql://user:pass@host:3306/db                         (also mariadb://)
//
// A driver suffix ("postgresql+psycopg2://", "mysql+pymysql://") is accepted
// and dropped. User, Password and Database are percent-decoded.
type URL struct {
	// Dialect is one of [SQLite], [PostgreSQL] or [MySQL].
	Dialect string
	// User and Password are the decoded user information; empty when absent.
	User, Password string
	// Host is the host name or address (an IPv6 address without brackets).
	Host string
	// Port is 0 when the URL names none.
	Port int
	// Database is the decoded database name (PostgreSQL, MySQL); empty for SQLite.
	Database string
	// Path is SQLite's database file, as written: "rel.db" for
	// sqlite:///rel.db, "/abs.db" for sqlite:////abs.db, and [MemoryPath] for
	// sqlite://, sqlite:/// and sqlite:///:memory:. Empty for other dialects.
	Path string
	// Query holds the query parameters; never nil after [ParseURL].
	Query url.Values
}

// schemes maps an accepted URL scheme (without driver suffix) to its dialect.
var schemes = map[string]string{
	"sqlite":     SQLite,
	"postgresql": PostgreSQL,
	"postgres":   PostgreSQL,
	"mysql":      MySQL,
	"mariadb":    MySQL,
}

const acceptedSchemes = "sqlite://, postgresql:// (or postgres://), mysql:// (or mariadb://)"

// URLError is returned by [ParseURL]. Its message never contains the
// password, nor any other part of the URL that might be one.
type URLError struct {
	Msg string
}

func (e *URLError) Error() string { return "database URL: " + e.Msg }

func urlErr(format string, args ...any) error {
	return &URLError{Msg: fmt.Sprintf(format, args...)}
}

var (
	driverRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	schemeRE = regexp.MustCompile(`^[a-z][a-z0-9+.\-]*$`) // RFC 3986, lower-cased
)

// ParseURL parses a database URL. Errors never contain the password: they
// quote at most the scheme.
func ParseURL(s string) (*URL, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return nil, urlErr("want dialect://…, one of %s", acceptedSchemes)
	}
	scheme = strings.ToLower(scheme)
	name, driver, hasDriver := strings.Cut(scheme, "+")
	dialect, known := schemes[name]
	if !known || (hasDriver && !driverRE.MatchString(driver)) {
		if !schemeRE.MatchString(scheme) {
			// Not a scheme at all: the text before "://" might hold a secret.
			return nil, urlErr("unsupported scheme; use %s", acceptedSchemes)
		}
		return nil, urlErr("unsupported scheme %q; use %s", scheme, acceptedSchemes)
	}
	u := &URL{Dialect: dialect}
	afterScheme := rest
	rest, rawQuery, hasQuery := strings.Cut(rest, "?")
	if hasQuery {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return nil, urlErr("invalid query string (percent-encode '%%', '&', ';' and '=' inside values)")
		}
		u.Query = q
	} else {
		u.Query = url.Values{}
	}
	if dialect == SQLite {
		if err := checkSQLiteParams(u.Query); err != nil {
			return nil, err
		}
		return u, parseSQLite(u, rest)
	}
	authority, _, _ := strings.Cut(rest, "/")
	if err := parseNetwork(u, rest, afterScheme[len(authority):]); err != nil {
		return nil, err
	}
	if dialect == MySQL && u.Database == "" {
		return nil, urlErr("a MySQL/MariaDB URL must name the database: mysql://user:pass@host:3306/dbname")
	}
	return u, nil
}

// sqliteParams are the query parameters the SQLite dialect reads:
// locking_mode (exclusive or normal), mode (ro, rw or rwc, SQLite's URI
// parameter) and timeout (the busy timeout in seconds, as in SQLAlchemy).
var sqliteParams = []string{"locking_mode", "mode", "timeout"}

// ignoredSQLiteParams are SQLAlchemy's pysqlite options, arguments of
// Python's sqlite3.connect that an alembic.ini URL may carry and that mean
// nothing to a Go driver: accepted and ignored.
var ignoredSQLiteParams = []string{"cached_statements", "check_same_thread", "detect_types", "isolation_level", "uri"}

// checkSQLiteParams refuses a query parameter that neither the SQLite
// dialect reads nor SQLAlchemy's pysqlite would take: silently ignoring it
// (say mode=ro misspelt) would do something else than what was asked.
func checkSQLiteParams(q url.Values) error {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(sqliteParams, k) && !slices.Contains(ignoredSQLiteParams, k) {
			return urlErr("unknown sqlite URL parameter %q: retort reads %s, and accepts and ignores SQLAlchemy's %s",
				k, strings.Join(sqliteParams, ", "), strings.Join(ignoredSQLiteParams, ", "))
		}
	}
	return nil
}

// parseSQLite handles what follows "sqlite://": "" or "/" (in memory),
// "/:memory:", "/rel.db" and "//abs.db".
func parseSQLite(u *URL, rest string) error {
	if rest == "" {
		u.Path = MemoryPath
		return nil
	}
	if rest[0] != '/' {
		return urlErr("a sqlite URL has no host: write sqlite:///relative.db or sqlite:////absolute/path.db")
	}
	u.Path = rest[1:]
	if u.Path == "" {
		u.Path = MemoryPath
	}
	return nil
}

// parseNetwork handles what follows "postgresql://" or "mysql://":
// [user[:password]@][host][:port][/database]. after is the text that
// followed the authority in the URL, query string included.
func parseNetwork(u *URL, rest, after string) error {
	authority, db, hasDB := strings.Cut(rest, "/")
	var hasPass bool
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo := authority[:at]
		authority = authority[at+1:]
		var rawUser, rawPass string
		rawUser, rawPass, hasPass = strings.Cut(userinfo, ":")
		var err error
		if u.User, err = url.PathUnescape(rawUser); err != nil {
			return urlErr("invalid percent-encoding in the user name")
		}
		if hasPass {
			if u.Password, err = url.PathUnescape(rawPass); err != nil {
				return urlErr("invalid percent-encoding in the password")
			}
		}
	}
	host, port := authority, ""
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return urlErr("missing ']' after an IPv6 host")
		}
		host, port = authority[1:end], authority[end+1:]
		if port != "" && port[0] != ':' {
			return urlErr("unexpected text after an IPv6 host")
		}
		port = strings.TrimPrefix(port, ":")
		if host == "" {
			return urlErr("empty IPv6 host")
		}
	} else if i := strings.IndexByte(host, ':'); i >= 0 {
		host, port = authority[:i], authority[i+1:]
		if port == "" {
			return urlErr("empty port after ':'")
		}
	}
	if strings.ContainsAny(host, "[]") {
		return urlErr("invalid host")
	}
	u.Host = host
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '+' {
			// The port text is shown unless it may be part of a password:
			// when the URL has one, or when an '@' follows (an unencoded
			// '/' or '?' in a password cut the URL inside it, as in
			// u:pa/ss@host, leaving "pa" as the port).
			if hasPass || strings.Contains(after, "@") {
				return urlErr("the port must be a number from 1 to 65535 (percent-encode special characters in the password)")
			}
			return urlErr("the port must be a number from 1 to 65535, not %q", port)
		}
		u.Port = n
	}
	if hasDB {
		d, err := url.PathUnescape(db)
		if err != nil {
			return urlErr("invalid percent-encoding in the database name")
		}
		u.Database = d
	}
	return nil
}

// scheme returns the canonical scheme written by String and Redacted.
func (u *URL) scheme() string {
	switch u.Dialect {
	case SQLite, PostgreSQL, MySQL:
		return u.Dialect
	}
	return strings.ToLower(u.Dialect)
}

// String returns the full URL, password included, for handing to a driver.
// Never print it: use [URL.Redacted].
func (u *URL) String() string { return u.format(false) }

// Redacted returns the URL with the password replaced by "***", as in
// "postgresql://user:***@host:5432/db", and so are the values of query
// parameters that carry one ("?password=***"). Use it in all output.
func (u *URL) Redacted() string { return u.format(true) }

func (u *URL) format(redact bool) string {
	var b strings.Builder
	b.WriteString(u.scheme())
	b.WriteString("://")
	if u.Dialect == SQLite {
		b.WriteByte('/')
		b.WriteString(u.Path)
	} else {
		if u.User != "" || u.Password != "" {
			b.WriteString(escape(u.User))
			if u.Password != "" {
				b.WriteByte(':')
				if redact {
					b.WriteString("***")
				} else {
					b.WriteString(escape(u.Password))
				}
			}
			b.WriteByte('@')
		}
		if strings.Contains(u.Host, ":") {
			b.WriteString("[" + u.Host + "]")
		} else {
			b.WriteString(u.Host)
		}
		if u.Port != 0 {
			b.WriteString(":" + strconv.Itoa(u.Port))
		}
		if u.Database != "" {
			b.WriteByte('/')
			b.WriteString(escape(u.Database))
		}
	}
	if len(u.Query) > 0 {
		b.WriteByte('?')
		if redact {
			b.WriteString(redactedQuery(u.Query))
		} else {
			b.WriteString(u.Query.Encode())
		}
	}
	return b.String()
}

// secretParams are the query parameters, lower-cased, whose values are
// secrets. pgx, like libpq, takes "password" and "sslpassword" (the client
// key's passphrase) from the query string; SQLAlchemy hands query
// parameters to the DB-API driver, where PyMySQL and mysqlclient also
// accept "passwd". An alembic.ini URL may carry any of them.
var secretParams = map[string]bool{"password": true, "sslpassword": true, "passwd": true}

// redactedQuery encodes q like [url.Values.Encode] (sorted by key) with the
// values of secret parameters replaced by "***", written unescaped so the
// mask reads the same as the one in the user information.
func redactedQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		secret := secretParams[strings.ToLower(k)]
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			if secret {
				b.WriteString("***")
			} else {
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	return b.String()
}

// escape percent-encodes everything but RFC 3986's unreserved characters.
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

// IsMemory reports whether u is an in-memory SQLite database.
func (u *URL) IsMemory() bool {
	return u.Dialect == SQLite && (u.Path == "" || u.Path == MemoryPath)
}

// ParseURLRelativeTo parses s like [ParseURL] and makes a relative SQLite file
// path absolute against dir. In-memory databases and SQLite "file:" URIs are
// left as they are.
func ParseURLRelativeTo(s, dir string) (*URL, error) {
	u, err := ParseURL(s)
	if err != nil {
		return nil, err
	}
	if u.Dialect == SQLite && !u.IsMemory() && !strings.HasPrefix(u.Path, "file:") &&
		!filepath.IsAbs(u.Path) && dir != "" {
		u.Path = filepath.Join(dir, u.Path)
	}
	return u, nil
}

var (
	// scheme://user:password@ — the password runs to the last '@' of the
	// whitespace-delimited word, so an unencoded '@' in it is covered too.
	urlPasswordRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*):\S*@`)
	// Go MySQL DSN: user:password@tcp(host)/db, @unix(…), @/db.
	dsnPasswordRE = regexp.MustCompile(`(^|[\s"'(=])([^\s:/@"'()]+):(?:[^\s/]\S*)?@(tcp\(|unix\(|/)`)
	// libpq keyword form, or a URL's query string: password=secret,
	// password='se cret', and the other secretParams.
	kvPasswordRE = regexp.MustCompile(`(?i)\b((?:ssl)?passw(?:or)?d\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'"]+)`)
)

// RedactString replaces every password it finds in free text (typically an
// error message from a driver) by "***": passwords in URLs
// (scheme://user:pw@host), in Go MySQL DSNs (user:pw@tcp(host)/db) and
// libpq keyword strings or query strings (password=pw, sslpassword=pw).
func RedactString(s string) string {
	s = urlPasswordRE.ReplaceAllString(s, "$1:***@")
	s = dsnPasswordRE.ReplaceAllString(s, "$1$2:***@$3")
	s = kvPasswordRE.ReplaceAllString(s, "${1}***")
	return s
}
