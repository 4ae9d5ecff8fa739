package retort

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/internal/testdb"
)

// TestConnectErrorHint: a connection error the dialect recognises (SQLite's
// busy database, here produced by a real exclusive transaction) carries the
// dialect's hint; one it does not recognise, or from a dialect without
// hints for it, carries none.
func TestConnectErrorHint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	conn, err := testdb.SQLiteNoWait(t, path).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	busy := testdb.SQLiteNoWait(t, path).QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(new(int))
	if busy == nil {
		t.Fatal("read under an exclusive transaction succeeded")
	}
	u := &config.URL{Dialect: config.SQLite, Path: path}
	msg := connectError(sqlite.New(), u, busy).Error()
	if !strings.Contains(msg, "cannot connect to sqlite:///") || !strings.Contains(msg, "; another connection held the database's lock") {
		t.Fatalf("busy SQLite: %q", msg)
	}
	if ce := connectError(postgres.New(), u, busy); ce.Hint != "" {
		t.Fatalf("postgres hinted at a SQLite error: %q", ce.Hint)
	}
}
