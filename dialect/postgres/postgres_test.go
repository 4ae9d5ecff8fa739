package postgres_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/internal/testdb"
)

var d = postgres.New()

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
		{"postgresql://u:p@h:5433/db?sslmode=disable", "postgres://u:p@h:5433/db?application_name=retort&sslmode=disable"},
		{"postgres://u@h/db", "postgres://u@h/db?application_name=retort"},
		{"postgresql+psycopg2://u@h/db?application_name=billing", "postgres://u@h/db?application_name=billing"},
		{"postgresql://u@[::1]:5432/db", "postgres://u@[::1]:5432/db?application_name=retort"},
		{"postgresql://u@[::1]/db", "postgres://u@[::1]/db?application_name=retort"},
		{"postgresql:///db?host=/var/run/postgresql", "postgres:///db?application_name=retort&host=%2Fvar%2Frun%2Fpostgresql"},
		{"postgresql://u@h/db?options=-c%20search_path%3Dapp", "postgres://u@h/db?application_name=retort&options=-c%20search_path%3Dapp"},
		{"postgresql://u@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem&sslcert=/c.pem&sslkey=/k.pem&connect_timeout=7",
			"postgres://u@h/db?application_name=retort&connect_timeout=7&sslcert=%2Fc.pem&sslkey=%2Fk.pem&sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem"},
		{"postgresql://us%20er:p%40ss%3Aw%2Fo%3Frd%25@h/my%20db", "postgres://us%20er:p%40ss%3Aw%2Fo%3Frd%25@h/my%20db?application_name=retort"},
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

// TestDSNParsedByPgx checks that what DSN writes means to pgx what the URL
// meant: credentials with special characters, database, port, parameters.
func TestDSNParsedByPgx(t *testing.T) {
	t.Parallel()
	u := parseURL(t, "postgresql://us%20er:p%40ss%3Aw%2Fo%3Frd%25%20+x@db.example.com:6543/my%20db?sslmode=disable&connect_timeout=7&options=-c%20search_path%3Dapp&application_name=billing")
	dsn, err := d.DSN(u)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("pgx.ParseConfig: %v", err)
	}
	if cfg.User != "us er" || cfg.Password != "p@ss:w/o?rd% +x" || cfg.Host != "db.example.com" || cfg.Port != 6543 || cfg.Database != "my db" {
		t.Errorf("pgx read user=%q password=%q host=%q port=%d database=%q", cfg.User, cfg.Password, cfg.Host, cfg.Port, cfg.Database)
	}
	if cfg.ConnectTimeout != 7*time.Second {
		t.Errorf("connect timeout %v, want 7s", cfg.ConnectTimeout)
	}
	if cfg.TLSConfig != nil {
		t.Errorf("sslmode=disable gave a TLS config")
	}
	if got := cfg.RuntimeParams["options"]; got != "-c search_path=app" {
		t.Errorf("options = %q", got)
	}
	if got := cfg.RuntimeParams["application_name"]; got != "billing" {
		t.Errorf("application_name = %q", got)
	}

	for in, host := range map[string]string{
		"postgresql://u@%2Fvar%2Frun%2Fpostgresql/db": "/var/run/postgresql",
		"postgresql:///db?host=/tmp":                  "/tmp",
		"postgresql://[::1]:5433/db":                  "::1",
	} {
		dsn, err := d.DSN(parseURL(t, in))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatalf("pgx.ParseConfig(DSN(%s)): %v", in, err)
		}
		if cfg.Host != host || cfg.Database != "db" {
			t.Errorf("%s: pgx read host %q database %q", in, cfg.Host, cfg.Database)
		}
	}

	if os.Getenv("PGPORT") == "" {
		dsn, err := d.DSN(parseURL(t, "postgresql://u@h/db"))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Port != 5432 || cfg.RuntimeParams["application_name"] != "retort" {
			t.Errorf("defaults: port %d, application_name %q", cfg.Port, cfg.RuntimeParams["application_name"])
		}
	}
}

// TestDSNTLS passes certificate files through and checks pgx loads them.
func TestDSNTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca, cert, key := writeCert(t, dir)
	u := parseURL(t, "postgresql://u:secret@db.example.com/app?sslmode=verify-full")
	u.Query.Set("sslrootcert", ca)
	u.Query.Set("sslcert", cert)
	u.Query.Set("sslkey", key)
	dsn, err := d.DSN(u)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("pgx.ParseConfig: %v", err)
	}
	tc := cfg.TLSConfig
	if tc == nil || tc.RootCAs == nil || len(tc.Certificates) != 1 || tc.ServerName != "db.example.com" {
		t.Fatalf("TLS config not as asked: %+v", tc)
	}
}

