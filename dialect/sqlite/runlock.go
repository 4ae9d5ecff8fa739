package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
)

var _ dialect.RunHolder = Dialect{}

// LockingModeParam is the URL parameter that chooses how a write run holds
// SQLite's file lock: "exclusive" (the default) or "normal".
const LockingModeParam = "locking_mode"

// lockingMode returns the run's locking mode from u's query: "exclusive"
// unless the URL asks for "normal".
func lockingMode(u *config.URL) (string, error) {
	raw, ok, err := urlParam(u, LockingModeParam)
	if err != nil || !ok {
		return "exclusive", err
	}
	switch v := strings.ToLower(raw); v {
	case "exclusive", "normal":
		return v, nil
	default:
		return "", fmt.Errorf("retort/sqlite: URL parameter %s=%q: want exclusive (the default: hold the database's lock for the whole run) or normal (take it for each commit)", LockingModeParam, raw)
	}
}

// refuseReadOnly fails a write run on a database the URL opens read-only,
// before it takes the lock or writes anything.
func refuseReadOnly(u *config.URL) error {
	if readOnly(u) {
		return fmt.Errorf("retort/sqlite: the URL opens the database read-only (%s=ro): a command that writes (upgrade, downgrade, stamp) cannot run; remove %s=ro from the URL to run it", ModeParam, ModeParam)
	}
	return nil
}

// HoldForRun implements dialect.RunHolder. In a rollback-journal database
// every commit otherwise creates, syncs and deletes the journal file, syncs
// the directory, and takes and drops four file locks; with
// locking_mode=EXCLUSIVE the connection keeps its lock and its journal file
// between commits, which cuts a 1,000-migration upgrade by about a fifth.
// Every migration still commits durably on its own. The price is that other
// connections wait (busy_timeout) until the run ends instead of reading the
// schema half-way through it; ?locking_mode=normal in the URL opts out.
// WAL databases are left alone: readers beside a writer are why WAL is
// chosen, and a WAL commit touches no journal file.
func (Dialect) HoldForRun(ctx context.Context, conn *sql.Conn, u *config.URL) (func(context.Context) error, error) {
	none := func(context.Context) error { return nil }
	if err := refuseReadOnly(u); err != nil {
		return nil, err
	}
	mode, err := lockingMode(u)
	if err != nil {
		return nil, err
	}
	if mode == "normal" || IsMemory(u) {
		return none, nil
	}
	var journal string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil {
		return nil, fmt.Errorf("read journal_mode: %w", err)
	}
	switch strings.ToLower(journal) {
	case "delete", "truncate", "persist":
	default:
		return none, nil
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA locking_mode=EXCLUSIVE"); err != nil {
		return nil, fmt.Errorf("set locking_mode=EXCLUSIVE: %w", err)
	}
	return func(ctx context.Context) error {
		if _, err := conn.ExecContext(ctx, "PRAGMA locking_mode=NORMAL"); err != nil {
			return fmt.Errorf("set locking_mode=NORMAL: %w", err)
		}
		// SQLite drops a lock held in exclusive mode at the next access.
		var version int64
		if err := conn.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&version); err != nil {
			return fmt.Errorf("release the database lock: %w", err)
		}
		return nil
	}, nil
}

var _ dialect.ErrorHinter = Dialect{}

// Hint implements dialect.ErrorHinter: a busy database is another
// connection's lock, held past the busy timeout.
func (Dialect) Hint(err error) string {
	if err == nil {
		return ""
	}
	if strings.Contains(err.Error(), "readonly database") {
		return "the database is read-only: the URL has mode=ro, or the file or its directory is not writable"
	}
	if !strings.Contains(err.Error(), "SQLITE_BUSY") {
		return ""
	}
	return fmt.Sprintf("another connection held the database's lock for longer than the busy timeout (%s unless the URL sets timeout=SECONDS): an open transaction, or a retort upgrade, downgrade or stamp, which holds it until its run ends (see locking_mode in the README)", busyTimeout)
}

var _ dialect.TxEnder = Dialect{}

// TxAlreadyEnded implements dialect.TxEnder: after an interrupted statement
// (modernc.org/sqlite calls sqlite3_interrupt when the context is
// cancelled) SQLite has rolled the transaction back and answers ROLLBACK
// with this.
func (Dialect) TxAlreadyEnded(err error) bool {
	return err != nil && strings.Contains(err.Error(), "cannot rollback - no transaction is active")
}
