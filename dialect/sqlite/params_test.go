package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/sqlite"
)

// TestModeReadOnly: mode=ro opens the database read-only (a write fails
// with a hint), and a write run refuses before it takes the lock or writes.
func TestModeReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	mustExec(t, runConn(t, sqliteURL(path, "")), "CREATE TABLE t (x INTEGER)")

	u := sqliteURL(path, "mode=ro")
	conn := runConn(t, u)
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatalf("read with mode=ro: %v", err)
	}
	_, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (1)")
	if err == nil {
		t.Fatal("write with mode=ro succeeded")
	}
	if h := sqlite.New().Hint(err); !strings.Contains(h, "mode=ro") {
		t.Errorf("hint for %v = %q; want it to name mode=ro", err, h)
	}
	for name, call := range map[string]func() error{
		"NewLock": func() error {
			_, err := sqlite.New().NewLock(conn, u, dialect.Table{Name: "alembic_version"})
			return err
		},
		"HoldForRun": func() error {
			_, err := sqlite.New().HoldForRun(ctx, conn, u)
			return err
		},
	} {
		err := call()
		if err == nil || !strings.Contains(err.Error(), "read-only (mode=ro)") || !strings.Contains(err.Error(), "remove mode=ro") {
			t.Errorf("%s with mode=ro: %v; want a read-only refusal", name, err)
		}
	}
}

// TestURLParamValues: mode and timeout values are checked before anything
// connects; timeout sets the busy timeout.
func TestURLParamValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	for query, want := range map[string][]string{
		"mode=readonly":       {"mode", `"readonly"`, "ro", "rwc"},
		"mode=ro&mode=rw":     {"mode", "2 times"},
		"timeout=soon":        {"timeout", `"soon"`, "seconds"},
		"timeout=-1":          {"timeout", `"-1"`},
		"timeout=1&timeout=2": {"timeout", "2 times"},
	} {
		_, err := sqlite.New().DSN(sqliteURL(path, query))
		if err == nil {
			t.Errorf("%s: DSN accepted it", query)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", query, err, w)
			}
		}
	}
	if _, err := sqlite.New().DSN(sqliteURL(":memory:", "mode=ro")); err == nil {
		t.Error("mode=ro on :memory: accepted")
	}
	dsn, err := sqlite.New().DSN(sqliteURL(path, "timeout=2.5&mode=rw"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dsn, "busy_timeout%282500%29") || !strings.Contains(dsn, "mode=rw") {
		t.Errorf("DSN = %s; want busy_timeout(2500) and mode=rw", dsn)
	}
	// The pysqlite options SQLAlchemy reads are accepted (config) and
	// change nothing here.
	plain, _ := sqlite.New().DSN(sqliteURL(path, ""))
	ignored, err := sqlite.New().DSN(sqliteURL(path, "check_same_thread=false&cached_statements=10"))
	if err != nil || ignored != plain {
		t.Errorf("DSN with ignored parameters = %s, %v; want %s", ignored, err, plain)
	}
}

// TestMissingDirectory: SQLite creates the file, not its directory; the
// error says which directory is missing instead of "unable to open
// database file".
func TestMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nonexistent", "dir")
	_, err := sqlite.New().DSN(sqliteURL(filepath.Join(dir, "x.db"), ""))
	if err == nil || !strings.Contains(err.Error(), "directory "+dir+" does not exist") {
		t.Errorf("DSN for a file in a missing directory: %v", err)
	}
	u, perr := config.ParseURL("sqlite:///file:" + filepath.Join(dir, "x.db") + "?uri=true")
	if perr != nil {
		t.Fatal(perr)
	}
	if _, err := sqlite.New().DSN(u); err == nil || !strings.Contains(err.Error(), "directory "+dir+" does not exist") {
		t.Errorf("DSN for a file: URI in a missing directory: %v", err)
	}
}

// TestFileURIPath: SQLAlchemy's sqlite:///file:PATH?uri=true opens PATH,
// and its lock file is PATH.retort-lock.
func TestFileURIPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	u, err := config.ParseURL("sqlite:///file:" + path + "?uri=true")
	if err != nil {
		t.Fatal(err)
	}
	dsn, err := sqlite.New().DSN(u)
	if err != nil || !strings.HasPrefix(dsn, "file:"+path+"?") {
		t.Errorf("DSN = %s, %v; want file:%s?…", dsn, err, path)
	}
	lock, err := sqlite.New().NewLock(nil, u, dialect.Table{Name: "alembic_version"})
	if err != nil || lock == nil || !strings.HasSuffix(lock.(interface{ String() string }).String(), " "+path+".retort-lock") {
		t.Errorf("lock = %v, %v; want %s.retort-lock", lock, err, path)
	}
}

// TestLockOpenErrorNamesPathOnce: the error of a lock file that cannot be
// created says "open PATH" once, not "open PATH: open PATH".
func TestLockOpenErrorNamesPathOnce(t *testing.T) {
	dir := t.TempDir()
	// A directory where the lock file should be makes the open fail for
	// root too.
	path := filepath.Join(dir, "app.db")
	if err := os.Mkdir(path+".retort-lock", 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := sqlite.New().NewLock(nil, sqliteURL(path, ""), dialect.Table{Name: "alembic_version"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = lock.TryLock(context.Background())
	if err == nil {
		t.Fatal("TryLock on a directory succeeded")
	}
	if n := strings.Count(err.Error(), path+".retort-lock"); n != 1 {
		t.Errorf("error names the lock file %d times: %v", n, err)
	}
}
