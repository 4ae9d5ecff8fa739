package postgres

import (
	"context"
	"database/sql"
	"errors"
)

// SessionConn returns the connection of a scratch database that
// OpenScratch created, for callers that do more than run statements on it
// (retort test drives the migration runner there). A dev database has none:
// its statements run inside a transaction that Close rolls back.
func (s *scratch) SessionConn(context.Context) (*sql.Conn, error) {
	if s.tx != nil || s.conn == nil {
		return nil, errors.New("retort/postgresql: this scratch database runs its statements in a transaction and has no session of its own")
	}
	return s.conn, nil
}
