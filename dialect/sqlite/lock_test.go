package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/sqlite"
)

func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(entries)
}

// TestLockNotTakenKeepsNoFile: a TryLock that finds the lock held leaves no
// descriptor open, so a program that gives up waiting (and never calls
// Unlock) does not leak one per attempt.
func TestLockNotTakenKeepsNoFile(t *testing.T) {
	ctx := context.Background()
	u := &config.URL{Dialect: config.SQLite, Path: filepath.Join(t.TempDir(), "app.db")}
	vt := dialect.Table{Name: "alembic_version"}
	holder, err := sqlite.New().NewLock(nil, u, vt)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := holder.TryLock(ctx); !ok || err != nil {
		t.Fatalf("TryLock: %v %v", ok, err)
	}
	before := openFDs(t)
	for range 20 {
		l, err := sqlite.New().NewLock(nil, u, vt)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := l.TryLock(ctx); ok || err != nil {
			t.Fatalf("TryLock of a held lock: %v %v", ok, err)
		}
	}
	if after := openFDs(t); after > before {
		t.Fatalf("%d descriptors open after 20 failed TryLocks, %d before", after, before)
	}
	if err := holder.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	l, _ := sqlite.New().NewLock(nil, u, vt)
	if ok, err := l.TryLock(ctx); !ok || err != nil {
		t.Fatalf("TryLock after Unlock: %v %v", ok, err)
	}
	if err := l.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}
