package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SessionConn returns the connection of a scratch database that
// OpenScratch created, set up as for a migration run, for callers that do
// more than load a schema into it (retort test drives the migration runner
// there): foreign key checks, which OpenScratch turns off to load
// mysqldump-style files, are on again.
func (s *scratch) SessionConn(ctx context.Context) (*sql.Conn, error) {
	if s.conn == nil {
		return nil, errors.New("retort/mysql: the scratch database is closed")
	}
	if _, err := s.conn.ExecContext(ctx, "SET SESSION FOREIGN_KEY_CHECKS = 1"); err != nil {
		return nil, fmt.Errorf("retort/mysql: turn foreign key checks back on: %w", err)
	}
	return s.conn, nil
}
