package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// SessionConn returns the connection of the in-memory scratch database,
// for callers that do more than run statements on it (retort test drives
// the migration runner there). The database lives as long as this
// connection: Close ends it.
func (s *scratch) SessionConn(context.Context) (*sql.Conn, error) {
	if s.done || s.conn == nil {
		return nil, errors.New("retort/sqlite: the scratch database is closed")
	}
	return s.conn, nil
}
