// Package testdb hands tests fresh, empty databases of each dialect.
//
// SQLite always works: a file in t.TempDir(). PostgreSQL and MySQL need a
// server on which the test user may create databases, named by
// RETORT_TEST_POSTGRES_URL and RETORT_TEST_MYSQL_URL; unset, they default to
//
//	postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable
//	mysql://root@127.0.0.1:3306/test
//
// Each server is probed once per test binary. A test asking for a server
// that cannot be reached is skipped, or fails when RETORT_REQUIRE_DATABASES=1
// (CI sets it, so a broken service cannot turn the suite green).
//
// Every [New] database is called retort_t_<random> and dropped when its
// test ends, so tests can run in parallel.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	// The three drivers retort supports.
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/dialect/sqlite"
)

// Environment variables read by this package.
const (
	EnvPostgres = "RETORT_TEST_POSTGRES_URL"
	EnvMySQL    = "RETORT_TEST_MYSQL_URL"
	EnvRequire  = "RETORT_REQUIRE_DATABASES"
)

// Default server URLs, used when the variables are unset.
const (
	DefaultPostgresURL = "postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	DefaultMySQLURL    = "mysql://root@127.0.0.1:3306/test"
)

// probeTimeout bounds the one connection attempt per server.
const probeTimeout = 5 * time.Second

// server is one database server, probed once.
type server struct {
	dialect string
	env     string
	def     string

	once  sync.Once
	url   *config.URL // the admin URL
	admin *sql.DB     // open for the life of the test binary
	err   error       // why the server cannot be used
}

var servers = map[string]*server{
	config.PostgreSQL: {dialect: config.PostgreSQL, env: EnvPostgres, def: DefaultPostgresURL},
	config.MySQL:      {dialect: config.MySQL, env: EnvMySQL, def: DefaultMySQLURL},
}

// Dialect returns retort's dialect for a dialect name.
func Dialect(name string) (dialect.Dialect, error) {
	switch name {
	case config.SQLite:
		return sqlite.New(), nil
	case config.PostgreSQL:
		return postgres.New(), nil
	case config.MySQL:
		return mysql.New(), nil
	}
	return nil, fmt.Errorf("testdb: unknown dialect %q (want sqlite, postgresql or mysql)", name)
}

// probe connects to the server the first time it is asked for.
func (s *server) probe() {
	s.once.Do(func() {
		raw, fromEnv := os.LookupEnv(s.env)
		if !fromEnv || raw == "" {
			raw = s.def
		}
		u, err := config.ParseURL(raw)
		if err != nil {
			s.err = fmt.Errorf("%s: %w", s.env, err)
			return
		}
		if u.Dialect != s.dialect {
			s.err = fmt.Errorf("%s names a %s server, want %s", s.env, u.Dialect, s.dialect)
			return
		}
		s.url = u
		db, err := openURL(u)
		if err != nil {
			s.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			s.err = fmt.Errorf("cannot reach %s: %s", u.Redacted(), config.RedactString(err.Error()))
			return
		}
		db.SetMaxIdleConns(4)
		s.admin = db
	})
}

// use returns the probed server or ends the test when it is unusable.
func (s *server) use(t testing.TB) *server {
	t.Helper()
	s.probe()
	if s.err != nil {
		msg := fmt.Sprintf("testdb: %s server unavailable: %v; set %s to a server where the test user may create databases", s.dialect, s.err, s.env)
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s (%s=1 makes this fatal)", msg, EnvRequire)
		} else {
			t.Skipf("%s, or %s=1 to fail instead of skipping", msg, EnvRequire)
		}
	}
	return s
}

// Dialects returns the dialects tests can run against: "sqlite" always,
// "postgresql" and "mysql" when their server is reachable. With
// RETORT_REQUIRE_DATABASES=1 an unreachable server fails the test.
func Dialects(t testing.TB) []string {
	t.Helper()
	names := []string{config.SQLite}
	for _, name := range []string{config.PostgreSQL, config.MySQL} {
		s := servers[name]
		s.probe()
		if s.err != nil {
			if os.Getenv(EnvRequire) == "1" {
				t.Fatalf("testdb: %s server unavailable: %v; set %s", name, s.err, s.env)
			}
			t.Logf("testdb: skipping %s: %v (set %s)", name, s.err, s.env)
			continue
		}
		names = append(names, name)
	}
	return names
}

// New returns the URL of a fresh, empty database of the given dialect
// ("sqlite", "postgresql" or "mysql"), dropped when the test ends.
func New(t testing.TB, dialectName string) *config.URL {
	t.Helper()
	if dialectName == config.SQLite {
		return &config.URL{Dialect: config.SQLite, Path: filepath.Join(t.TempDir(), "test.db"), Query: url.Values{}}
	}
	s, ok := servers[dialectName]
	if !ok {
		t.Fatalf("testdb: unknown dialect %q (want sqlite, postgresql or mysql)", dialectName)
	}
	s.use(t)
	name := "retort_t_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.create(ctx, name); err != nil {
		t.Fatalf("testdb: create database %s on %s: %v", name, s.url.Redacted(), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.drop(ctx, name); err != nil {
			t.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	u := *s.url
	u.Query = maps.Clone(s.url.Query)
	u.Database = name
	return &u
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return hex.EncodeToString(b)
}

func (s *server) create(ctx context.Context, name string) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if _, err = s.admin.ExecContext(ctx, "CREATE DATABASE "+name); err == nil {
			return nil
		}
		// PostgreSQL refuses concurrent copies of template1 now and then
		// ("source database is being accessed by other users").
		if !strings.Contains(err.Error(), "being accessed by other users") {
			return errors.New(config.RedactString(err.Error()))
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	return errors.New(config.RedactString(err.Error()))
}

func (s *server) drop(ctx context.Context, name string) error {
	if s.dialect == config.MySQL {
		_, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
		return err
	}
	// WITH (FORCE) (PostgreSQL 13+) ends the sessions still connected.
	_, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	if err == nil || !strings.Contains(err.Error(), "syntax error") {
		return err
	}
	// PostgreSQL 12: terminate the sessions ourselves.
	if _, err := s.admin.ExecContext(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name); err != nil {
		return err
	}
	_, err = s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
	return err
}

// openURL opens u with its dialect's driver and DSN.
func openURL(u *config.URL) (*sql.DB, error) {
	d, err := Dialect(u.Dialect)
	if err != nil {
		return nil, err
	}
	dsn, err := d.DSN(u)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(d.DriverName(), dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %s", u.Redacted(), config.RedactString(err.Error()))
	}
	d.ConfigureDB(db, u)
	return db, nil
}

// Open opens u with the right driver; the pool is closed when the test
// ends.
func Open(t testing.TB, u *config.URL) *sql.DB {
	t.Helper()
	db, err := openURL(u)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// SQLiteNoWait opens the SQLite file at path as another program would, but
// with no busy timeout: while another connection holds the file's lock, a
// statement fails at once with "database is locked" instead of waiting.
// The pool is closed when the test ends.
func SQLiteNoWait(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