// writeCert writes a self-signed CA certificate, used as client certificate
// too, and its key.
func writeCert(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "retort test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	ca = filepath.Join(dir, "ca.pem")
	key = filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(ca, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return ca, ca, key
}

func TestDSNErrors(t *testing.T) {
	t.Parallel()
	if _, err := d.DSN(nil); err == nil {
		t.Error("DSN(nil) succeeded")
	}
	u := parseURL(t, "mysql://u:hunter2@h/db")
	_, err := d.DSN(u)
	if err == nil {
		t.Fatal("DSN of a MySQL URL succeeded")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestQuoteIdent(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"users":           "users",
		"user_id2":        "user_id2",
		"alembic_version": "alembic_version",
		"Order":           `"Order"`,
		"order":           `"order"`,
		"select":          `"select"`,
		"user":            `"user"`,
		"tablesample":     `"tablesample"`,
		"1st":             `"1st"`,
		"with space":      `"with space"`,
		`we"ird`:          `"we""ird"`,
		"":                `""`,
	} {
		if got := d.QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
	if got := d.QualifiedName(dialect.Table{Schema: "Audit", Name: "alembic_version"}); got != `"Audit".alembic_version` {
		t.Errorf("QualifiedName = %s", got)
	}
}

// open returns a connection to a fresh database.
func open(t *testing.T) (*config.URL, *sql.DB, *sql.Conn) {
	t.Helper()
	u := testdb.New(t, config.PostgreSQL)
	db := testdb.Open(t, u)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return u, db, conn
}

func exec(t *testing.T, q dialect.Querier, stmt string, args ...any) {
	t.Helper()
	if _, err := q.ExecContext(context.Background(), stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func TestQuotingExecuted(t *testing.T) {
	t.Parallel()
	_, db, _ := open(t)
	tbl, col, mixed := d.QuoteIdent("Order"), d.QuoteIdent("select"), d.QuoteIdent("MixedCase")
	exec(t, db, "CREATE TABLE "+tbl+" ("+col+" INTEGER, "+mixed+" TEXT, plain TEXT)")
	exec(t, db, "INSERT INTO "+tbl+" ("+col+", "+mixed+", plain) VALUES (42, 'm', 'p')")
	var n int
	var m, p string
	if err := db.QueryRow("SELECT "+col+", "+mixed+", plain FROM "+tbl).Scan(&n, &m, &p); err != nil {
		t.Fatal(err)
	}
	if n != 42 || m != "m" || p != "p" {
		t.Errorf("read back %d %q %q", n, m, p)
	}
	var names string
	err := db.QueryRow(`SELECT string_agg(table_name || '.' || column_name, ',' ORDER BY ordinal_position)
		FROM information_schema.columns WHERE table_schema = current_schema()`).Scan(&names)
	if err != nil {
		t.Fatal(err)
	}
	if names != "Order.select,Order.MixedCase,Order.plain" {
		t.Errorf("catalog has %s", names)
	}
}

func TestVersionTableDDL(t *testing.T) {
	t.Parallel()
	want := "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)"
	if got := d.VersionTableDDL(dialect.Table{Name: "alembic_version"}); got != want {
		t.Errorf("VersionTableDDL:\n%s\nwant\n%s", got, want)
	}
	want = "CREATE TABLE audit.alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)"
	if got := d.VersionTableDDL(dialect.Table{Schema: "audit", Name: "alembic_version"}); got != want {
		t.Errorf("VersionTableDDL with schema:\n%s\nwant\n%s", got, want)
	}

	ctx := context.Background()
	_, db, _ := open(t)
	exec(t, db, "CREATE SCHEMA audit")
	exec(t, db, `CREATE SCHEMA "Mixed Schema"`)
	for _, tbl := range []dialect.Table{
		{Name: "alembic_version"},
		{Schema: "audit", Name: "alembic_version"},
		{Schema: "Mixed Schema", Name: "Version"},
	} {
		ok, err := d.TableExists(ctx, db, tbl)
		if err != nil || ok {
			t.Fatalf("TableExists(%v) before create = %v, %v", tbl, ok, err)
		}
		exec(t, db, d.VersionTableDDL(tbl))
		ok, err = d.TableExists(ctx, db, tbl)
		if err != nil || !ok {
			t.Fatalf("TableExists(%v) after create = %v, %v", tbl, ok, err)
		}
		exec(t, db, "INSERT INTO "+d.QualifiedName(tbl)+" (version_num) VALUES ($1)", "abc123")
	}
	// The default schema is public; a table elsewhere is not found there.
	for _, tbl := range []dialect.Table{{Name: "Version"}, {Schema: "audit", Name: "Version"}, {Schema: "nosuch", Name: "alembic_version"}} {
		if ok, err := d.TableExists(ctx, db, tbl); err != nil || ok {
			t.Errorf("TableExists(%v) = %v, %v; want false", tbl, ok, err)
		}
	}
	if ok, err := d.TableExists(ctx, db, dialect.Table{Schema: "public", Name: "alembic_version"}); err != nil || !ok {
		t.Errorf("TableExists(public.alembic_version) = %v, %v", ok, err)
	}
	// The primary key exists under Alembic's name.
	var n int
	if err := db.QueryRow("SELECT count(*) FROM pg_constraint WHERE conname = 'alembic_version_pkc' AND contype = 'p'").Scan(&n); err != nil || n != 2 {
		t.Errorf("alembic_version_pkc constraints: %d, %v", n, err)
	}
	if _, err := db.Exec("INSERT INTO alembic_version (version_num) VALUES ('abc123')"); err == nil {
		t.Error("duplicate version_num accepted")
	}
}

func TestHistoryTableDDL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, db, _ := open(t)
	exec(t, db, "CREATE SCHEMA audit")
	for _, tbl := range []dialect.Table{{Name: "retort_history"}, {Schema: "audit", Name: "retort_history"}} {
		for range 2 {
			for _, stmt := range d.HistoryTableDDL(tbl) {
				exec(t, db, stmt)
			}
		}
		if ok, err := d.TableExists(ctx, db, tbl); err != nil || !ok {
			t.Fatalf("TableExists(%v) = %v, %v", tbl, ok, err)
		}
		started := time.Date(2026, 11, 26, 14, 0, 0, 123456000, time.UTC)
		for i := range 2 {
			exec(t, db, "INSERT INTO "+d.QualifiedName(tbl)+
				" (run_id, revision, direction, status, atomic, started_at, statements) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				"run1", "3f2a9c1b7d4e", "up", "applied", 1, started, strings.Repeat("x", 100000+i))
		}
		var id int64
		var got time.Time
		err := db.QueryRow("SELECT max(id), max(started_at) FROM "+d.QualifiedName(tbl)+" WHERE run_id = $1", "run1").Scan(&id, &got)
		if err != nil {
			t.Fatal(err)
		}
		if id != 2 || !got.Equal(started) {
			t.Errorf("read back id %d, started_at %v", id, got)
		}
	}
	// No run_id index: it would cost WAL on every migration to speed up only
	// the UPDATE of a rare no-transaction step.
	var n int
	if err := db.QueryRow("SELECT count(*) FROM pg_indexes WHERE tablename = 'retort_history' AND indexname <> 'retort_history_pkey'").Scan(&n); err != nil || n != 0 {
		t.Errorf("secondary indexes on retort_history: %d, %v", n, err)
	}
}

func TestLiteral(t *testing.T) {
	t.Parallel()
	for v, want := range map[any]string{
		nil:          "NULL",
		int64(-7):    "-7",
		true:         "TRUE",
		float64(2.5): "2.5",
		"it's":       "'it''s'",
		`back\slash`: `'back\slash'`,
		time.Date(2026, 11, 26, 15, 0, 0, 123456000, time.FixedZone("", 3600)): "'2026-11-26 14:00:00.123456+00:00'",
	} {
		if got := d.Literal(v); got != want {
			t.Errorf("Literal(%v) = %s, want %s", v, got, want)
		}
	}
	if got := d.Literal([]byte{0xde, 0xad}); got != `'\xdead'::bytea` {
		t.Errorf("Literal(bytes) = %s", got)
	}
	if d.Placeholder(3) != "$3" {
		t.Errorf("Placeholder(3) = %s", d.Placeholder(3))
	}

	_, db, _ := open(t)
	for _, s := range []string{"", "it's", `back\slash\\`, `\'`, "ünïcødé ☃ 😀", "tab\tnew\nline", `"double"`, "$1 $$ ?", "E'x'"} {
		var got string
		if err := db.QueryRow("SELECT " + d.Literal(s)).Scan(&got); err != nil {
			t.Errorf("SELECT %s: %v", d.Literal(s), err)
			continue
		}
		if got != s {
			t.Errorf("SELECT %s = %q, want %q", d.Literal(s), got, s)
		}
	}
	ts := time.Date(2026, 11, 26, 14, 0, 0, 123456000, time.UTC)
	var same bool
	if err := db.QueryRow("SELECT "+d.Literal(ts)+"::timestamptz = $1", ts).Scan(&same); err != nil || !same {
		t.Errorf("timestamp literal %s: %v, %v", d.Literal(ts), same, err)
	}
	var isNull bool
	if err := db.QueryRow("SELECT " + d.Literal(nil) + " IS NULL").Scan(&isNull); err != nil || !isNull {
		t.Errorf("NULL literal: %v, %v", isNull, err)
	}
	var n int64
	if err := db.QueryRow("SELECT " + d.Literal(int64(-9007199254740993))).Scan(&n); err != nil || n != -9007199254740993 {
		t.Errorf("int literal: %d, %v", n, err)
	}
}

func TestPrepareSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, db, conn := open(t)
	show := func() string {
		var s string
		if err := conn.QueryRowContext(ctx, "SHOW lock_timeout").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := show()
	if err := d.PrepareSession(ctx, conn, dialect.SessionOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := show(); got != before {
		t.Errorf("zero timeout changed lock_timeout from %s to %s", before, got)
	}
	if err := d.PrepareSession(ctx, conn, dialect.SessionOptions{StatementLockTimeout: 1500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if got := show(); got != "1500ms" {
		t.Errorf("lock_timeout = %s, want 1500ms", got)
	}
	if err := d.PrepareSession(ctx, conn, dialect.SessionOptions{StatementLockTimeout: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}

	// It takes effect: DDL waiting for a lock gives up.
	exec(t, db, "CREATE TABLE t (id INTEGER)")
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec(t, tx, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
	// Without the setting the ALTER would wait for the lock forever; the
	// lock_not_available error is the proof that it gave up.
	_, err = conn.ExecContext(ctx, "ALTER TABLE t ADD COLUMN x INTEGER")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55P03" {
		t.Fatalf("ALTER TABLE under a lock: %v, want lock_not_available (55P03)", err)
	}
}

func TestLockKey(t *testing.T) {
	t.Parallel()
	// Pinned: changing the derivation would let an old and a new retort
	// run at once.
	if got := postgres.LockKey("app", "public", "alembic_version"); got != lockKeyAppPublic {
		t.Errorf("LockKey(app, public, alembic_version) = %d, want %d", got, lockKeyAppPublic)
	}
	seen := map[int64]string{}
	for _, k := range [][3]string{{"app", "public", "alembic_version"}, {"app2", "public", "alembic_version"},
		{"app", "audit", "alembic_version"}, {"app", "public", "other_version"}, {"ap", "ppublic", "alembic_version"}} {
		key := postgres.LockKey(k[0], k[1], k[2])
		if prev, dup := seen[key]; dup {
			t.Errorf("LockKey(%v) = LockKey(%s)", k, prev)
		}
		seen[key] = strings.Join(k[:], "/")
	}
}

// lockKeyAppPublic pins LockKey's derivation.
const lockKeyAppPublic = -2141163639028944030

func conn(t *testing.T, db *sql.DB) *sql.Conn {
	t.Helper()
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
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
	u, db, _ := open(t)
	vt := dialect.Table{Name: "alembic_version"}
	a := newLock(t, conn(t, db), u, vt)
	b := newLock(t, conn(t, db), u, vt)

	tryLock(t, a, true)
	tryLock(t, a, true) // already held: still true, and one Unlock frees it
	tryLock(t, b, false)
	want := "PostgreSQL advisory lock " + strconv.FormatInt(postgres.LockKey(u.Database, "public", "alembic_version"), 10) + " on " + u.Database + "/public.alembic_version"
	if a.String() != want {
		t.Errorf("String() = %s, want %s", a, want)
	}
	if err := a.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	tryLock(t, b, true)
	tryLock(t, a, false)

	// Another schema, or another version table, is another lock.
	exec(t, db, "CREATE SCHEMA audit")
	tryLock(t, newLock(t, conn(t, db), u, dialect.Table{Schema: "audit", Name: "alembic_version"}), true)
	tryLock(t, newLock(t, conn(t, db), u, dialect.Table{Name: "other_version"}), true)
	// An explicit schema equal to the current one is the same lock.
	tryLock(t, newLock(t, conn(t, db), u, dialect.Table{Schema: "public", Name: "alembic_version"}), false)

	// Unlock works with a cancelled context.
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
	ux, dbx, _ := open(t)
	uy, dby, _ := open(t)
	vt := dialect.Table{Name: "alembic_version"}
	tryLock(t, newLock(t, conn(t, dbx), ux, vt), true)
	tryLock(t, newLock(t, conn(t, dby), uy, vt), true)
	tryLock(t, newLock(t, conn(t, dbx), ux, vt), false)
}

func TestLockFreedWhenConnectionCloses(t *testing.T) {
	t.Parallel()
	u, db, _ := open(t)
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
