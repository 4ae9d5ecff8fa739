package mysql_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	driver "github.com/go-sql-driver/mysql"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/internal/testdb"
)

var d = mysql.New()

func parseURL(t *testing.T, s string) *config.URL {
	t.Helper()
	u, err := config.ParseURL(s)
	if err != nil {
		t.Fatalf("ParseURL(%q): %v", s, err)
	}
	return u
}

func TestDSN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want string
	}{
		{"mysql://u:p@h:3307/db", "u:p@tcp(h:3307)/db?parseTime=true"},
		{"mysql://u@h/db", "u@tcp(h:3306)/db?parseTime=true"},
		{"mariadb://u@/db", "u@tcp(127.0.0.1:3306)/db?parseTime=true"},
		{"mysql+pymysql://u:p@h/db?charset=utf8mb4", "u:p@tcp(h:3306)/db?charset=utf8mb4&parseTime=true"},
		{"mysql://u@[::1]:3306/db", "u@tcp([::1]:3306)/db?parseTime=true"},
		{"mysql://u@localhost/db?unix_socket=/run/mysqld/mysqld.sock", "u@unix(/run/mysqld/mysqld.sock)/db?parseTime=true"},
		{"mysql://u@h/db?tls=true", "u@tcp(h:3306)/db?parseTime=true&tls=true"},
		{"mysql://u@h/db?tls=skip-verify", "u@tcp(h:3306)/db?parseTime=true&tls=skip-verify"},
		{"mysql://u@h/db?tls=PREFERRED", "u@tcp(h:3306)/db?parseTime=true&tls=preferred"},
		{"mysql://u@h/db?tls=my-ca.v2", "u@tcp(h:3306)/db?parseTime=true&tls=my-ca.v2"},
		{"mysql://u@h/db?tls=0", "u@tcp(h:3306)/db?parseTime=true&tls=false"},
		{"mysql://u@h/db?connect_timeout=7&readTimeout=30s&writeTimeout=1m", "u@tcp(h:3306)/db?parseTime=true&readTimeout=30s&timeout=7s&writeTimeout=1m0s"},
		{"mysql://u@h/db?parseTime=true&multiStatements=false&collation=utf8mb4_unicode_ci&allowCleartextPasswords=1",
			"u@tcp(h:3306)/db?allowCleartextPasswords=true&collation=utf8mb4_unicode_ci&parseTime=true"},
		{"mysql://h/my%2Fdb", "tcp(h:3306)/my%2Fdb?parseTime=true"},
	}
	for _, tt := range tests {
		got, err := d.DSN(parseURL(t, tt.url))
		if err != nil {
			t.Errorf("DSN(%s): %v", tt.url, err)
			continue
		}
		if got != tt.want {
			t.Errorf("DSN(%s)\n got %s\nwant %s", tt.url, got, tt.want)
		}
	}
}

// TestDSNParsedByDriver checks that the driver reads what the URL meant.
func TestDSNParsedByDriver(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url      string
		user, pw string
		net      string
		addr     string
		db       string
		tls      string
	}{
		{"mysql://us%40er:p%40ss%3Aw%2Fo%3Frd%25%28%29@db.example.com:3307/my%20db?tls=skip-verify", "us@er", "p@ss:w/o?rd%()", "tcp", "db.example.com:3307", "my db", "skip-verify"},
		{"mysql://root:pw%2Fx@h/a%3Fb", "root", "pw/x", "tcp", "h:3306", "a?b", ""},
		{"mysql://root@localhost/app?unix_socket=/var/run/mysqld/mysqld.sock", "root", "", "unix", "/var/run/mysqld/mysqld.sock", "app", ""},
	}
	for _, tt := range tests {
		dsn, err := d.DSN(parseURL(t, tt.url))
		if err != nil {
			t.Errorf("DSN(%s): %v", tt.url, err)
			continue
		}
		cfg, err := driver.ParseDSN(dsn)
		if err != nil {
			t.Errorf("driver.ParseDSN(DSN(%s)): %v", tt.url, err)
			continue
		}
		if cfg.User != tt.user || cfg.Passwd != tt.pw || cfg.Net != tt.net || cfg.Addr != tt.addr || cfg.DBName != tt.db || cfg.TLSConfig != tt.tls {
			t.Errorf("%s: driver read user=%q pw=%q net=%q addr=%q db=%q tls=%q", tt.url, cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName, cfg.TLSConfig)
		}
		if !cfg.ParseTime || cfg.MultiStatements || len(cfg.Params) != 0 || cfg.Loc != time.UTC {
			t.Errorf("%s: parseTime=%v multiStatements=%v params=%v loc=%v", tt.url, cfg.ParseTime, cfg.MultiStatements, cfg.Params, cfg.Loc)
		}
	}
}

func TestDSNErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ url, want string }{
		{"mysql://u:hunter2@h/db?foo=bar", `unsupported URL parameter "foo"`},
		{"mysql://u:hunter2@h/db?sql_mode=ANSI", "supported: allowCleartextPasswords, "},
		{"mysql://u:hunter2@h/db?ssl_ca=/ca.pem", "tls=true"},
		{"mysql://u:hunter2@h/db?loc=Local", "unsupported URL parameter"},
		{"mysql://u:hunter2@h/db?parseTime=false", "parseTime wants true"},
		{"mysql://u:hunter2@h/db?multiStatements=true", "multiStatements wants false"},
		{"mysql://u:hunter2@h/db?timeout=soon", "timeout wants a duration"},
		{"mysql://u:hunter2@h/db?connect_timeout=1.5", "whole number of seconds"},
		{"mysql://u:hunter2@h/db?connect_timeout=1&timeout=2s", "give one"},
		{"mysql://u:hunter2@h/db?tls=a%26b", "tls wants"},
		{"mysql://u:hunter2@h/db?charset=utf8%26x%3D1", "charset wants"},
		{"mysql://u:hunter2@h/db?tls=true&tls=false", "given 2 times"},
		{"mysql://u:hunter2@h/db?unix_socket=/a@b", "socket path"},
		{"mysql://u%3Ax:hunter2@h/db", "contains ':'"},
		{"postgresql://u:hunter2@h/db", "not a MySQL URL"},
	} {
		_, err := d.DSN(parseURL(t, tt.url))
		if err == nil {
			t.Errorf("DSN(%s) succeeded", tt.url)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("DSN(%s) = %v, want it to mention %q", tt.url, err, tt.want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("DSN(%s): error shows the password: %v", tt.url, err)
		}
	}
}

func TestQuoteIdent(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"users":           "users",
		"alembic_version": "alembic_version",
		"retort_history":  "retort_history",
		"Order":           "`Order`",
		"order":           "`order`",
		"select":          "`select`",
		"rank":            "`rank`",      // MySQL 8
		"returning":       "`returning`", // MariaDB
		"1st":             "`1st`",
		"we`ird":          "`we``ird`",
	} {
		if got := d.QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
	if got := d.QualifiedName(dialect.Table{Schema: "Other", Name: "alembic_version"}); got != "`Other`.alembic_version" {
		t.Errorf("QualifiedName = %s", got)
	}
}

func open(t *testing.T) (*config.URL, *sql.DB) {
	t.Helper()
	u := testdb.New(t, config.MySQL)
	return u, testdb.Open(t, u)
}

