package sqlite_test

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/internal/testdb"
)

// runConn opens the run's connection the way a project does: the dialect's
// DSN (so its busy timeout and parameters apply) and one pinned connection.
func runConn(t *testing.T, u *config.URL) *sql.Conn {
	t.Helper()
	db := testdb.Open(t, u)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// probe is another process's view of the file.
func probe(t *testing.T, path string) *sql.DB { return testdb.SQLiteNoWait(t, path) }

func sqliteURL(path, query string) *config.URL {
	q, _ := url.ParseQuery(query)
	return &config.URL{Dialect: config.SQLite, Path: path, Query: q}
}

func mustExec(t *testing.T, conn *sql.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func isLocked(err error) bool {
	return err != nil && strings.Contains(err.Error(), "database is locked")
}

// TestHoldForRunKeepsTheLockBetweenCommits: with the default locking mode,
// once the run has written, another connection cannot even read until the
// run releases; then it can read and write while the run's connection is
// still open. Every commit is still its own: the probe sees all of them.
func TestHoldForRunKeepsTheLockBetweenCommits(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	u := sqliteURL(path, "")
	conn := runConn(t, u)
	release, err := sqlite.New().HoldForRun(ctx, conn, u)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, conn, "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)")
	other := probe(t, path)
	var n int
	if err := other.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); !isLocked(err) {
		t.Fatalf("another connection read during the run: n=%d err=%v; want database is locked", n, err)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := other.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 2 {
		t.Fatalf("after release: n=%d err=%v; want 2 rows", n, err)
	}
	if _, err := other.ExecContext(ctx, "INSERT INTO t VALUES (3)"); err != nil {
		t.Fatalf("another connection cannot write after release: %v", err)
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA locking_mode").Scan(&mode); err != nil || mode != "normal" {
		t.Fatalf("locking_mode after release = %q, %v; want normal", mode, err)
	}
}

// TestHoldForRunOptOut: ?locking_mode=normal keeps SQLite's per-commit
// locking, and a WAL database is left alone whatever the URL says, so in
// both another connection reads between the run's commits.
func TestHoldForRunOptOut(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, query, journal string
	}{
		{"locking_mode=normal", "locking_mode=normal", ""},
		{"locking_mode=NORMAL", "locking_mode=NORMAL", ""},
		{"WAL database", "", "PRAGMA journal_mode=WAL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.db")
			u := sqliteURL(path, tc.query)
			conn := runConn(t, u)
			if tc.journal != "" {
				mustExec(t, conn, tc.journal)
			}
			release, err := sqlite.New().HoldForRun(ctx, conn, u)
			if err != nil {
				t.Fatal(err)
			}
			mustExec(t, conn, "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1)")
			var n int
			if err := probe(t, path).QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 1 {
				t.Fatalf("another connection between commits: n=%d err=%v; want 1 row", n, err)
			}
			if err := release(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestHoldForRunInMemory: an in-memory database has no file to lock.
func TestHoldForRunInMemory(t *testing.T) {
	ctx := context.Background()
	u := sqliteURL(config.MemoryPath, "")
	conn := runConn(t, u)
	release, err := sqlite.New().HoldForRun(ctx, conn, u)
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA locking_mode").Scan(&mode); err != nil || mode != "normal" {
		t.Fatalf("locking_mode = %q, %v; want normal (left alone)", mode, err)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestLockingModeParamErrors: a wrong value or a repeated parameter is
// refused when the DSN is built, before anything connects, naming the
// parameter, the value and what is accepted.
func TestLockingModeParamErrors(t *testing.T) {
	for query, want := range map[string][]string{
		"locking_mode=shared":                     {"locking_mode", `"shared"`, "exclusive", "normal"},
		"locking_mode=":                           {"locking_mode", `""`, "exclusive", "normal"},
		"locking_mode=normal&locking_mode=normal": {"locking_mode", "2 times"},
	} {
		u := sqliteURL(filepath.Join(t.TempDir(), "app.db"), query)
		_, err := sqlite.New().DSN(u)
		if err == nil {
			t.Fatalf("%s: DSN accepted it", query)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", query, err, w)
			}
		}
	}
	if _, err := sqlite.New().DSN(sqliteURL("app.db", "locking_mode=exclusive")); err != nil {
		t.Fatalf("locking_mode=exclusive: %v", err)
	}
}

// TestHintForBusy: the driver's error for a locked database gets a hint
// that names the busy timeout and what may hold the lock; other errors get
// none.
func TestHintForBusy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	holder := runConn(t, sqliteURL(path, ""))
	mustExec(t, holder, "CREATE TABLE t (x INTEGER)", "BEGIN EXCLUSIVE")
	var n int
	busy := probe(t, path).QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n)
	if busy == nil {
		t.Fatal("read under another connection's exclusive transaction succeeded")
	}
	hint := sqlite.New().Hint(busy)
	for _, w := range []string{"another connection", "10s", "retort upgrade", "locking_mode"} {
		if !strings.Contains(hint, w) {
			t.Errorf("hint for %v = %q; want it to say %q", busy, hint, w)
		}
	}
	noTable := holder.QueryRowContext(ctx, "SELECT count(*) FROM missing").Scan(&n)
	if noTable == nil {
		t.Fatal("query of a missing table succeeded")
	}
	if h := sqlite.New().Hint(noTable); h != "" {
		t.Errorf("hint for %v = %q; want none", noTable, h)
	}
}
