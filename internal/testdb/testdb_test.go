package testdb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
)

func TestDialects(t *testing.T) {
	t.Parallel()
	names := Dialects(t)
	if len(names) == 0 || names[0] != config.SQLite {
		t.Fatalf("Dialects = %v, want sqlite first", names)
	}
	t.Logf("dialects: %v", names)
}

// TestNew checks, for every reachable dialect, that New gives a fresh empty
// database each time, that Open reaches it, and that it is gone after the
// test.
func TestNew(t *testing.T) {
	t.Parallel()
	for _, name := range Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var dbName string
			t.Run("use", func(t *testing.T) {
				u1, u2 := New(t, name), New(t, name)
				if u1.Dialect != name || u1.String() == u2.String() {
					t.Fatalf("New gave %s and %s", u1.Redacted(), u2.Redacted())
				}
				db := Open(t, u1)
				if _, err := db.Exec("CREATE TABLE probe (id INTEGER)"); err != nil {
					t.Fatal(err)
				}
				if _, err := Open(t, u2).Exec("CREATE TABLE probe (id INTEGER)"); err != nil {
					t.Fatalf("second database is not empty or not separate: %v", err)
				}
				if name != config.SQLite {
					if !strings.HasPrefix(u1.Database, "retort_t_") {
						t.Errorf("database name %q", u1.Database)
					}
					dbName = u1.Database
				}
			})
			if dbName == "" {
				return
			}
			s := servers[name]
			q := "SELECT count(*) FROM pg_database WHERE datname = $1"
			if name == config.MySQL {
				q = "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?"
			}
			var n int
			if err := s.admin.QueryRowContext(context.Background(), q, dbName).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("database %s still exists after its test", dbName)
			}
		})
	}
}

// fakeTB records Skipf and Fatalf instead of ending the test.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()                       {}
func (f *fakeTB) Skipf(format string, a ...any) { f.skipped = fmt.Sprintf(format, a...) }
func (f *fakeTB) Fatalf(format string, a ...any) {
	f.failed = fmt.Sprintf(format, a...)
}

func TestUnreachableServer(t *testing.T) {
	// Not parallel: t.Setenv.
	s := &server{dialect: config.PostgreSQL, env: "RETORT_TEST_NOWHERE_URL", def: "postgresql://postgres:hunter2@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2"}

	t.Setenv(EnvRequire, "")
	f := &fakeTB{TB: t}
	s.use(f)
	if f.failed != "" || !strings.Contains(f.skipped, "RETORT_TEST_NOWHERE_URL") || !strings.Contains(f.skipped, EnvRequire) {
		t.Errorf("skip message %q, fatal %q", f.skipped, f.failed)
	}
	if strings.Contains(f.skipped, "hunter2") {
		t.Errorf("skip message shows the password: %s", f.skipped)
	}

	t.Setenv(EnvRequire, "1")
	f = &fakeTB{TB: t}
	s.use(f)
	if f.skipped != "" || !strings.Contains(f.failed, "RETORT_TEST_NOWHERE_URL") {
		t.Errorf("with %s=1: skip %q, fatal %q", EnvRequire, f.skipped, f.failed)
	}

	// A URL of the wrong dialect is reported as such.
	t.Setenv("RETORT_TEST_WRONG_URL", "mysql://root@127.0.0.1/test")
	w := &server{dialect: config.PostgreSQL, env: "RETORT_TEST_WRONG_URL", def: DefaultPostgresURL}
	w.probe()
	if w.err == nil || !strings.Contains(w.err.Error(), "mysql") {
		t.Errorf("wrong dialect: %v", w.err)
	}
}

func TestDialectNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{config.SQLite, config.PostgreSQL, config.MySQL} {
		d, err := Dialect(name)
		if err != nil || d.Name() != name {
			t.Errorf("Dialect(%s) = %v, %v", name, d, err)
		}
	}
	if _, err := Dialect("oracle"); err == nil {
		t.Error("Dialect(oracle) succeeded")
	}
	if !slices.Contains(Dialects(t), config.SQLite) {
		t.Error("no sqlite")
	}
}
