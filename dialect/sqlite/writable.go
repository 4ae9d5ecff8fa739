package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/retortdb/retort/config"
	"github.com/retortdb/retort/dialect"
)

var _ dialect.WriteChecker = Dialect{}

// sqliteReadOnly is SQLITE_READONLY, the primary result code of every
// "attempt to write a readonly database" (its extended codes keep it in the
// low byte).
const sqliteReadOnly = 8

// sqliteCode returns the SQLite result code of a driver error, 0 if err is
// not one. modernc.org/sqlite's *Error has Code(); the dialect does not
// import the driver (the program registers it).
func sqliteCode(err error) int {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code()
	}
	return 0
}

// CheckWritable implements dialect.WriteChecker. SQLite opens a file it
// cannot write (permissions, an immutable file, a read-only mount)
// read-only without a word, and the first write fails; in a run that is
// the first migration, which then takes the blame ("upgrade … failed
// (file:line): attempt to write a readonly database") and whose failure
// cannot be recorded either. So the check writes: it sets user_version to
// the value it has, in a transaction it rolls back, which leaves the file
// as it was. (BEGIN IMMEDIATE alone succeeds on a read-only database.)
func (Dialect) CheckWritable(ctx context.Context, conn *sql.Conn, u *config.URL) (err error) {
	if IsMemory(u) {
		return nil
	}
	if err := refuseReadOnly(u); err != nil {
		return err
	}
	path := filePath(u)
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		if ro := readOnlyError(path, err); ro != nil {
			return ro
		}
		return fmt.Errorf("retort/sqlite: take the write lock on %s: %w", path, err)
	}
	defer func() {
		if _, rbErr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rbErr != nil {
			err = errors.Join(err, fmt.Errorf("retort/sqlite: roll back the write check on %s: %w", path, rbErr))
		}
	}()
	var version int64
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("retort/sqlite: read user_version of %s: %w", path, err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		if ro := readOnlyError(path, err); ro != nil {
			return ro
		}
		return fmt.Errorf("retort/sqlite: check that %s can be written: %w", path, err)
	}
	return nil
}

// readOnlyError returns, when err is SQLITE_READONLY (or one of its
// extended codes, such as a journal that cannot be created in a read-only
// directory), the error that says what to do about it; nil otherwise.
func readOnlyError(path string, err error) error {
	if sqliteCode(err)&0xff != sqliteReadOnly {
		return nil
	}
	return fmt.Errorf("database file %s is read-only: %w; upgrade, downgrade and stamp need to write the file and create a journal beside it: make the file and its directory writable by this user (check chmod, chattr -i, a read-only mount), or run against a writable copy", path, err)
}
