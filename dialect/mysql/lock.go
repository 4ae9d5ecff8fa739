package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"
	"unicode/utf8"
)

// maxLockName is MySQL's limit on GET_LOCK names, in characters.
const maxLockName = 64

// LockName is the GET_LOCK name that serialises retort runs on the version
// table table of database: "retort:" + database + "." + table, or, when
// that is longer than MySQL's 64 characters, "retort:sha256:" followed by
// the first 40 hex digits of SHA-256(database + "." + table). GET_LOCK names
// are server-wide, hence the database in them.
func LockName(database, table string) string {
	name := "retort:" + database + "." + table
	if utf8.RuneCountInString(name) <= maxLockName {
		return name
	}
	sum := sha256.Sum256([]byte(database + "." + table))
	return "retort:sha256:" + hex.EncodeToString(sum[:])[:40]
}

// unlockTimeout bounds Unlock, which ignores the cancellation of its context.
const unlockTimeout = 10 * time.Second

// namedLock is a GET_LOCK lock held by one connection. The server releases
// it when that connection ends, however it ends.
type namedLock struct {
	conn    *sql.Conn
	db      string
	fixedDB bool   // db came from the version table's schema
	urlDB   string // for String before the first TryLock
	table   string
	name    string // "" until resolved
	held    bool
}

func (l *namedLock) String() string {
	if l.name == "" {
		db := l.db
		if !l.fixedDB {
			db = l.urlDB
		}
		return fmt.Sprintf("MySQL lock %q", LockName(db, l.table))
	}
	return fmt.Sprintf("MySQL lock %q", l.name)
}

func (l *namedLock) resolve(ctx context.Context) error {
	if l.name != "" {
		return nil
	}
	if !l.fixedDB {
		var db sql.NullString
		if err := l.conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&db); err != nil {
			return fmt.Errorf("retort/mysql: read the current database for the lock: %w", err)
		}
		l.db = db.String
	}
	l.name = LockName(l.db, l.table)
	return nil
}

// TryLock takes the lock if it is free, without waiting.
func (l *namedLock) TryLock(ctx context.Context) (bool, error) {
	if l.held {
		return true, nil
	}
	if err := l.resolve(ctx); err != nil {
		return false, err
	}
	var got sql.NullInt64
	if err := l.conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", l.name).Scan(&got); err != nil {
		return false, fmt.Errorf("retort/mysql: take the %s: %w", l, err)
	}
	if !got.Valid {
		return false, fmt.Errorf("retort/mysql: take the %s: GET_LOCK returned NULL", l)
	}
	l.held = got.Int64 == 1
	return l.held, nil
}

// Unlock releases the lock taken by TryLock. It still runs when ctx is
// already cancelled (an interrupted run must not leave the lock to the
// connection pool), bounded by [unlockTimeout]. When the connection is gone
// there is nothing to release: the server released the lock when the
// session ended.
func (l *namedLock) Unlock(ctx context.Context) error {
	if !l.held {
		return nil
	}
	l.held = false
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
	defer cancel()
	var res sql.NullInt64
	if err := l.conn.QueryRowContext(ctx, "SELECT RELEASE_LOCK(?)", l.name).Scan(&res); err != nil {
		if l.conn.PingContext(ctx) != nil {
			return nil // the session is gone, and the server released its locks with it
		}
		return fmt.Errorf("retort/mysql: release the %s: %w", l, err)
	}
	if !res.Valid || res.Int64 != 1 {
		return fmt.Errorf("retort/mysql: the %s was no longer held by this session", l)
	}
	return nil
}