func exec(t *testing.T, q dialect.Querier, stmt string, args ...any) {
	t.Helper()
	if _, err := q.ExecContext(context.Background(), stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func conn(t *testing.T, db *sql.DB) *sql.Conn {
	t.Helper()
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestQuotingExecuted(t *testing.T) {
	t.Parallel()
	_, db := open(t)
	tbl, col, mixed := d.QuoteIdent("Order"), d.QuoteIdent("select"), d.QuoteIdent("MixedCase")
	exec(t, db, "CREATE TABLE "+tbl+" ("+col+" INTEGER, "+mixed+" TEXT, `rank` INTEGER, plain TEXT)")
	exec(t, db, "INSERT INTO "+tbl+" ("+col+", "+mixed+", "+d.QuoteIdent("rank")+", plain) VALUES (42, 'm', 1, 'p')")
	var n int
	var m, p string
	if err := db.QueryRow("SELECT "+col+", "+mixed+", plain FROM "+tbl).Scan(&n, &m, &p); err != nil {
		t.Fatal(err)
	}
	if n != 42 || m != "m" || p != "p" {
		t.Errorf("read back %d %q %q", n, m, p)
	}
	var names string
	err := db.QueryRow(`SELECT GROUP_CONCAT(CONCAT(table_name, '.', column_name) ORDER BY ordinal_position)
		FROM information_schema.columns WHERE table_schema = DATABASE()`).Scan(&names)
	if err != nil {
		t.Fatal(err)
	}
	if names != "Order.select,Order.MixedCase,Order.rank,Order.plain" {
		t.Errorf("catalog has %s", names)
	}
}

func TestVersionTableDDL(t *testing.T) {
	t.Parallel()
	want := "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)"
	if got := d.VersionTableDDL(dialect.Table{Name: "alembic_version"}); got != want {
		t.Errorf("VersionTableDDL:\n%s\nwant\n%s", got, want)
	}

	ctx := context.Background()
	ux, db := open(t)
	uy, _ := open(t)
	vt := dialect.Table{Name: "alembic_version"}
	if ok, err := d.TableExists(ctx, db, vt); err != nil || ok {
		t.Fatalf("TableExists before create = %v, %v", ok, err)
	}
	exec(t, db, d.VersionTableDDL(vt))
	exec(t, db, d.VersionTableDDL(dialect.Table{Name: "Version"}))
	exec(t, db, "INSERT INTO alembic_version (version_num) VALUES (?)", "abc123")
	if _, err := db.Exec("INSERT INTO alembic_version (version_num) VALUES ('abc123')"); err == nil {
		t.Error("duplicate version_num accepted")
	}
	for _, tt := range []struct {
		tbl  dialect.Table
		want bool
	}{
		{vt, true},
		{dialect.Table{Name: "Version"}, true},
		{dialect.Table{Schema: ux.Database, Name: "alembic_version"}, true},
		{dialect.Table{Schema: uy.Database, Name: "alembic_version"}, false},
		{dialect.Table{Name: "other"}, false},
	} {
		if ok, err := d.TableExists(ctx, db, tt.tbl); err != nil || ok != tt.want {
			t.Errorf("TableExists(%v) = %v, %v; want %v", tt.tbl, ok, err, tt.want)
		}
	}
	var lctn int
	if err := db.QueryRow("SELECT @@lower_case_table_names").Scan(&lctn); err != nil {
		t.Fatal(err)
	}
	if lctn == 0 {
		if ok, err := d.TableExists(ctx, db, dialect.Table{Name: "ALEMBIC_VERSION"}); err != nil || ok {
			t.Errorf("TableExists(ALEMBIC_VERSION) = %v, %v with case-sensitive names", ok, err)
		}
	}

	// A schema is a database: the table can be created in another one.
	other := dialect.Table{Schema: uy.Database, Name: "alembic_version"}
	exec(t, db, d.VersionTableDDL(other))
	if ok, err := d.TableExists(ctx, db, other); err != nil || !ok {
		t.Errorf("TableExists(%v) after create = %v, %v", other, ok, err)
	}
}

func TestHistoryTableDDL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, db := open(t)
	ht := dialect.Table{Name: "retort_history"}
	for range 2 {
		for _, stmt := range d.HistoryTableDDL(ht) {
			exec(t, db, stmt)
		}
	}
	if ok, err := d.TableExists(ctx, db, ht); err != nil || !ok {
		t.Fatalf("TableExists = %v, %v", ok, err)
	}
	started := time.Date(2026, 11, 26, 14, 0, 0, 123456000, time.UTC)
	long := strings.Repeat("ü", 70000) // past TEXT's 64 KiB
	for range 2 {
		exec(t, db, "INSERT INTO retort_history (run_id, revision, direction, status, atomic, started_at, statements, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			"run1", "3f2a9c1b7d4e", "up", "applied", true, started, long, "ünïcødé 😀")
	}
	var id int64
	var got time.Time
	var stmts, msg string
	err := db.QueryRow("SELECT id, started_at, statements, message FROM retort_history WHERE run_id = ? ORDER BY id DESC LIMIT 1", "run1").Scan(&id, &got, &stmts, &msg)
	if err != nil {
		t.Fatal(err)
	}
	if id != 2 || !got.Equal(started) || stmts != long || msg != "ünïcødé 😀" {
		t.Errorf("read back id %d, started_at %v, %d bytes of statements, message %q", id, got, len(stmts), msg)
	}
	// The literal form of a time is what the column stores.
	var n int
	if err := db.QueryRow("SELECT count(*) FROM retort_history WHERE started_at = " + d.Literal(started)).Scan(&n); err != nil || n != 2 {
		t.Errorf("rows matching %s: %d, %v", d.Literal(started), n, err)
	}
	if err := db.QueryRow("SELECT count(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = 'ix_retort_history_run_id'").Scan(&n); err != nil || n != 1 {
		t.Errorf("run_id index: %d, %v", n, err)
	}
}

var literalStrings = []string{"", "it's", `back\slash\\`, `\'`, `\`, "ünïcødé ☃ 😀", "tab\tnew\nline", `"double"`, "100% _", "?"}

func TestLiteral(t *testing.T) {
	t.Parallel()
	for v, want := range map[any]string{
		nil:          "NULL",
		int64(-7):    "-7",
		false:        "FALSE",
		"it's":       "'it''s'",
		`back\slash`: `'back\\slash'`,
		time.Date(2026, 11, 26, 15, 0, 0, 123456000, time.FixedZone("", 3600)): "'2026-11-26 14:00:00.123456'",
	} {
		if got := d.Literal(v); got != want {
			t.Errorf("Literal(%v) = %s, want %s", v, got, want)
		}
	}
	if got := (mysql.Dialect{NoBackslashEscapes: true}).Literal(`a\b`); got != `'a\b'` {
		t.Errorf("NoBackslashEscapes Literal = %s", got)
	}

	ctx := context.Background()
	_, db := open(t)
	c := conn(t, db)
	roundTrip := func(d mysql.Dialect) {
		t.Helper()
		for _, s := range literalStrings {
			var got string
			if err := c.QueryRowContext(ctx, "SELECT "+d.Literal(s)).Scan(&got); err != nil {
				t.Errorf("SELECT %s: %v", d.Literal(s), err)
				continue
			}
			if got != s {
				t.Errorf("SELECT %s = %q, want %q", d.Literal(s), got, s)
			}
		}
	}
	if nbe, err := mysql.SessionNoBackslashEscapes(ctx, c); err != nil || nbe {
		t.Fatalf("SessionNoBackslashEscapes on a default session = %v, %v", nbe, err)
	}
	roundTrip(d)
	exec(t, c, "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')")
	if nbe, err := mysql.SessionNoBackslashEscapes(ctx, c); err != nil || !nbe {
		t.Fatalf("SessionNoBackslashEscapes after SET = %v, %v", nbe, err)
	}
	roundTrip(mysql.Dialect{NoBackslashEscapes: true})

	var n int64
	if err := db.QueryRow("SELECT " + d.Literal(int64(-9007199254740993))).Scan(&n); err != nil || n != -9007199254740993 {
		t.Errorf("int literal: %d, %v", n, err)
	}
	var null sql.NullString
	if err := db.QueryRow("SELECT " + d.Literal(nil)).Scan(&null); err != nil || null.Valid {
		t.Errorf("NULL literal: %v, %v", null, err)
	}
}

func TestPrepareSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, db := open(t)
	c := conn(t, db)
	get := func() int {
		var n int
		if err := c.QueryRowContext(ctx, "SELECT @@SESSION.lock_wait_timeout").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := get()
	if err := d.PrepareSession(ctx, c, dialect.SessionOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := get(); got != before {
		t.Errorf("zero timeout changed lock_wait_timeout from %d to %d", before, got)
	}
	for _, tt := range []struct {
		d    time.Duration
		want int
	}{{1500 * time.Millisecond, 2}, {time.Millisecond, 1}, {5 * time.Second, 5}, {time.Second, 1}} {
		if err := d.PrepareSession(ctx, c, dialect.SessionOptions{StatementLockTimeout: tt.d}); err != nil {
			t.Fatal(err)
		}
		if got := get(); got != tt.want {
			t.Errorf("StatementLockTimeout %v: lock_wait_timeout = %d, want %d", tt.d, got, tt.want)
		}
	}

	// It takes effect: DDL waiting for a metadata lock gives up.
	exec(t, db, "CREATE TABLE t (id INTEGER)")
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec(t, tx, "SELECT * FROM t") // holds a shared metadata lock until the end of tx
	// Without the setting the ALTER would wait a year (the default); error
	// 1205 is the proof that it gave up.
	_, err = c.ExecContext(ctx, "ALTER TABLE t ADD COLUMN x INTEGER")
	var myErr *driver.MySQLError
	if !errors.As(err, &myErr) || myErr.Number != 1205 {
		t.Fatalf("ALTER TABLE under a lock: %v, want error 1205 (lock wait timeout)", err)
	}
}

func TestLockName(t *testing.T) {
	t.Parallel()
	if got := mysql.LockName("app", "alembic_version"); got != "retort:app.alembic_version" {
		t.Errorf("LockName = %s", got)
	}
	long := strings.Repeat("d", 64)
	a, b := mysql.LockName(long, "alembic_version"), mysql.LockName(long, "other_version")
	if a == b || utf8.RuneCountInString(a) > 64 || !strings.HasPrefix(a, "retort:sha256:") {
		t.Errorf("long names: %s, %s", a, b)
	}
	// 64 characters exactly stays readable.
	db := strings.Repeat("x", 64-len("retort:.alembic_version"))
	if got := mysql.LockName(db, "alembic_version"); got != "retort:"+db+".alembic_version" {
		t.Errorf("LockName at the limit = %s", got)
	}
}

func newLock(t *testing.T, c *sql.Conn, u *config.URL, tbl dialect.Table) dialect.Lock {
	t.Helper()
	l, err := d.NewLock(c, u, tbl)
	if err != nil || l == nil {
		t.Fatalf("NewLock: %v, %v", l, err)
	}
	return l
}

func tryLock(t *testing.T, l dialect.Lock, want bool) {
	t.Helper()
	got, err := l.TryLock(context.Background())
	if err != nil {
		t.Fatalf("TryLock %s: %v", l, err)
	}
	if got != want {
		t.Fatalf("TryLock %s = %v, want %v", l, got, want)
	}
}

func TestLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u, db := open(t)
	vt := dialect.Table{Name: "alembic_version"}
	a := newLock(t, conn(t, db), u, vt)
	b := newLock(t, conn(t, db), u, vt)

	tryLock(t, a, true)
	tryLock(t, a, true) // already held: still true, and one Unlock frees it
	tryLock(t, b, false)
	if want := `MySQL lock "retort:` + u.Database + `.alembic_version"`; a.String() != want {
		t.Errorf("String() = %s, want %s", a, want)
	}
	if err := a.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	tryLock(t, b, true)
	tryLock(t, a, false)
	// Another version table is another lock; the same database named as the
	// schema is the same lock.
	tryLock(t, newLock(t, conn(t, db), u, dialect.Table{Name: "other_version"}), true)
	tryLock(t, newLock(t, conn(t, db), u, dialect.Table{Schema: u.Database, Name: "alembic_version"}), false)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Unlock(cctx); err != nil {
		t.Fatalf("Unlock with a cancelled context: %v", err)
	}
	tryLock(t, a, true)
	if err := a.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Unlock(ctx); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
}

func TestLockOtherDatabase(t *testing.T) {
	t.Parallel()
	ux, dbx := open(t)
	uy, dby := open(t)
	vt := dialect.Table{Name: "alembic_version"}
	tryLock(t, newLock(t, conn(t, dbx), ux, vt), true)
	tryLock(t, newLock(t, conn(t, dby), uy, vt), true)
	tryLock(t, newLock(t, conn(t, dbx), ux, vt), false)
}

func TestLockFreedWhenConnectionCloses(t *testing.T) {
	t.Parallel()
	u, db := open(t)
	vt := dialect.Table{Name: "alembic_version"}
	holderDB := testdb.Open(t, u)
	holder := conn(t, holderDB)
	tryLock(t, newLock(t, holder, u, vt), true)
	b := newLock(t, conn(t, db), u, vt)
	tryLock(t, b, false)
	// End the holder's session, as a dying process would: the pool closes
	// the connection it gets back.
	holderDB.Close()
	holder.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := b.TryLock(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("lock still held 10s after its connection closed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
