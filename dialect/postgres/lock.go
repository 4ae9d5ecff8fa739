package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"time"
)

// LockKey is the key of the advisory lock that serialises retort runs on the
// version table schema.table of database: the first 8 bytes, read as a
// big-endian two's-complement int64, of
//
//	SHA-256("retort\x00" + database + "\x00" + schema + "\x00" + table)
//
// The names are used as stored (case-sensitive, unquoted). Advisory locks
// are already local to a database; the database name is hashed as well so
// the key alone names what it protects. Two schemas, or two version tables,
// in one database get different keys and never block each other.
func LockKey(database, schema, table string) int64 {
	h := sha256.New()
	h.Write([]byte("retort\x00" + database + "\x00" + schema + "\x00" + table))
	return int64(binary.BigEndian.Uint64(h.Sum(nil)[:8]))
}

// unlockTimeout bounds Unlock, which ignores the cancellation of its context.
const unlockTimeout = 10 * time.Second

// advisoryLock is a session-level advisory lock held by one connection. The
// server releases it when that connection ends, however it ends.
type advisoryLock struct {
	conn              *sql.Conn
	db, schema, table string
	key               int64
	resolved          bool // db, schema and key are final
	held              bool
}

func (l *advisoryLock) String() string {
	schema := l.schema
	if !l.resolved {
		if schema == "" {
			schema = "<current schema>"
		}
		return fmt.Sprintf("PostgreSQL advisory lock on %s/%s.%s", l.db, schema, l.table)
	}
	return fmt.Sprintf("PostgreSQL advisory lock %d on %s/%s.%s", l.key, l.db, schema, l.table)
}

// resolve reads the database and default schema the connection is in, so
// the key does not depend on how the URL spelled them (or left them out).
func (l *advisoryLock) resolve(ctx context.Context) error {
	if l.resolved {
		return nil
	}
	var db, schema string
	err := l.conn.QueryRowContext(ctx, "SELECT current_database(), COALESCE(current_schema(), '')").Scan(&db, &schema)
	if err != nil {
		return fmt.Errorf("retort/postgresql: read the current database and schema for the lock: %w", err)
	}
	l.db = db
	if l.schema == "" {
		if schema == "" {
			return fmt.Errorf("retort/postgresql: no schema of the search_path exists; set version_table_schema or fix the search_path")
		}
		l.schema = schema
	}
	l.key = LockKey(l.db, l.schema, l.table)
	l.resolved = true
	return nil
}

// TryLock takes the lock if it is free, without waiting.
func (l *advisoryLock) TryLock(ctx context.Context) (bool, error) {
	if l.held {
		return true, nil
	}
	if err := l.resolve(ctx); err != nil {
		return false, err
	}
	var ok bool
	if err := l.conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", l.key).Scan(&ok); err != nil {
		return false, fmt.Errorf("retort/postgresql: take the %s: %w", l, err)
	}
	l.held = ok
	return ok, nil
}

// Unlock releases the lock taken by TryLock. It still runs when ctx is
// already cancelled (an interrupted run must not leave the lock to the
// connection pool), bounded by [unlockTimeout]. When the connection is gone
// there is nothing to release: the server released the lock when the
// session ended.
func (l *advisoryLock) Unlock(ctx context.Context) error {
	if !l.held {
		return nil
	}
	l.held = false
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
	defer cancel()
	var ok bool
	if err := l.conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1)", l.key).Scan(&ok); err != nil {
		if l.conn.PingContext(ctx) != nil {
			return nil // the session is gone, and the server released its locks with it
		}
		return fmt.Errorf("retort/postgresql: release the %s: %w", l, err)
	}
	if !ok {
		return fmt.Errorf("retort/postgresql: the %s was no longer held by this session", l)
	}
	return nil
}
